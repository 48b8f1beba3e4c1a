"""Where a decision batch runs: on the event loop when nothing can keep it waiting long.

A batch on the loop holds up every request of its worker, so it may wait only
for its own work, its round trips, and other workers' short locks.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tests.support.api import RESIDENT, give_score, settings_for

from creditcity.ledger import sqlite_writer
from creditcity.ledger.db import make_engine, migrate
from creditcity.services import decision_batching
from creditcity.services.decide import DecisionRequest, policy_for
from creditcity.services.decision_batching import DecisionBatcher


def _batcher(engine: Engine, folder: Path) -> DecisionBatcher:
    settings = settings_for(folder / "home")
    return DecisionBatcher(engine, policy=policy_for(settings), settings=settings)


def _request(amount: str = "10") -> DecisionRequest:
    return DecisionRequest(RESIDENT, "bike_deposit", amount, "test", "bike_operator:hellobike")


def _threads_used(batcher: DecisionBatcher, rounds: int) -> set[str]:
    seen: set[str] = set()
    run = batcher._transaction

    def watched(requests):  # type: ignore[no-untyped-def]
        seen.add(threading.current_thread().name)
        return run(requests)

    batcher._transaction = watched  # type: ignore[method-assign]

    async def ask() -> None:
        for _ in range(rounds):
            await batcher.decide(_request())

    asyncio.run(ask())
    return seen


def test_batches_after_the_first_run_on_the_loop_on_both_stores(
    engine: Engine, tmp_path: Path
) -> None:
    give_score(engine, RESIDENT, 720)
    batcher = _batcher(engine, tmp_path)
    seen = _threads_used(batcher, 3)
    assert threading.main_thread().name in seen  # on the loop's own thread
    assert len(seen) == 2  # and the first (loading the scores) on a thread
    assert batcher.decided == 3


def test_on_sqlite_a_batch_waits_on_a_thread_while_another_process_writes(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    give_score(engine, RESIDENT, 720)
    batcher = _batcher(engine, tmp_path)
    _threads_used(batcher, 1)  # scores loaded
    other = make_engine(sqlite_url)
    with other.connect() as writer:
        sqlite_writer.acquire(writer)  # another writer's turn, released after a pause
        threading.Timer(0.3, sqlite_writer.release, args=(writer.info,)).start()
        seen = _threads_used(batcher, 1)
    assert threading.main_thread().name not in seen
    assert batcher.decided == 2


def test_on_postgresql_a_lock_held_too_long_fails_the_batch_instead_of_holding_the_loop(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decision_batching, "LOCK_WAIT_SECONDS", 0.2)
    engine = make_engine(pg_url)
    migrate(engine)
    give_score(engine, RESIDENT, 720)
    batcher = _batcher(engine, tmp_path)
    _threads_used(batcher, 1)
    holder = engine.connect()
    holder.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 4711))"), {"k": RESIDENT})
    try:
        started = time.monotonic()
        with pytest.raises(Exception, match="lock timeout"):
            _threads_used(batcher, 1)
        assert time.monotonic() - started < 2.0  # the batch and its retry, 0.2 s each
    finally:
        holder.execute(text("SELECT pg_advisory_unlock_all()"))
        holder.close()
    _threads_used(batcher, 1)  # the lock gone, the same batcher decides again
    assert batcher.decided == 2


def test_on_postgresql_the_tables_are_analysed_off_the_loop_then_planned_again(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(pg_url)
    migrate(engine)
    give_score(engine, RESIDENT, 720)
    batcher = _batcher(engine, tmp_path)
    analysed_on: list[str] = []
    analyse = decision_batching.analyse_grown

    def watched(*args):  # type: ignore[no-untyped-def]
        analysed_on.append(threading.current_thread().name)
        time.sleep(0.2)  # a slow ANALYZE: the batches go on meanwhile
        return analyse(*args)

    monkeypatch.setattr(decision_batching, "analyse_grown", watched)
    batcher._replan_at = 2
    _threads_used(batcher, 2)
    first = batcher._conn
    _threads_used(batcher, 1)  # decided while the tables are being analysed
    assert batcher._conn is first
    assert batcher._analysing is not None
    batcher._analysing.join(timeout=10)
    _threads_used(batcher, 1)
    assert analysed_on and set(analysed_on) == {"creditcity-replan"}  # never the loop
    assert batcher._conn is not first  # new plans, on a new connection
    assert batcher.decided == 4
    engine.dispose()
