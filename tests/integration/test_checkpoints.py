"""The server's SQLite checkpoints run on a thread, not inside its commits."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import create_engine, text

from creditcity.ledger.checkpoints import SERVING_CACHE_KIB, checkpoint_aside


def _wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_commits_leave_the_log_to_the_checkpoint_thread(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
    stop = checkpoint_aside(engine, every=0.05)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SERVING_CACHE_KIB
        sizes = []
        for _ in range(2):  # far over 1,000 pages each: SQLite would checkpoint in them
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (randomblob(4096))"), [{}] * 2000)
            sizes.append(_wal_bytes(path))
            time.sleep(0.5)  # the thread copies the log back; the next writer starts it over
        assert sizes[0] > 2000 * 4096
        assert sizes[1] < 1.5 * sizes[0], "the second batch reused the checkpointed log"
    finally:
        stop()
    engine.dispose()
    with engine.connect() as conn:  # stopped: new connections checkpoint on commit again
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_other_stores_are_left_alone(engine) -> None:  # type: ignore[no-untyped-def]
    stop = checkpoint_aside(engine)
    stop()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
