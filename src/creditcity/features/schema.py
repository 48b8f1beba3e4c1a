"""The shapes the feature engines read: live ledger entries, pending disputes, consents.

The ledger exports live entries (superseded and retracted ones already
removed) in :data:`ENTRY_SCHEMA`. The engines read only the columns they need,
so a wider table is fine; a missing column or a column of the wrong type is
rejected here, before any engine runs, with the column named.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from creditcity.errors import InputRejected, Problem

ENTRY_SCHEMA = pa.schema(
    [
        ("entry_id", pa.int64()),
        ("subject", pa.string()),
        ("source", pa.string()),
        ("kind", pa.string()),
        ("occurred_at", pa.timestamp("us")),
        ("received_at", pa.timestamp("us")),
        ("city", pa.string()),
        ("ref", pa.string()),
        ("amount", pa.float64()),
        ("balance", pa.float64()),
        ("credit_limit", pa.float64()),
        ("days_late", pa.int32()),
        ("item", pa.string()),
        ("service", pa.string()),
    ]
)
DISPUTED_SCHEMA = pa.schema([("entry_id", pa.int64())])
CONSENT_SCHEMA = pa.schema(
    [
        ("subject", pa.string()),
        ("source", pa.string()),
        ("granted_at", pa.timestamp("us")),
        ("withdrawn_at", pa.timestamp("us")),
    ]
)

#: The entry columns the feature definitions read; the rest may be absent.
USED_ENTRY_COLUMNS = (
    "entry_id",
    "subject",
    "source",
    "kind",
    "occurred_at",
    "ref",
    "amount",
    "balance",
    "credit_limit",
    "days_late",
)

#: What a caller may pass as entries: an Arrow table or a Parquet file/dataset path.
Entries = pa.Table | str | Path


def _compatible(actual: pa.DataType, wanted: pa.DataType) -> bool:
    """Same logical family: any integer width, any float, any string, any timestamp."""
    checks = (pa.types.is_integer, pa.types.is_floating, pa.types.is_timestamp)
    for check in checks:
        if check(wanted):
            return bool(check(actual)) or pa.types.is_null(actual)
    if pa.types.is_string(wanted):
        return bool(
            pa.types.is_string(actual)
            or pa.types.is_large_string(actual)
            or (pa.types.is_dictionary(actual) and pa.types.is_string(actual.value_type))
            or pa.types.is_null(actual)
        )
    return bool(actual == wanted)


def schema_problems(
    actual: pa.Schema, wanted: pa.Schema, columns: tuple[str, ...], *, what: str
) -> list[Problem]:
    """One problem per needed column that is missing or of an incompatible type."""
    problems = []
    for name in columns:
        expected = str(wanted.field(name).type)
        if name not in actual.names:
            problems.append(
                Problem(
                    f"column '{name}' is missing; add it", where=what, field=name, expected=expected
                )
            )
        elif not _compatible(actual.field(name).type, wanted.field(name).type):
            problems.append(
                Problem(
                    f"column '{name}' has type {actual.field(name).type}; cast it",
                    where=what,
                    field=name,
                    expected=expected,
                )
            )
    return problems


def check_schema(
    actual: pa.Schema, wanted: pa.Schema, columns: tuple[str, ...], *, what: str
) -> None:
    """Raise :class:`InputRejected` naming every missing or mistyped column at once."""
    problems = schema_problems(actual, wanted, columns, what=what)
    if problems:
        raise InputRejected(f"{what} cannot be read for features", problems=problems)


def conform(table: pa.Table, wanted: pa.Schema, *, what: str) -> pa.Table:
    """The table's columns of ``wanted``, cast to exactly those types.

    Both engines then see identical types (e.g. int32 ``days_late`` and
    microsecond timestamps), which is what makes their results comparable.
    """
    check_schema(table.schema, wanted, tuple(wanted.names), what=what)
    return pa.table([table.column(f.name).cast(f.type) for f in wanted], schema=wanted)


def empty_disputed() -> pa.Table:
    return DISPUTED_SCHEMA.empty_table()


def empty_consents() -> pa.Table:
    return CONSENT_SCHEMA.empty_table()
