"""SQLite's one writer, handed on at once: a lock file beside the database.

SQLite lets one transaction write at a time. A writer that finds the database
locked is put to sleep by SQLite's busy handler on a fixed ladder (1, 2, 5,
10, ... 100 ms) and tries again; under several workers deciding at once,
every wait costs a rung of that ladder, and a decision's p99 climbed to
hundreds of milliseconds while the database was idle most of the time.

Here a writer first takes an exclusive ``flock`` on ``<database>-writer.lock``
and only then SQLite's own lock. The lock file is asked again at short,
growing intervals (50 µs to 1 ms), so the next writer starts within a
millisecond of the last commit. It is released as soon as the transaction
ends (:func:`release`, called by the unit of work after its commit or
rollback, and by the pool when a connection is returned as a backstop).

Writers that never call :func:`acquire` (a bulk import) still meet SQLite's
own lock and its busy handler, as before: the file is a queue for the hot
path, not the guard of correctness, which stays SQLite's.
"""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's own busy handler only
    fcntl = None  # type: ignore[assignment]

__all__ = ["WAIT_SECONDS", "acquire", "lock_path", "release", "try_acquire"]

#: how long a writer waits for the lock file before giving up (SQLite's busy timeout)
WAIT_SECONDS = 30.0
_HELD = "creditcity_writer_lock"
_FIRST_PAUSE, _LONGEST_PAUSE = 50e-6, 1e-3


def lock_path(conn: Connection) -> str | None:
    """The lock file of this connection's database; None for an in-memory database."""
    database = conn.engine.url.database
    if conn.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return f"{database}-writer.lock"


def acquire(conn: Connection) -> None:
    """Hold the database's writer lock file until :func:`release` (no-op if held)."""
    path = lock_path(conn)
    if path is None or fcntl is None or _HELD in conn.info:
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _wait_for(fd, path)
    except BaseException:
        os.close(fd)
        raise
    conn.info[_HELD] = fd


def try_acquire(conn: Connection) -> bool:
    """Take the writer lock file only if no other writer holds it now; True if held after.

    For a caller that would rather not wait here at all (the decision
    batcher, deciding on its event loop when the writer's turn is free).
    """
    path = lock_path(conn)
    if path is None or fcntl is None or _HELD in conn.info:
        return path is not None and _HELD in conn.info
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    conn.info[_HELD] = fd
    return True


def _wait_for(fd: int, path: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    pause = _FIRST_PAUSE
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OperationalError(
                    "take the writer lock", {}, TimeoutError(f"{path} held > {WAIT_SECONDS} s")
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)


def release(info: dict[Any, Any]) -> None:
    """Let the next writer in (``info``: a connection's or a pool record's info)."""
    fd = info.pop(_HELD, None)
    if fd is not None:
        os.close(fd)  # closing the descriptor drops its flock
