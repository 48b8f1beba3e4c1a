"""DuckDB engine: the in-process hot path for batch rescoring.

Reads entries straight from Arrow memory or from Parquet (a file, a
directory of files, or a glob) without copying them into a database, and
runs the registry's query in one connection. The query is a single pass
grouped by subject with conditional aggregates, plus a second, much smaller
group-by over obligation entries; it is measured against a bare DuckDB
group-by in ``bench/bench_features.py``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from creditcity.features.sql import DUCKDB, features_query


def _parquet_source(path: Path) -> str:
    """A ``read_parquet`` call for a file, a directory of Parquet files, or a glob."""
    target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    quoted = target.replace("'", "''")
    return f"read_parquet('{quoted}')"


def compute(
    entries: pa.Table | Path,
    *,
    as_of_day: int,
    disputed: pa.Table,
    consents: pa.Table,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> pa.Table:
    """Run the feature query on DuckDB; returns the raw result (the caller fixes the schema)."""
    connection = duckdb.connect(":memory:")
    try:
        if threads is not None:
            connection.execute(f"SET threads = {int(threads)}")
        if memory_limit is not None:
            connection.execute("SET memory_limit = ?", [memory_limit])
        if isinstance(entries, pa.Table):
            connection.register("entries", entries)
        else:
            connection.execute(f"CREATE VIEW entries AS SELECT * FROM {_parquet_source(entries)}")
        connection.register("disputed", disputed)
        connection.register("consents", consents)
        query = features_query(DUCKDB, as_of_day=as_of_day, with_disputes=disputed.num_rows > 0)
        return connection.sql(query).to_arrow_table()
    finally:
        connection.close()
