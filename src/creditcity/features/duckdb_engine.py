"""DuckDB engine: the in-process hot path for batch rescoring.

Reads entries straight from Arrow memory or from Parquet (a file or a
directory of files, read recursively) without copying them into a database, and
runs the registry's query. DuckDB streams the one scan of the entries to the
per-subject group-by and the three small per-obligation group-bys; the cost
is measured against a bare DuckDB group-by in ``bench/bench_features.py``.

Opening a DuckDB database costs tens of milliseconds, so calls share one
in-memory database and each runs on its own cursor (a connection of its own,
whose registered inputs no other call can see).
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pyarrow as pa

from creditcity.features.sql import DUCKDB, features_query

_LOCK = threading.Lock()
_SHARED: list[duckdb.DuckDBPyConnection] = []


def _database() -> duckdb.DuckDBPyConnection:
    with _LOCK:
        if not _SHARED:
            _SHARED.append(duckdb.connect(":memory:"))
        return _SHARED[0]


def parquet_relation(path: Path) -> str:
    """A ``read_parquet`` call for a file or every Parquet file under a directory."""
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
    ordered: bool = True,
) -> pa.Table:
    """Run the feature query on DuckDB; returns the raw result (the caller fixes the schema).

    ``threads`` runs the query in a database of its own with that many threads.
    """
    connection = duckdb.connect(":memory:") if threads else _database().cursor()
    try:
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        inputs = {"disputed": "disputed", "consents": "consents"}
        if isinstance(entries, pa.Table):
            connection.register("entries", entries)
            inputs["entries"] = "entries"
        else:
            inputs["entries"] = parquet_relation(entries)
        connection.register("disputed", disputed)
        connection.register("consents", consents)
        query = features_query(
            DUCKDB,
            as_of_day=as_of_day,
            with_disputes=disputed.num_rows > 0,
            with_consents=consents.num_rows > 0,
            ordered=ordered,
            inputs=inputs,
        )
        return connection.sql(query).to_arrow_table()
    finally:
        connection.close()
