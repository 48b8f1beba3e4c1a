"""The vectorised validator and the row validator must agree on every row."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.files import TYPES
from tests.support.strategies import valid_row

from creditcity.domain.bulk_validation import passing_rows, validate_arrow
from creditcity.domain.records import validate_row

NOW = datetime(2026, 6, 1)
SECRET = "unit-test-secret"

breakages: list[tuple[str, Any]] = [
    ("kind", "loan_bogus"),
    ("amount", -3.0),
    ("days_late", -1),
    ("source", "bank"),
    ("source", "court:x"),
    ("national_id", "x!"),
    ("idempotency_key", None),
    ("occurred_at", NOW + timedelta(days=3)),
    ("item", "car"),
    ("service", "spa"),
    ("ref", None),
    ("balance", 12.0),
    ("idempotency_key", "k" * 200),
]


@st.composite
def maybe_broken_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for i in range(draw(st.integers(1, 12))):
        row = draw(valid_row(f"k{i}"))
        for field, value in draw(st.lists(st.sampled_from(breakages), max_size=2)):
            row[field] = value
        rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    columns = sorted({c for r in rows for c in r})
    return pa.table(
        {c: pa.array([r.get(c) for r in rows], TYPES.get(c, pa.string())) for c in columns}
    )


@settings(max_examples=150, deadline=None)
@given(rows=maybe_broken_rows())
def test_the_vectorised_validator_accepts_exactly_the_rows_the_row_validator_accepts(
    rows: list[dict[str, Any]],
) -> None:
    table = _table(rows)
    bulk = validate_arrow(table, 1, "f.parquet", SECRET, NOW)
    assert bulk is not None
    by_row = [validate_row(r, "f", SECRET, NOW) for r in table.to_pylist()]
    accepted = [r for r in by_row if not isinstance(r, list)]
    assert bulk.entries.num_rows == len(accepted)
    assert bulk.rejected_rows == len(rows) - len(accepted)
    assert sorted(map(str, bulk.entries.to_pylist())) == sorted(
        str(dict(zip(bulk.entries.column_names, r, strict=True))) for r in accepted
    )


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(valid_row("k"), min_size=1, max_size=20))
def test_valid_rows_of_mixed_kinds_all_pass_the_vectorised_rules_without_the_row_path(
    rows: list[dict[str, Any]],
) -> None:
    mask = passing_rows(_table(rows), NOW)
    assert mask is not None and all(mask.to_pylist())


def test_a_rejected_row_is_named_by_its_row_number_and_field() -> None:
    rows = [
        {
            "source": "bank:b",
            "idempotency_key": "a",
            "national_id": "330100000000000001",
            "kind": "loan_opened",
            "occurred_at": datetime(2024, 1, 1),
            "ref": "L",
            "amount": 5.0,
        },
        {
            "source": "bank:b",
            "idempotency_key": "b",
            "national_id": "330100000000000001",
            "kind": "loan_opened",
            "occurred_at": datetime(2024, 1, 1),
            "ref": "L",
            "amount": -5.0,
        },
    ]
    bulk = validate_arrow(_table(rows), 41, "f.parquet", SECRET, NOW)
    assert bulk is not None and bulk.rejected_rows == 1
    assert [(p.where, p.field) for p in bulk.problems] == [("f.parquet row 42", "amount")]


def test_an_amount_too_large_for_a_float_is_a_row_error_not_a_crash() -> None:
    row = {
        "source": "bank:b",
        "idempotency_key": "a",
        "national_id": "330100000000000001",
        "kind": "loan_opened",
        "occurred_at": "2024-01-01",
        "ref": "L",
        "amount": 10**400,
    }
    outcome = validate_row(row, "f row 2", SECRET, NOW)
    assert isinstance(outcome, list)
    assert [(p.field, "not a number" in p.message) for p in outcome] == [("amount", True)]
