"""SQLite's writer turn is handed on as soon as a transaction ends, across connections."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from creditcity.ledger import sqlite_writer
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.guards import take_write_lock
from creditcity.ledger.unit_of_work import UnitOfWork


def _sqlite(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'writer.db'}")
    migrate(engine)
    return engine


def _free(path: str) -> bool:
    """Whether another open file description could take the lock file now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_a_writer_holds_the_lock_file_until_its_commit_and_not_after(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    path = f"{tmp_path / 'writer.db'}-writer.lock"
    with UnitOfWork(engine) as uow:
        take_write_lock(uow.conn)
        assert not _free(path)
        uow.commit()
        assert _free(path)
        take_write_lock(uow.conn)
        assert not _free(path)
    assert _free(path)  # left without commit: rolled back, and the turn is passed on


def test_a_connection_returned_to_the_pool_gives_up_its_turn(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    path = f"{tmp_path / 'writer.db'}-writer.lock"
    with engine.begin() as conn:
        take_write_lock(conn)
        assert not _free(path)
    assert _free(path)


def test_the_next_writer_starts_right_after_the_commit(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    committed: list[float] = []
    started: list[float] = []

    def second() -> None:
        with UnitOfWork(engine) as uow:
            take_write_lock(uow.conn)
            started.append(time.monotonic())
            uow.conn.execute(text("UPDATE idempotency_keys SET key = key WHERE 0"))
            uow.commit()

    with UnitOfWork(engine) as uow:
        take_write_lock(uow.conn)
        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(0.3)
        assert not started, "the second writer got in while the first held the turn"
        uow.commit()
        committed.append(time.monotonic())
    waiter.join(timeout=10)
    assert started and started[0] - committed[0] < 0.05  # SQLite's own ladder sleeps 100 ms


def test_an_in_memory_database_has_no_lock_file() -> None:
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        assert sqlite_writer.lock_path(conn) is None
