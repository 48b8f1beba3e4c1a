"""Hand-built ledger entries for feature tests: one call per record, days as offsets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa

from creditcity.features import (
    CONSENT_SCHEMA,
    DISPUTED_SCHEMA,
    ENTRY_SCHEMA,
    compute_features,
    empty_consents,
    empty_disputed,
)

AS_OF = date(2026, 6, 30)
ALICE = "p_" + "a" * 32
BOB = "p_" + "b" * 32
CAROL = "p_" + "c" * 32

_SOURCES = {
    "loan": "bank:west-lake",
    "card_statement": "bank:west-lake",
    "utility_bill": "utility:grid",
    "telecom_bill": "telecom:mobile",
    "rent_payment": "landlord_platform:homes",
    "tax": "tax_office:city",
    "traffic": "traffic_police:city",
    "court": "court:city",
    "judgment": "court:city",
    "proven_fraud": "court:city",
    "credential": "university_registry:zju",
    "licence": "licensing_body:bar",
    "borrowing": "bike_operator:hellobike",
    "deposit": "creditcity:city",
    "pay": "clinic:first",
    "investment": "broker:east",
    "monthly": "bank:west-lake",
}


def source_for(kind: str) -> str:
    return next(s for prefix, s in _SOURCES.items() if kind.startswith(prefix))


def at(days_before: int, *, as_of: date = AS_OF) -> datetime:
    """Noon, ``days_before`` days before the as-of date (negative: after it)."""
    return datetime.combine(as_of, datetime.min.time()) + timedelta(days=-days_before, hours=12)


def entry(subject: str, kind: str, days_before: int, **fields: Any) -> dict[str, Any]:
    """One live entry; ``entry_id`` is assigned by :func:`table` in order of the list."""
    row: dict[str, Any] = {
        "subject": subject,
        "source": fields.pop("source", source_for(kind)),
        "kind": kind,
        "occurred_at": at(days_before),
        "received_at": at(days_before),
        "city": "hangzhou",
        "ref": fields.pop("ref", f"{kind}-{days_before}"),
        "amount": 100.0,
    }
    row.update(fields)
    return row


def table(rows: Sequence[dict[str, Any]], *, first_id: int = 1) -> pa.Table:
    numbered = [{"entry_id": first_id + i, **row} for i, row in enumerate(rows)]
    return pa.Table.from_pylist(numbered, schema=ENTRY_SCHEMA)


def consents(pairs: Iterable[tuple[str, str, int, int | None]]) -> pa.Table:
    """(subject, source, granted days before as-of, withdrawn days before as-of or None)."""
    rows = [
        {
            "subject": subject,
            "source": source,
            "granted_at": at(granted),
            "withdrawn_at": None if withdrawn is None else at(withdrawn),
        }
        for subject, source, granted, withdrawn in pairs
    ]
    return pa.Table.from_pylist(rows, schema=CONSENT_SCHEMA)


def disputed(ids: Iterable[int]) -> pa.Table:
    return pa.table({"entry_id": pa.array(list(ids), pa.int64())}, schema=DISPUTED_SCHEMA)


def features(
    rows: Sequence[dict[str, Any]] | pa.Table,
    *,
    as_of: date = AS_OF,
    disputes: pa.Table | None = None,
    consent: pa.Table | None = None,
) -> dict[str, dict[str, Any]]:
    """DuckDB features by subject, as plain dicts."""
    entries = rows if isinstance(rows, pa.Table) else table(rows)
    result = compute_features(
        entries,
        as_of=as_of,
        disputed=disputes if disputes is not None else empty_disputed(),
        consents=consent if consent is not None else empty_consents(),
    )
    return {row.pop("subject"): row for row in result.to_pylist()}


def one(rows: Sequence[dict[str, Any]], subject: str = ALICE, **kwargs: Any) -> dict[str, Any]:
    return features(rows, **kwargs)[subject]
