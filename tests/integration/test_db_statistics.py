"""A serving process refreshes the planner's statistics of tables that grew from nothing.

Without autovacuum (it may be off) the decisions and kept answers of a new
city never get statistics, and a plan made on them reads a provider's every
key for each lookup. :func:`analyse_grown` analyses a table once it has
changed by more than its own size since it was last analysed.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import Engine, insert, text

from creditcity.ledger.db import analyse_grown, make_engine, migrate
from creditcity.ledger.tables import idempotency_keys


def _keys(engine: Engine, start: int, count: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(idempotency_keys),
            [
                {
                    "principal": "bike_operator:test",
                    "key": f"k{i}",
                    "fingerprint": "f",
                    "created_at": datetime(2026, 1, 1),
                    "response": "{}",
                }
                for i in range(start, start + count)
            ],
        )


def _estimate(engine: Engine) -> float:
    with engine.connect() as conn:
        return float(
            conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'idempotency_keys'::regclass")
            ).scalar_one()
        )


def test_a_table_is_analysed_when_it_has_doubled_and_not_before(pg_url: str) -> None:
    engine = make_engine(pg_url)
    migrate(engine)
    _keys(engine, 0, 400)
    time.sleep(1.5)  # the changes are counted (else they would count after the analysis)
    assert _estimate(engine) < 0  # never analysed: the planner guesses
    both = ("idempotency_keys", "decisions")
    assert sorted(analyse_grown(engine, *both)) == [
        "decisions",
        "idempotency_keys",
    ]  # never had any
    assert _estimate(engine) == 400
    assert analyse_grown(engine, *both) == []  # just analysed
    _keys(engine, 400, 300)
    time.sleep(1.5)  # the changes are counted
    assert analyse_grown(engine, "idempotency_keys") == []  # grew by less than its size
    _keys(engine, 700, 200)
    deadline = time.monotonic() + 10  # PostgreSQL counts the changes within a second
    while not (grown := analyse_grown(engine, "idempotency_keys")):
        assert time.monotonic() < deadline, "the doubled table was never analysed"
        time.sleep(0.2)
    assert grown == ["idempotency_keys"]
    assert _estimate(engine) == 900
    engine.dispose()


def test_sqlite_needs_no_statistics(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    _keys(engine, 0, 100)
    assert analyse_grown(engine, "idempotency_keys") == []
