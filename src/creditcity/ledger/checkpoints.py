"""SQLite's WAL checkpoints on a thread of their own, not inside a serving commit.

    stop = checkpoint_aside(engine)   # in a server process; stop() at shutdown

By default SQLite copies the write-ahead log back into the database (and
syncs both files) inside whichever commit first finds the log over 1,000
pages. In the server that commit holds the writer's turn while it does: a
decision batch's commit took 1.6 s of every 10 s under 32 connections
(profiled under ``python -m bench.bench_soak``), and the other worker waited
for the turn all that while. Here the server's connections never checkpoint
on commit; a daemon thread runs a ``PASSIVE`` checkpoint every ``every``
seconds, which copies what it can without waiting for, or blocking, readers
and writers. Commands that write in bulk (imports, scoring runs) keep SQLite's
default and checkpoint as they go. The server's connections also keep a
smaller page cache than an import's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

__all__ = ["checkpoint_aside"]

_log = logging.getLogger(__name__)


#: a serving connection's page cache (KiB): an import's connection may fill 128 MiB, and a
#: server keeps up to 20 pooled connections, which could come to 2.5 GiB a worker
SERVING_CACHE_KIB = 8192


def _no_checkpoint_on_commit(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute(f"PRAGMA cache_size=-{SERVING_CACHE_KIB}")
    cursor.close()


def checkpoint_aside(engine: Engine, every: float = 0.5) -> Callable[[], None]:
    """Move ``engine``'s checkpoints to a thread (SQLite files only); returns ``stop``."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return lambda: None
    event.listen(engine, "connect", _no_checkpoint_on_commit)
    engine.dispose()  # connections opened before now would still checkpoint on commit
    stopped = threading.Event()

    def run() -> None:
        while not stopped.wait(every):
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # a busy or closing database: the next turn tries again
                _log.debug("checkpoint skipped", exc_info=True)

    thread = threading.Thread(target=run, name="creditcity-checkpoint", daemon=True)
    thread.start()

    def stop() -> None:
        stopped.set()
        thread.join(timeout=5)
        event.remove(engine, "connect", _no_checkpoint_on_commit)

    return stop
