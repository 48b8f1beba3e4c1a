"""Time a command and sample its whole process tree: peak summed RSS and CPU seconds.

``os.wait4`` reports only the child itself and the descendants it waited
for; a Spark run's JVM (started by PySpark, not waited for) and its Python
workers (forked by the JVM's daemon) are missing from it, and the JVM holds
most of the memory. Here the tree is walked every ``interval`` seconds with
psutil: the RSS of every live descendant is summed per sample and the
largest sum kept; each process's CPU time is the last value seen for it
(at most one interval short at its exit), summed over every process that
ever lived in the tree.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

import psutil

__all__ = ["Measured", "run_sampled"]


@dataclass(frozen=True, slots=True)
class Measured:
    seconds: float
    #: largest sum of RSS over the live process tree in any sample
    peak_tree_mib: float
    #: user + system seconds of every process of the tree
    cpu_seconds: float
    #: how many processes the tree held over the run
    processes: int
    #: CPU seconds by process name (``java``: the JVM; ``python``: driver and workers)
    cpu_by_name: dict[str, float]


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def run_sampled(command: list[str], *, interval: float = 0.2) -> Measured:
    """Run ``command`` (stdout discarded) to its end; raise SystemExit if it fails."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    root = psutil.Process(proc.pid)
    cpu: dict[tuple[int, float], float] = {}
    names: dict[tuple[int, float], str] = {}
    peak = 0
    while proc.poll() is None:
        total = 0
        for member in _tree(root):
            try:
                with member.oneshot():
                    total += member.memory_info().rss
                    times = member.cpu_times()
                    key = (member.pid, member.create_time())
                    cpu[key] = times.user + times.system
                    names.setdefault(key, member.name())
            except psutil.NoSuchProcess:
                continue
        peak = max(peak, total)
        time.sleep(interval)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{command} failed ({proc.returncode})")
    by_name: dict[str, float] = {}
    for key, seconds_used in cpu.items():
        by_name[names[key]] = by_name.get(names[key], 0.0) + seconds_used
    return Measured(seconds, peak / 2**20, sum(cpu.values()), len(cpu), by_name)
