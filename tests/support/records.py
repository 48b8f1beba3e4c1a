"""Valid import files of any size, built without the simulator, for ingest tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def instalment_table(rows: int, *, seed: int = 0, source: str = "bank:west-lake") -> pa.Table:
    """``rows`` valid ``loan_instalment_paid`` records for ~rows/20 people."""
    rng = np.random.default_rng(seed)
    people = max(1, rows // 20)
    person = rng.integers(0, people, rows)
    start = datetime(2020, 1, 1)
    days = rng.integers(0, 6 * 365, rows)
    return pa.table(
        {
            "source": pa.array([source] * rows),
            "idempotency_key": pa.array([f"k{seed}-{i}" for i in range(rows)]),
            "national_id": pa.array([f"3301{p:014d}" for p in person]),
            "kind": pa.array(["loan_instalment_paid"] * rows),
            "occurred_at": pa.array(
                [start + timedelta(days=int(d)) for d in days], pa.timestamp("us")
            ),
            "city": pa.array(["hangzhou"] * rows),
            "ref": pa.array([f"L{p}" for p in person]),
            "amount": pa.array(np.round(rng.lognormal(6, 1, rows), 2)),
            "days_late": pa.array(rng.choice([0, 0, 0, 0, 3, 45], rows).astype(np.int32)),
        }
    )


def write_parquet(table: pa.Table, path: Path) -> Path:
    pq.write_table(table, path, row_group_size=100_000)
    return path
