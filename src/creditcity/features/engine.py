"""One interface over the two engines: ``compute_features``.

Callers hand over live ledger entries (an Arrow table or a Parquet path),
the entry ids under pending dispute and the consent register; they get one
row per subject, sorted by subject, in :func:`feature_schema`. Whatever the
engine, the output has exactly that schema, so the two can be compared and
swapped without the caller noticing.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from creditcity.errors import InputRejected, Problem
from creditcity.features import duckdb_engine
from creditcity.features.definitions import FEATURES
from creditcity.features.schema import (
    CONSENT_SCHEMA,
    DISPUTED_SCHEMA,
    ENTRY_SCHEMA,
    USED_ENTRY_COLUMNS,
    Entries,
    check_schema,
    conform,
)

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")
_EPOCH = date(1970, 1, 1)


def feature_schema() -> pa.Schema:
    """``subject`` then every registered feature: int64 counts, float64 amounts and ratios."""
    fields = [pa.field("subject", pa.string(), nullable=False)]
    for feature in FEATURES.values():
        kind = pa.int64() if feature.dtype == "int" else pa.float64()
        fields.append(pa.field(feature.name, kind, nullable=feature.nullable))
    return pa.schema(fields)


def day_number(moment: date) -> int:
    """Days since 1970-01-01 of a date (a datetime counts as its calendar day)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return (day - _EPOCH).days


def _entries(entries: Entries) -> pa.Table | Path:
    """Validate entries up front: an Arrow table is narrowed and cast, a path checked."""
    if isinstance(entries, pa.Table):
        wanted = pa.schema([ENTRY_SCHEMA.field(name) for name in USED_ENTRY_COLUMNS])
        return conform(entries, wanted, what="entries")
    path = Path(entries)
    if not path.exists():
        raise InputRejected(
            "entries not found",
            problems=[
                Problem(
                    f"no Parquet file or directory at '{path}'",
                    where=str(path),
                    expected="a Parquet file or a directory of Parquet files",
                )
            ],
        )
    import pyarrow.dataset as ds  # here, not at import: it loads pandas (~2 s of every command)

    schema = ds.dataset(path, format="parquet").schema
    check_schema(schema, ENTRY_SCHEMA, USED_ENTRY_COLUMNS, what=f"entries '{path}'")
    return path


def _engine_name(engine: str) -> EngineName:
    if engine == "duckdb":
        return "duckdb"
    if engine == "spark":
        return "spark"
    raise InputRejected(
        "unknown feature engine",
        problems=[
            Problem(
                f"engine '{engine}' is not known; choose one of {', '.join(ENGINES)}",
                field="engine",
                expected=" or ".join(ENGINES),
            )
        ],
    )


def compute_features(
    entries: Entries,
    *,
    as_of: date,
    disputed: pa.Table,
    consents: pa.Table,
    engine: str = "duckdb",
    spark: Any | None = None,
    ordered: bool = True,
) -> pa.Table:
    """Every subject's features as of the end of ``as_of``, one row per subject.

    Exclusions happen here and nowhere else: an entry counts only if it
    occurred on or before ``as_of``, has not expired (``occurred + retention
    > as_of``, retention from the catalogue), is not in ``disputed``, and,
    for voluntary kinds, its subject held an active consent for its source
    at the end of ``as_of``. Subjects whose entries are all excluded still get a
    row, with zero counts and null ratios. ``spark`` is an existing
    SparkSession for ``engine="spark"`` (a local one is started otherwise).
    ``ordered=False`` skips sorting by subject where order does not matter
    (a country's batch scores); DuckDB only.
    """
    name = _engine_name(engine)
    source = _entries(entries)
    disputed_ids = conform(disputed, DISPUTED_SCHEMA, what="disputed entries")
    register = conform(consents, CONSENT_SCHEMA, what="consents")
    as_of_day = day_number(as_of)
    if name == "duckdb":
        raw = duckdb_engine.compute(
            source, as_of_day=as_of_day, disputed=disputed_ids, consents=register, ordered=ordered
        )
    else:
        from creditcity.features import spark_engine

        raw = spark_engine.compute(
            source, as_of_day=as_of_day, disputed=disputed_ids, consents=register, spark=spark
        )
    return _conformed_result(raw)


def _conformed_result(raw: pa.Table) -> pa.Table:
    schema = feature_schema()
    columns = [raw.column(field.name).cast(field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)
