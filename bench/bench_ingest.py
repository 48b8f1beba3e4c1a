"""Ingest throughput: ``creditcity ingest`` against a bare COPY / executemany of the same rows.

    .venv/bin/python -m bench.bench_ingest [--rows 1000000] [--postgres URL]

Each variant runs in its own child process so its peak RSS is its own
(``os.wait4`` rusage). The bare variants load rows that are already validated
and pseudonymised into the same ``entries`` table with the same indexes, so
the ratio is the price of validation, pseudonymisation, idempotency and
batching. On PostgreSQL ``creditcity ingest`` writes on two connections
(``ingest_writers``), so ``bare_x2`` (pre-built CSV COPY'd on two
connections, batches of 20,000 committed one by one) is its like-for-like
floor; ``bare`` is one connection's ``COPY`` row by row.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def make_records(rows: int, path: Path, seed: int = 0) -> None:
    """Realistic-shaped instalment records, grouped by person as sources send them."""
    rng = np.random.default_rng(seed)
    people = np.sort(rng.integers(0, max(1, rows // 45), rows))
    start = np.datetime64(datetime(2021, 1, 1), "us")
    offsets = rng.integers(0, 5 * 365 * 86_400, rows).astype("timedelta64[s]")
    ids = pa.array(np.char.add("3301", np.char.zfill(people.astype(str), 14)))
    table = pa.table(
        {
            "source": pa.array(np.full(rows, "bank:west-lake")),
            "idempotency_key": pa.array(np.char.add("k", np.arange(rows).astype(str))),
            "national_id": ids,
            "kind": pa.array(np.full(rows, "loan_instalment_paid")),
            "occurred_at": pa.array(start + offsets.astype("timedelta64[us]")),
            "city": pa.array(np.full(rows, "hangzhou")),
            "ref": pa.array(np.char.add("L", people.astype(str))),
            "amount": pa.array(np.round(rng.lognormal(6, 1, rows), 2)),
            "days_late": pa.array(rng.choice([0, 0, 0, 0, 0, 3, 12, 45], rows).astype(np.int32)),
        }
    )
    pq.write_table(table, path, row_group_size=100_000)


def _child(args: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_ingest", *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"child {args} failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss * 1024, out.strip()


def run_ours(url: str, path: Path) -> None:
    from creditcity.config import Settings
    from creditcity.ledger.db import make_engine, migrate
    from creditcity.services.ingest import ingest_files

    engine = make_engine(url)
    migrate(engine)
    report = ingest_files([path], engine=engine, settings=Settings())
    print(report.accepted)


def _prepared(url: str, path: Path) -> tuple[Any, pa.Table, str]:
    """A migrated database and the file's rows validated and pseudonymised, before the clock."""
    from creditcity.config import Settings
    from creditcity.domain.bulk_validation import validate_arrow
    from creditcity.ledger.db import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    table = pq.read_table(path)
    entries = validate_arrow(
        table, 1, str(path), Settings().pseudonym_secret, datetime.now() + timedelta(days=1)
    )
    assert entries is not None
    batch = entries.entries.append_column(
        "received_at", pa.array([datetime.now()] * table.num_rows, pa.timestamp("us"))
    )
    return engine, batch, ", ".join(batch.column_names)


def run_bare(url: str, path: Path) -> None:
    """Already-validated rows straight into ``entries``: COPY (PostgreSQL) or executemany."""
    engine, batch, cols = _prepared(url, path)
    rows = list(zip(*[c.to_pylist() for c in batch.columns], strict=True))
    started = time.perf_counter()
    raw = engine.raw_connection()
    cursor = raw.cursor()
    if engine.dialect.name == "postgresql":
        with cursor.copy(f"COPY entries ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(batch.column_names))
        text_rows = [(*r[:4], str(r[4]), *r[5:-1], str(r[-1])) for r in rows]
        cursor.executemany(f"INSERT INTO entries ({cols}) VALUES ({marks})", text_rows)
    raw.commit()
    raw.close()
    print(f"{time.perf_counter() - started:.3f}")


def run_bare_parallel(url: str, path: Path) -> None:
    """PostgreSQL's floor for two writers: CSV of validated rows COPY'd on two connections."""
    import io
    import threading

    import pyarrow.csv as pa_csv

    engine, batch, cols = _prepared(url, path)
    chunks = []
    for offset in range(0, batch.num_rows, 20_000):
        buffer = io.BytesIO()
        pa_csv.write_csv(
            batch.slice(offset, 20_000), buffer, pa_csv.WriteOptions(include_header=False)
        )
        chunks.append(buffer.getvalue())
    lock = threading.Lock()
    todo = iter(chunks)

    def writer() -> None:
        raw = engine.raw_connection()
        cursor = raw.cursor()
        while True:
            with lock:
                chunk = next(todo, None)
            if chunk is None:
                break
            with cursor.copy(f"COPY entries ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:  # type: ignore[attr-defined]
                copy.write(chunk)
            raw.commit()
        raw.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{time.perf_counter() - started:.3f}")


VARIANTS = {"bare": run_bare, "bare_x2": run_bare_parallel, "ours": run_ours}


def _fresh_pg(base: str) -> str:
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    return f"{base}?options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "URL", "PATH"))
    args = parser.parse_args()
    if args.child:
        variant, url, path = args.child
        VARIANTS[variant](url, Path(path))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    data = work / "records.parquet"
    make_records(args.rows, data)
    print(f"{args.rows:,} records, {data.stat().st_size / 1e6:.0f} MB Parquet")
    print(f"{'store':<11}{'variant':<10}{'seconds':>9}{'records/s':>12}{'peak RSS':>11}")
    for store in ("sqlite", "postgresql"):
        results = {}
        variants = ("bare", "ours") if store == "sqlite" else ("bare", "bare_x2", "ours")
        for variant in variants:
            url = (
                f"sqlite:///{work}/{variant}.db" if store == "sqlite" else _fresh_pg(args.postgres)
            )
            seconds, rss, out = _child(["--child", variant, url, str(data)])
            if variant != "ours":
                seconds = float(out)  # the load alone, not the preparation
            results[variant] = seconds
            print(
                f"{store:<11}{variant:<10}{seconds:>9.1f}{args.rows / seconds:>12,.0f}"
                f"{rss / 2**20:>9.0f} MB"
            )
        for bare in variants[:-1]:
            ratio = results["ours"] / results[bare]
            print(f"{store:<11}ratio ours/{bare} time: {ratio:.2f}x")


if __name__ == "__main__":
    main()
