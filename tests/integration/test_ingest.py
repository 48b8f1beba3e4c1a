"""Ingestion into the real ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from tests.support.files import write_rows
from tests.support.strategies import valid_rows

from creditcity.config import Settings
from creditcity.ledger.entries import live_entries_arrow
from creditcity.ledger.tables import entries
from creditcity.services.ingest import ingest_files

SETTINGS = Settings(pseudonym_secret="test-secret-123", ingest_batch_size=7)
FIXTURE_OK = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _unique_source(rows: list[dict[str, Any]]) -> str:
    """Give every example its own source name so examples never collide in one database."""
    tag = uuid.uuid4().hex[:8]
    for row in rows:
        row["source"] = f"{row['source'].split(':')[0]}:{tag}"
    return tag


def _stored(engine: Engine, tag: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        result = conn.execute(
            select(entries.c.source, entries.c.idempotency_key).where(
                entries.c.source.like(f"%:{tag}")
            )
        )
        return [tuple(r) for r in result]  # type: ignore[misc]


@FIXTURE_OK
@given(rows=valid_rows(), suffix=st.sampled_from([".csv", ".jsonl", ".parquet"]))
def test_any_valid_batch_ingested_twice_is_held_exactly_once(
    engine: Engine, tmp_path: Path, rows: list[dict[str, Any]], suffix: str
) -> None:
    tag = _unique_source(rows)
    path = write_rows(rows, tmp_path / f"{tag}{suffix}")
    first = ingest_files([path], engine=engine, settings=SETTINGS)
    second = ingest_files([path], engine=engine, settings=SETTINGS)
    distinct = {(r["source"], r["idempotency_key"]) for r in rows}
    assert first.ok and first.accepted == len(distinct)
    assert first.duplicate == len(rows) - len(distinct)
    assert second.accepted == 0 and second.duplicate == len(rows)
    stored = _stored(engine, tag)
    assert sorted(stored) == sorted(distinct)


@FIXTURE_OK
@given(rows=valid_rows(min_size=2), picks=st.lists(st.integers(0, 1000), min_size=1, max_size=5))
def test_a_correction_supersedes_but_never_loses_the_entry_it_corrects(
    engine: Engine, tmp_path: Path, rows: list[dict[str, Any]], picks: list[int]
) -> None:
    tag = _unique_source(rows)
    ingest_files([write_rows(rows, tmp_path / f"{tag}.parquet")], engine=engine, settings=SETTINGS)
    corrected = {rows[p % len(rows)]["idempotency_key"]: rows[p % len(rows)] for p in picks}
    corrections = [
        {**row, "idempotency_key": f"fix-{key}", "supersedes": key}
        for key, row in corrected.items()
    ]
    report = ingest_files(
        [write_rows(corrections, tmp_path / f"{tag}-fix.csv")], engine=engine, settings=SETTINGS
    )
    assert report.ok
    stored = {key for _, key in _stored(engine, tag)}
    assert {r["idempotency_key"] for r in rows} <= stored, "a superseded entry was lost"
    assert {f"fix-{k}" for k in corrected} <= stored
    with engine.connect() as conn:
        live = live_entries_arrow(conn)
    live_keys = _live_keys(engine, tag, live.column("entry_id").to_pylist())
    assert not set(corrected) & live_keys, "a superseded entry still counts"
    assert {f"fix-{k}" for k in corrected} <= live_keys


def _live_keys(engine: Engine, tag: str, live_ids: list[int]) -> set[str]:
    with engine.connect() as conn:
        result = conn.execute(
            select(entries.c.idempotency_key).where(
                entries.c.source.like(f"%:{tag}"), entries.c.entry_id.in_(live_ids)
            )
        )
        return {r[0] for r in result}


def test_a_retraction_withdraws_an_entry_from_current_state(engine: Engine, tmp_path: Path) -> None:
    row = {
        "source": "court:west",
        "idempotency_key": "j1",
        "national_id": "330100000000000001",
        "kind": "court_judgment",
        "occurred_at": "2024-02-01",
        "ref": "J1",
        "amount": 900,
    }
    undo = {
        "source": "court:west",
        "idempotency_key": "j1-retract",
        "national_id": "330100000000000001",
        "kind": "retraction",
        "occurred_at": "2024-03-01",
        "supersedes": "j1",
    }
    assert ingest_files(
        [write_rows([row], tmp_path / "a.csv")], engine=engine, settings=SETTINGS
    ).ok
    assert ingest_files(
        [write_rows([undo], tmp_path / "b.csv")], engine=engine, settings=SETTINGS
    ).ok
    with engine.connect() as conn:
        assert live_entries_arrow(conn).num_rows == 0
        assert conn.execute(select(func.count()).select_from(entries)).scalar_one() == 2


def test_all_or_nothing_keeps_no_row_of_a_file_with_one_bad_row(
    engine: Engine, tmp_path: Path
) -> None:
    good = {
        "source": "utility:grid",
        "national_id": "330100000000000002",
        "kind": "utility_bill",
        "occurred_at": "2025-01-05",
        "ref": "B1",
        "amount": 80,
        "days_late": 0,
    }
    rows = [{**good, "idempotency_key": f"u{i}"} for i in range(20)]
    rows[13]["amount"] = -1
    path = write_rows(rows, tmp_path / "bills.csv")
    report = ingest_files([path], engine=engine, settings=SETTINGS, all_or_nothing=True)
    assert report.files[0].rolled_back and report.accepted == 0 and report.rejected == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entries)).scalar_one() == 0
    kept = ingest_files([path], engine=engine, settings=SETTINGS)
    assert kept.accepted == 19 and kept.rejected == 1


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_same_key_twice_in_one_file_counts_once_and_once_as_duplicate(
    engine: Engine, tmp_path: Path, suffix: str
) -> None:
    row = {
        "source": "telecom:mobile",
        "idempotency_key": "t1",
        "national_id": "330100000000000003",
        "kind": "telecom_bill",
        "occurred_at": "2025-01-05",
        "ref": "T1",
        "amount": 50.5,
        "days_late": 3,
    }
    report = ingest_files(
        [write_rows([row, row], tmp_path / f"t{suffix}")], engine=engine, settings=SETTINGS
    )
    assert (report.accepted, report.duplicate, report.rejected) == (1, 1, 0)


@pytest.mark.parametrize("writers", [1, 4])
def test_concurrent_writers_keep_every_row_once_when_batches_share_people_and_keys(
    engine: Engine, tmp_path: Path, writers: int
) -> None:
    """Batches commit out of order on PostgreSQL's writers; nothing may be lost or doubled."""
    rows = [
        {
            "source": "utility:water",
            # every 5th row repeats a key from 50 rows earlier: a duplicate in another batch
            "idempotency_key": f"w{i - 50 if i % 5 == 0 and i >= 50 else i}",
            "national_id": f"3301000000000000{i % 3:02d}",  # three people in every batch
            "kind": "utility_bill",
            "occurred_at": "2025-03-01",
            "ref": f"W{i % 3}",
            "amount": 10.0 + i,
            "days_late": 0,
        }
        for i in range(400)
    ]
    path = write_rows(rows, tmp_path / "water.parquet")
    setup = SETTINGS.model_copy(update={"ingest_writers": writers, "ingest_batch_size": 9})
    first = ingest_files([path], engine=engine, settings=setup)
    assert first.ok, first.files[0].problems[:3]
    again = ingest_files([path], engine=engine, settings=setup)
    distinct = {r["idempotency_key"] for r in rows}
    assert (first.accepted, first.duplicate) == (len(distinct), len(rows) - len(distinct))
    assert (again.accepted, again.duplicate) == (0, len(rows))
    with engine.connect() as conn:
        keys = conn.execute(select(entries.c.idempotency_key)).scalars().all()
    assert sorted(keys) == sorted(distinct)
