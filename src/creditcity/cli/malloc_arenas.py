"""Cap glibc's malloc arenas in a server worker, so its memory stays flat under load.

    cap_malloc_arenas()  # at a worker's start, before its thread pool starts

glibc gives each new thread that allocates under contention an arena of its
own, up to eight per core, and memory freed in one arena is not reused by
another. A worker runs up to 40 threads (FastAPI's pool) that allocate and
free request objects all day, so its resident memory crept up with the run:
``python -m bench.bench_soak --minutes 5 --rate 1000 --store sqlite`` grew
775 -> 814 MiB over the four minutes after its first window, and 751 -> 760
with ``MALLOC_ARENA_MAX=2`` set, same box, run back to back (docs/benchmarks.md).
``mallopt`` sets the same cap from inside the process; it applies to arenas
made from then on, which is every arena of the thread pool. Where it is not
glibc (or not Linux) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

__all__ = ["ARENAS", "cap_malloc_arenas"]

#: glibc's ``M_ARENA_MAX`` option of ``mallopt``
_M_ARENA_MAX = -8
#: the cap: the event loop's thread and the pool share the rest
ARENAS = 2


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Ask glibc for at most ``arenas`` malloc arenas; False where that cannot be asked.

    An operator's own ``MALLOC_ARENA_MAX`` wins: glibc read it at start.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, arenas))
