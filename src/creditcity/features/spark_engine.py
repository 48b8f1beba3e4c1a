"""Spark engine: the same feature query on Apache Spark, for a whole country.

Entries are read from Parquet (a file or a dataset directory). An Arrow
table is first written to Parquet in a temporary directory: that keeps
timestamps as ``TIMESTAMP_NTZ`` (no session time zone can shift a record to
another day) and avoids the pandas conversion path. The relations are passed
to ``spark.sql`` as DataFrame arguments rather than registered as temporary
views, so two computations in one session cannot see each other's inputs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from creditcity.features.sql import SPARK, features_query


@contextmanager
def _quiet_pandas_check() -> Iterator[None]:
    """PySpark warns that it does not fully support pandas 3; no pandas path is used here."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "PySpark does not yet fully support pandas", FutureWarning
        )
        yield


def local_session(
    *, master: str = "local[2]", shuffle_partitions: int = 4, driver_memory: str = "4g"
) -> Any:
    """A local SparkSession tuned for one machine (no UI, few shuffle partitions).

    In local mode the executors are threads of the driver's JVM, so
    ``driver_memory`` is the heap every aggregation shares; Spark's default
    of 1 GiB makes the per-subject group-bys of millions of people spill and
    collect garbage. It is read when the JVM starts, i.e. only if no session
    is running yet in this process.
    Start-up costs ~15 s, so callers (and tests) should create one and share it.
    """
    from pyspark.sql import SparkSession

    # Local executors run Python (the scoring job's mapInArrow) with PYSPARK_PYTHON, which
    # PySpark reads from the environment only; default it to this interpreter and its packages.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with _quiet_pandas_check():
        session = (
            SparkSession.builder.master(master)
            .appName("creditcity-features")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
            .config("spark.driver.memory", driver_memory)
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _frame(spark: Any, table: pa.Table | Path, folder: Path, name: str) -> Any:
    if isinstance(table, pa.Table):
        path = folder / f"{name}.parquet"
        pq.write_table(table, path)
        return spark.read.parquet(str(path))
    # a dataset directory is read recursively, as DuckDB reads ``dir/**/*.parquet``
    return spark.read.option("recursiveFileLookup", str(table.is_dir()).lower()).parquet(str(table))


def compute(
    entries: pa.Table | Path,
    *,
    as_of_day: int,
    disputed: pa.Table,
    consents: pa.Table,
    spark: Any | None = None,
) -> pa.Table:
    """Run the feature query on Spark; returns the raw result (the caller fixes the schema)."""
    session = spark if spark is not None else local_session()
    with tempfile.TemporaryDirectory(prefix="creditcity-spark-") as folder, _quiet_pandas_check():
        frame = features_frame(
            session,
            entries,
            as_of_day=as_of_day,
            disputed=disputed,
            consents=consents,
            folder=Path(folder),
        )
        result: pa.Table = frame.toArrow()
    return result


def features_frame(
    session: Any,
    entries: pa.Table | Path,
    *,
    as_of_day: int,
    disputed: pa.Table,
    consents: pa.Table,
    folder: Path,
    ordered: bool = True,
) -> Any:
    """The feature query as a lazy Spark DataFrame (nothing collected to the driver).

    Arrow inputs are staged as Parquet under ``folder``, which must outlive
    every action on the frame. A country's batch job keeps the frame
    distributed and scores it where it lies
    (:mod:`creditcity.services.spark_scoring`), with ``ordered=False``: a
    global sort by subject is a sampling pass and a range shuffle that
    nothing downstream needs.
    """
    query = features_query(
        SPARK, as_of_day=as_of_day, with_disputes=disputed.num_rows > 0, ordered=ordered
    )
    frames = {
        name: _frame(session, table, folder, name)
        for name, table in (("entries", entries), ("disputed", disputed), ("consents", consents))
    }
    return session.sql(query, **frames)
