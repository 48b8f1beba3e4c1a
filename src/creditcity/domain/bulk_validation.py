"""Vectorised validation of a columnar (Arrow) batch, for bulk imports.

Every rule of :func:`creditcity.domain.records.validate_row` is applied here
as a column operation to find the rows that pass; only the rows that fail go
through ``validate_row`` again, to get their messages. A property test holds
the two to the same verdict on every row. This is what lets a Parquet import
run at the speed of the database rather than of a Python loop.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from creditcity.domain.catalogue import CATALOGUE, FIELD_TYPES, ITEMS, SERVICE_IDS, FieldType
from creditcity.domain.records import (
    CLOCK_SKEW,
    EARLIEST,
    ENTRY_ARROW_SCHEMA,
    ENTRY_COLUMNS,
    ENTRY_TYPES,
    FIELD_COLUMNS,
    MAX_DAYS,
    MAX_MONEY,
    ValidatedBatch,
    entries_from_rows,
    validate_row,
)
from creditcity.domain.subjects import PSEUDONYM_PREFIX

_KIND_ROLE = pa.array(sorted(f"{k.name}|{r}" for k in CATALOGUE.values() for r in k.sources))
_NATIONAL_ID = r"^[0-9A-Za-z][0-9A-Za-z-]{4,31}$"
_PSEUDONYM = r"^p_[0-9a-f]{32}$"
_NUMERIC = {FieldType.MONEY, FieldType.DAYS}


def _kinds_where(pred: object) -> pa.Array:
    return pa.array(sorted(k.name for k in CATALOGUE.values() if pred(k)), pa.string())  # type: ignore[operator]


def _text_ok(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.and_kleene(
        pc.is_valid(col), pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0)
    )


def _present(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return _text_ok(col)
    if pa.types.is_floating(col.type):
        return pc.and_kleene(pc.is_valid(col), pc.invert(pc.is_nan(col)))
    return pc.is_valid(col)


def _field_ok(name: str, col: pa.ChunkedArray | pa.Array) -> pa.Array | None:
    """Mask of acceptable values, or None when the column's type needs the row path."""
    kind = FIELD_TYPES[name]
    if kind in _NUMERIC:
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
            return None
        upper = MAX_MONEY if kind is FieldType.MONEY else MAX_DAYS
        ok = pc.and_kleene(pc.greater_equal(col, 0), pc.less_equal(col, upper))
        if kind is FieldType.DAYS and pa.types.is_floating(col.type):
            ok = pc.and_kleene(ok, pc.equal(pc.floor(col), col))
        return pc.fill_null(ok, True)
    if not pa.types.is_string(col.type):
        return None
    # is_in answers False (not null) for a null, so absent values are let through explicitly
    if kind is FieldType.ITEM:
        return pc.or_kleene(pc.is_null(col), pc.is_in(col, pa.array(ITEMS)))
    if kind is FieldType.SERVICE:
        return pc.or_kleene(pc.is_null(col), pc.is_in(col, pa.array(SERVICE_IDS)))
    return pc.fill_null(pc.less_equal(pc.utf8_length(col), 128), True)


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return table.column(name)
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def _when_ok(col: pa.ChunkedArray, now: datetime) -> pa.Array | None:
    if not pa.types.is_timestamp(col.type) or col.type.tz is not None:
        return None
    col = col.cast(pa.timestamp("us"))
    latest = pa.scalar(now + CLOCK_SKEW, pa.timestamp("us"))
    return pc.and_kleene(
        pc.is_valid(col),
        pc.and_kleene(
            pc.less_equal(col, latest), pc.greater_equal(col, pa.scalar(EARLIEST, col.type))
        ),
    )


def passing_rows(table: pa.Table, now: datetime) -> pa.Array | None:
    """Mask of rows that pass every rule, or None if a column's type needs the row path."""
    kind, source = _column(table, "kind"), _column(table, "source")
    role = pc.list_element(pc.split_pattern(source, ":", max_splits=1), 0)
    name_ok = pc.match_substring_regex(source, r"^[^:]+:.*\S")
    pair = pc.binary_join_element_wise(kind, role, "|")
    ok = pc.and_kleene(pc.is_in(pair, _KIND_ROLE), name_ok)
    key = _column(table, "idempotency_key")
    ok = pc.and_kleene(ok, pc.and_kleene(_text_ok(key), pc.less_equal(pc.utf8_length(key), 128)))
    national, pseudo = _column(table, "national_id"), _column(table, "subject")
    ok = pc.and_kleene(
        ok,
        pc.if_else(
            pc.is_valid(national),
            pc.match_substring_regex(national, _NATIONAL_ID),
            pc.match_substring_regex(pseudo, _PSEUDONYM),
        ),
    )
    when = _when_ok(_column(table, "occurred_at"), now)
    if when is None:
        return None
    ok = pc.and_kleene(ok, when)
    for field in FIELD_COLUMNS:
        col = _column(table, field)
        if col.null_count == table.num_rows:
            present = pa.array([False] * table.num_rows)
        else:
            values_ok = _field_ok(field, col)
            if values_ok is None:
                return None
            present = _present(col)
            ok = pc.and_kleene(ok, values_ok)
            uses = pc.is_in(kind, _kinds_where(lambda k, f=field: f in k.fields))
            ok = pc.and_kleene(ok, pc.or_kleene(pc.invert(present), uses))
        needs = pc.is_in(kind, _kinds_where(lambda k, f=field: f in k.required))
        ok = pc.and_kleene(ok, pc.or_kleene(pc.invert(needs), present))
    is_retraction = pc.equal(kind, "retraction")
    ok = pc.and_kleene(
        ok, pc.or_kleene(pc.invert(is_retraction), _text_ok(_column(table, "supersedes")))
    )
    return pc.fill_null(ok, False)


def _pseudonyms(national: pa.ChunkedArray, pseudo: pa.ChunkedArray, secret: str) -> pa.Array:
    """HMAC each distinct national ID once; a batch repeats people many times."""
    key = secret.encode()
    ids = pc.utf8_trim_whitespace(national)
    distinct = pc.unique(ids).drop_null()
    hashed = [
        PSEUDONYM_PREFIX + hmac.digest(key, value.encode(), "sha256").hex()[:32]
        for value in distinct.to_pylist()
    ]
    positions = pc.index_in(ids, distinct)
    mapped = pc.take(pa.array(hashed, pa.string()), positions)
    return pc.coalesce(mapped, pc.utf8_trim_whitespace(pseudo))


def _entry_table(good: pa.Table, secret: str) -> pa.Table:
    columns = {}
    for name in ENTRY_COLUMNS:
        if name == "subject":
            col = _pseudonyms(_column(good, "national_id"), _column(good, "subject"), secret)
        else:
            col = _column(good, name)
        if name in FIELD_TYPES and FIELD_TYPES[name] is FieldType.MONEY:
            col = pc.round(col.cast(pa.float64()), 2)
        elif pa.types.is_string(col.type):
            col = pc.if_else(
                _present(col), pc.utf8_trim_whitespace(col), pa.scalar(None, pa.string())
            )
        columns[name] = col.cast(ENTRY_TYPES[name])
    return pa.table(columns, schema=ENTRY_ARROW_SCHEMA)


def validate_arrow(
    table: pa.Table, first_row: int, where: str, secret: str, now: datetime
) -> ValidatedBatch | None:
    """Validate an Arrow batch; None means its column types need the row-by-row path."""
    mask = passing_rows(table, now)
    if mask is None:
        return None
    good = _entry_table(table.filter(mask), secret)
    bad_positions = pc.indices_nonzero(pc.invert(mask)).to_pylist()
    problems, rescued = [], []
    for position in bad_positions:
        row = table.slice(position, 1).to_pylist()[0]
        outcome = validate_row(row, f"{where} row {first_row + position}", secret, now)
        if isinstance(outcome, list):
            problems.extend(outcome)
        else:  # never drop a row the row-by-row rules accept
            rescued.append(outcome)
    if rescued:
        good = pa.concat_tables([good, entries_from_rows(rescued, ENTRY_ARROW_SCHEMA)])
    return ValidatedBatch(good, len(bad_positions) - len(rescued), problems)
