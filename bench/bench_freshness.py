"""Freshness: time from an ingest acknowledgement to the new score being readable.

    .venv/bin/python -m bench.bench_freshness [--residents 3000] [--records 200]
        [--postgres URL]

A simulated city is ingested, trained and scored once per store (SQLite, then
PostgreSQL). Then, one at a time, a new record about a random scored person
is ingested through the same service the CLI and HTTP use, with live
rescoring as the commit hook; the clock starts when the batch is committed
(the acknowledgement) and stops when that person's new score is read back.
Side by side, in the same run: the bare engine's floor for the same two
steps, a plain INSERT of one score row and a SELECT of it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, create_engine, text
from tests.support.city import AS_OF, SETTINGS, scored_city, simulated
from tests.support.files import write_rows

from creditcity.ledger.scores import current_score
from creditcity.ledger.unit_of_work import on_people_changed
from creditcity.services.ingest import ingest_files
from creditcity.services.scoring import rescore

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_url(base: str) -> str:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    return f"{base}?options=-csearch_path%3D{schema}"


def _fresh(engine: Engine, work: Path, people: list[str], count: int) -> list[float]:
    rng = np.random.default_rng(0)
    waits = []
    for i in range(count):
        person = people[int(rng.integers(len(people)))]
        row = {
            "source": "utility:grid",
            "idempotency_key": f"fresh-{uuid.uuid4().hex}",
            "subject": person,
            "kind": "utility_bill",
            "occurred_at": "2026-06-20",
            "ref": f"B{i}",
            "amount": 120.0,
            "days_late": int(rng.choice([0, 45])),
        }
        path = write_rows([row], work / f"r{i}.jsonl")
        clock: dict[str, float] = {}

        def hook(subjects: frozenset[str], clock: dict[str, float] = clock) -> None:
            clock["ack"] = time.perf_counter()
            rescore(engine, subjects=set(subjects), as_of=AS_OF)

        unsubscribe = on_people_changed(engine, hook)
        ingest_files([path], engine=engine, settings=SETTINGS)
        unsubscribe()
        with engine.connect() as conn:
            stored = current_score(conn, person)
        assert stored is not None
        waits.append(time.perf_counter() - clock["ack"])
    return waits


def _bare(engine: Engine, count: int) -> list[float]:
    waits = []
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bare_scores (subject TEXT, score INT)"))
        conn.commit()
        for i in range(count):
            started = time.perf_counter()
            conn.execute(text("INSERT INTO bare_scores VALUES (:s, :v)"), {"s": f"p{i}", "v": i})
            conn.commit()
            conn.execute(text("SELECT score FROM bare_scores WHERE subject = :s"), {"s": f"p{i}"})
            waits.append(time.perf_counter() - started)
    return waits


def _line(name: str, waits: list[float]) -> None:
    ms = np.array(waits) * 1000
    print(
        f"  {name:<22} p50 {np.percentile(ms, 50):7.1f} ms   p99 {np.percentile(ms, 99):7.1f} ms"
        f"   max {ms.max():7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-fresh-"))
    city = simulated(work / "city", residents=args.residents)
    for store in ("sqlite", "postgresql"):
        url = f"sqlite:///{work}/ledger.db" if store == "sqlite" else _pg_url(args.postgres)
        engine = scored_city(url, city, work / f"models-{store}")
        with engine.connect() as conn:
            people = [r[0] for r in conn.execute(text("SELECT DISTINCT subject FROM scores"))]
        print(
            f"{store}: {len(people):,} scored people, {args.records} new records, as of "
            f"{date.today()}"
        )
        fresh = _fresh(engine, work, people, args.records)
        bare = _bare(engine, args.records)
        _line("ack -> score readable", fresh)
        _line("bare insert + select", bare)
        print(f"  ratio p50: {np.percentile(fresh, 50) / np.percentile(bare, 50):.1f}x")


if __name__ == "__main__":
    main()
