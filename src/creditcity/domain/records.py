"""Validation of incoming records (file rows and HTTP bodies) against the catalogue.

Written by hand rather than with a pydantic model per row: ingestion must hold
100,000 rows/s, and a flat loop over column lists with one check per field is
several times cheaper than building a model instance per row. It returns
every problem of a row at once so a source can fix a file in one go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pyarrow as pa

from creditcity.domain.catalogue import (
    CATALOGUE,
    FIELD_TYPES,
    ITEMS,
    SERVICE_IDS,
    SOURCE_ROLES,
    FieldType,
)
from creditcity.domain.charter import forbidden_category
from creditcity.domain.subjects import (
    NATIONAL_ID_FORM,
    is_national_id,
    is_pseudonym,
    pseudonymise,
)
from creditcity.errors import Problem

ID_COLUMNS = ("national_id", "subject")
META_COLUMNS = ("source", "idempotency_key", "kind", "occurred_at", "city", "supersedes")
FIELD_COLUMNS = tuple(FIELD_TYPES)
IMPORT_COLUMNS = META_COLUMNS[:2] + ID_COLUMNS + META_COLUMNS[2:] + FIELD_COLUMNS
#: Columns of a validated entry, in the order the ledger stores them.
ENTRY_COLUMNS = (
    "source",
    "idempotency_key",
    "subject",
    "kind",
    "occurred_at",
    "city",
    "supersedes",
    *FIELD_COLUMNS,
)

ENTRY_TYPES = {
    "source": pa.string(),
    "idempotency_key": pa.string(),
    "subject": pa.string(),
    "kind": pa.string(),
    "occurred_at": pa.timestamp("us"),
    "city": pa.string(),
    "supersedes": pa.string(),
    "ref": pa.string(),
    "amount": pa.float64(),
    "balance": pa.float64(),
    "credit_limit": pa.float64(),
    "days_late": pa.int32(),
    "item": pa.string(),
    "service": pa.string(),
}
ENTRY_ARROW_SCHEMA = pa.schema([(c, ENTRY_TYPES[c]) for c in ENTRY_COLUMNS])

MAX_MONEY = 1e12
MAX_DAYS = 36_500
EARLIEST = datetime(1950, 1, 1)
CLOCK_SKEW = timedelta(minutes=5)

_EXPECTED = {
    FieldType.TEXT: "text up to 128 characters",
    FieldType.MONEY: "an amount in yuan >= 0, e.g. 1299.50",
    FieldType.DAYS: "whole days >= 0 (0 = on time)",
    FieldType.ITEM: "one of " + ", ".join(ITEMS),
    FieldType.SERVICE: "one of " + ", ".join(SERVICE_IDS),
}


@dataclass(frozen=True, slots=True)
class ValidatedBatch:
    """The rows of one batch that passed (an Arrow table in ``ENTRY_COLUMNS`` order),
    and the problems of the rest."""

    entries: pa.Table
    rejected_rows: int
    problems: list[Problem]
    #: (local pseudonym, federation pseudonym) of the people named by national ID, when the
    #: city is federated (filled by the import service, not by validation)
    links: tuple[tuple[str, str], ...] = ()


def column_problems(columns: list[str], where: str) -> list[Problem]:
    """File-level check: unknown or charter-forbidden columns reject the whole file."""
    problems = []
    for name in columns:
        if name in IMPORT_COLUMNS:
            continue
        category = forbidden_category(name)
        why = (
            f"column '{name}' marks {category}, which creditcity never holds as a record"
            if category
            else f"unknown column '{name}'"
        )
        problems.append(
            Problem(
                why + "; remove the column",
                where=where,
                field=name,
                expected="columns " + ", ".join(IMPORT_COLUMNS),
            )
        )
    missing = [c for c in ("source", "idempotency_key", "kind", "occurred_at") if c not in columns]
    if not any(c in columns for c in ID_COLUMNS):
        missing.append("national_id")
    problems.extend(
        Problem(f"required column '{c}' is missing", where=where, field=c) for c in missing
    )
    return problems


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text or None


def _money(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ValueError("is not a number") from None
    if not math.isfinite(number) or number < 0 or number > MAX_MONEY:
        raise ValueError("must be a finite amount between 0 and 1e12")
    return round(number, 2)


def _days(value: object) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("must be a whole number of days")
    try:
        number = int(value) if not isinstance(value, str) else int(value.strip())  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise ValueError("is not a whole number") from None
    if number < 0 or number > MAX_DAYS:
        raise ValueError("must be between 0 and 36500 days")
    return number


def parse_when(value: object, now: datetime) -> datetime:
    """ISO date or datetime (naive = UTC), not in the future, not before 1950."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    else:
        when = datetime.fromisoformat(str(value).strip())
    if when.tzinfo is not None:
        when = when.replace(tzinfo=None) - (when.utcoffset() or timedelta(0))
    if when > now + CLOCK_SKEW:
        raise ValueError(f"is in the future ({when.isoformat()} > now {now:%Y-%m-%dT%H:%M})")
    if when < EARLIEST:
        raise ValueError("is before 1950")
    return when


def _field(name: str, raw: object) -> object:
    kind = FIELD_TYPES[name]
    if kind is FieldType.MONEY:
        return _money(raw)
    if kind is FieldType.DAYS:
        return _days(raw)
    text = str(raw).strip()
    if kind is FieldType.ITEM and text not in ITEMS:
        raise ValueError("is not a known item")
    if kind is FieldType.SERVICE and text not in SERVICE_IDS:
        raise ValueError("is not a known service")
    if len(text) > 128:
        raise ValueError("is longer than 128 characters")
    return text


def _subject(national_id: object, subject: object, secret: str) -> str:
    nid = _text(national_id)
    if nid is not None:
        if is_national_id(nid):
            return pseudonymise(nid, secret)
        raise ValueError(f"'{nid[:40]}' is not a national ID")
    pseudo = _text(subject)
    if pseudo is not None and is_pseudonym(pseudo):
        return pseudo
    if pseudo is not None:
        raise ValueError("subject is not a pseudonym ('p_' + 32 hex)")
    raise ValueError("national_id is missing")


# The bulk import's hot path: every check is inlined in one function because a
# call per field costs a measurable share of the import rate (see docs/benchmarks.md).
def validate_row(  # noqa: C901, PLR0915
    get: dict[str, object], where: str, secret: str, now: datetime
) -> tuple[object, ...] | list[Problem]:
    """One row as a ledger tuple (``ENTRY_COLUMNS`` order), or every problem found in it."""
    problems: list[Problem] = []

    def bad(field: str, message: str, expected: str = "") -> None:
        problems.append(Problem(message, where=where, field=field, expected=expected))

    kind_name = _text(get.get("kind"))
    kind = CATALOGUE.get(kind_name or "")
    if kind is None:
        bad(
            "kind",
            f"unknown record kind '{kind_name}'" if kind_name else "is missing",
            "a kind of the record catalogue, e.g. loan_instalment_paid",
        )
    source = _text(get.get("source"))
    role, _, name = (source or "").partition(":")
    if not source or not name or role not in SOURCE_ROLES:
        bad(
            "source",
            f"'{source}' is not a known source" if source else "is missing",
            "role:name with role one of " + ", ".join(SOURCE_ROLES),
        )
    elif kind is not None and role not in kind.sources:
        bad(
            "source",
            f"a {role} may not submit '{kind.name}' records",
            "one of roles " + ", ".join(kind.sources),
        )
    key = _text(get.get("idempotency_key"))
    if key is None or len(key) > 128:
        bad(
            "idempotency_key",
            "is missing" if key is None else "is longer than 128 characters",
            "a key unique per source, up to 128 characters",
        )
    try:
        subject = _subject(get.get("national_id"), get.get("subject"), secret)
    except ValueError as error:
        subject = ""
        bad("national_id", str(error), NATIONAL_ID_FORM)
    occurred: datetime | None = None
    raw_when = get.get("occurred_at")
    if _text(raw_when) is None:
        bad("occurred_at", "is missing", "an ISO date such as 2026-03-01")
    else:
        try:
            occurred = parse_when(raw_when, now)
        except (ValueError, TypeError) as error:
            known = "future" in str(error) or "1950" in str(error)
            bad(
                "occurred_at",
                f"'{raw_when}' " + (str(error) if known else "is not a date"),
                "an ISO date (2026-03-01) or datetime (2026-03-01T09:30:00), not in the future",
            )
    values: dict[str, object] = {}
    for field in FIELD_COLUMNS:
        raw = get.get(field)
        if _text(raw) is None:
            if kind is not None and field in kind.required:
                bad(field, f"is required for '{kind.name}' records", _EXPECTED[FIELD_TYPES[field]])
            values[field] = None
            continue
        if kind is not None and field not in kind.fields:
            bad(field, f"'{kind.name}' records have no field '{field}'; leave it empty")
            continue
        try:
            values[field] = _field(field, raw)
        except ValueError as error:
            bad(field, f"'{raw}' {error}", _EXPECTED[FIELD_TYPES[field]])
    supersedes = _text(get.get("supersedes"))
    if kind is not None and kind.name == "retraction" and supersedes is None:
        bad("supersedes", "a retraction must name the idempotency key it withdraws")
    if problems or kind is None:
        return problems
    city = _text(get.get("city"))
    return (
        source,
        key,
        subject,
        kind.name,
        occurred,
        city,
        supersedes,
        *(values[f] for f in FIELD_COLUMNS),
    )


def entries_from_rows(rows: list[tuple[object, ...]], schema: pa.Schema) -> pa.Table:
    """Validated row tuples as an Arrow table of the ledger's entry schema."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    return pa.table(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def validate_batch(
    columns: dict[str, list[object]],
    row_numbers: list[int],
    where: str,
    secret: str,
    now: datetime,
) -> ValidatedBatch:
    """Validate a batch of text rows (CSV, JSON Lines) one row at a time."""
    names = [n for n in IMPORT_COLUMNS if n in columns]
    lists = [columns[n] for n in names]
    rows: list[tuple[object, ...]] = []
    problems: list[Problem] = []
    rejected = 0
    for index, values in enumerate(zip(*lists, strict=True)):
        outcome = validate_row(
            dict(zip(names, values, strict=True)), f"{where} row {row_numbers[index]}", secret, now
        )
        if isinstance(outcome, list):
            rejected += 1
            problems.extend(outcome)
        else:
            rows.append(outcome)
    return ValidatedBatch(entries_from_rows(rows, ENTRY_ARROW_SCHEMA), rejected, problems)
