"""DuckDB and Spark run the same feature definitions and give the same numbers.

One local Spark session (``local[2]``, UI off, two shuffle partitions) is
started for the whole module and shared; start-up costs ~15 s, so the
comparisons are few and each covers many people: a few thousand random
entries with every record kind, lateness of every severity, records after
the as-of date, expired ones, disputes and consents (some withdrawn).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditcity.features import compute_features, feature_schema
from creditcity.features.synthetic import random_consents, random_disputed, random_entries

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

AS_OF = date(2026, 3, 31)
END = date(2026, 9, 30)  # entries run past the as-of date, so some lie in its future


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime on PATH")
    from creditcity.features.spark_engine import local_session

    session = local_session(master="local[2]", shuffle_partitions=2)
    yield session
    session.stop()


def _monthly_spending(entries: pa.Table, people: int) -> pa.Table:
    """A year of monthly spending totals from one bank for the first ``people`` subjects."""
    rng = np.random.default_rng(10)
    subjects = np.repeat(np.array(sorted(set(entries["subject"].to_pylist()))[:people]), 12)
    rows = len(subjects)
    end_us = (AS_OF - date(1970, 1, 1)).days * 86_400_000_000
    occurred = end_us - np.tile(np.arange(12) * 30 + 2, people) * 86_400_000_000
    columns = {
        name: pa.nulls(rows, field.type)
        for name, field in zip(entries.schema.names, entries.schema, strict=True)
    }
    columns |= {
        "entry_id": pa.array(np.arange(rows) + 1_000_000),
        "subject": pa.array(subjects),
        "source": pa.array(["bank:a"] * rows),
        "kind": pa.array(["monthly_spending"] * rows),
        "occurred_at": pa.array(occurred, pa.timestamp("us")),
        "received_at": pa.array(occurred, pa.timestamp("us")),
        "amount": pa.array(np.round(rng.lognormal(8, 0.3, rows), 2)),
    }
    return pa.table(columns, schema=entries.schema)


@pytest.fixture(scope="module")
def city() -> dict[str, pa.Table]:
    entries = random_entries(residents=300, records=4_000, seed=7, end=END, years=7)
    entries = pa.concat_tables([entries, _monthly_spending(entries, people=60)])
    return {
        "entries": entries,
        "disputed": random_disputed(entries, seed=8, share=0.02),
        "consents": random_consents(entries, seed=9, end=END),
    }


def _features(
    city: dict[str, pa.Table],
    engine: str,
    spark: Any = None,
    entries: pa.Table | Path | None = None,
) -> pa.Table:
    return compute_features(
        city["entries"] if entries is None else entries,
        as_of=AS_OF,
        disputed=city["disputed"],
        consents=city["consents"],
        engine=engine,
        spark=spark,
    )


def assert_same_features(left: pa.Table, right: pa.Table) -> None:
    """Identical subjects and counts; floats equal up to summation order."""
    assert left.schema == right.schema == feature_schema()
    assert left["subject"].to_pylist() == right["subject"].to_pylist()
    for field in feature_schema():
        a, b = left[field.name].to_pylist(), right[field.name].to_pylist()
        if pa.types.is_floating(field.type):
            for x, y in zip(a, b, strict=True):
                assert (x is None) == (y is None), field.name
                if x is not None:
                    assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9), field.name
        else:
            assert a == b, field.name


def test_duckdb_and_spark_give_the_same_feature_table(
    spark: Any, city: dict[str, pa.Table], tmp_path: Path
) -> None:
    # Spark reads the entries as a Parquet dataset directory (its country-scale input);
    # disputes and consents reach it from Arrow tables. DuckDB reads the Arrow table.
    folder = tmp_path / "entries" / "city=hangzhou"
    folder.mkdir(parents=True)
    entries = city["entries"]
    half = entries.num_rows // 2
    pq.write_table(entries.slice(0, half), folder / "part-0.parquet")
    pq.write_table(entries.slice(half), folder / "part-1.parquet")
    duck = _features(city, "duckdb")
    assert_same_features(duck, _features(city, "spark", spark, entries=tmp_path / "entries"))
    assert_same_features(duck, _features(city, "duckdb", entries=tmp_path / "entries"))
    # the data exercise the definitions: not a comparison of empty columns
    assert duck.num_rows == 300
    for name in (
        "late_90_plus_days_12m",
        "loan_defaults",
        "traffic_fines_unpaid",
        "card_utilisation",
        "investment_holdings_total",
        "monthly_spending_variation",
        "court_judgments_active",
        "history_length_months",
    ):
        values = duck[name].drop_null().to_pylist()
        assert values and values.count(0) < len(values), name
