"""Statements run through the driver store and return what ``Connection.execute`` would.

The hot path's writes and reads skip SQLAlchemy's per-execution machinery
(:mod:`creditcity.ledger.driver_statements`); these tests hold them to
SQLAlchemy's own results, on both stores: the rows written read back the same
(dates, JSON, booleans, money), the rows read are the same values of the same
types, lists of any length select what ``IN`` selects, and the driver's errors
arrive as SQLAlchemy's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from creditcity.ledger.decisions import (
    _DECISION_INSERT,
    _EXPOSURE_OF_MANY,
    _SUBJECT_INSERT,
    decision_writes,
)
from creditcity.ledger.driver_statements import read_rows, write_rows, write_together
from creditcity.ledger.guards import kept_answer_writes, stored_answers
from creditcity.ledger.tables import decisions, idempotency_keys, subjects

_BY_SUBJECTS = (
    select(decisions)
    .where(decisions.c.subject.in_(bindparam("subjects", expanding=True)))
    .order_by(decisions.c.decision_id)
)

_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
_subject = st.sampled_from([f"p_{i:032x}" for i in range(6)])
_money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False).map(float)
_reasons = st.lists(
    st.fixed_dictionaries({"code": st.sampled_from(["PH-LATE", "THIN"]), "text": _text}),
    max_size=3,
)
_rows = st.lists(
    st.fixed_dictionaries(
        {
            "subject": _subject,
            "service": st.sampled_from(["bike_deposit", "pay_later_clinic"]),
            "amount": _money,
            "purpose": _text.filter(bool).map(lambda t: t[:20]),
            "requested_by": st.just("bike_operator:test"),
            "decided_at": st.datetimes(
                min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)
            ),
            "approved": st.booleans(),
            "waived_amount": _money,
            "credit_line": _money,
            "tier": st.sampled_from(["good", "fair", None]),
            "score": st.none() | st.integers(300, 950),
            "reasons": _reasons,
            "restrictions": st.just([]),
            "model_version": st.none() | st.just("m1"),
            "policy_version": st.just("p1"),
        }
    ),
    min_size=1,
    max_size=12,
)


def _numbered(rows: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    return [{**row, "decision_id": f"{tag}{i:04d}"} for i, row in enumerate(rows)]


def _fresh(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(decisions))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=_rows, asked=st.lists(_subject, min_size=1, max_size=8))
def test_written_and_read_rows_match_sqlalchemys(
    engine: Engine, rows: list[dict[str, Any]], asked: list[str]
) -> None:
    _fresh(engine)
    with engine.begin() as conn:
        write_rows(conn, _DECISION_INSERT, _numbered(rows, "d"))
        conn.execute(insert(decisions), _numbered(rows, "s"))
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(decisions).order_by("decision_id"))]
        params = {"subjects": asked}
        assert read_rows(conn, _BY_SUBJECTS, params) == [
            tuple(r) for r in conn.execute(_BY_SUBJECTS, params)
        ]
        exposure = read_rows(conn, _EXPOSURE_OF_MANY, params)
        assert sorted(exposure) == sorted(tuple(r) for r in conn.execute(_EXPOSURE_OF_MANY, params))
    by_id = {row[0]: row[1:] for row in stored}
    for i in range(len(rows)):
        assert by_id[f"d{i:04d}"] == by_id[f"s{i:04d}"]  # the same stored values and types
    read_back = {row[0]: row for row in stored}
    first = read_back["d0000"]
    assert isinstance(first[decisions.c.keys().index("decided_at")], datetime)


def test_a_list_of_any_length_selects_what_in_selects(engine: Engine) -> None:
    _fresh(engine)
    start = datetime(2026, 1, 1)
    rows = [
        {
            "decision_id": f"x{i:03d}",
            "subject": f"p_{i:032x}",
            "service": "bike_deposit",
            "amount": 10.0,
            "purpose": "ride",
            "requested_by": "bike_operator:test",
            "decided_at": start + timedelta(seconds=i),
            "approved": True,
            "waived_amount": 10.0,
            "credit_line": 0.0,
            "reasons": [],
            "restrictions": [],
            "policy_version": "p1",
        }
        for i in range(70)
    ]
    with engine.begin() as conn:
        write_rows(conn, _DECISION_INSERT, rows)
    with engine.connect() as conn:
        for size in (1, 2, 7, 64, 70):
            asked = [r["subject"] for r in rows[:size]]
            found = read_rows(conn, _BY_SUBJECTS, {"subjects": asked})
            assert [r[0] for r in found] == [f"x{i:03d}" for i in range(size)]
        assert read_rows(conn, _BY_SUBJECTS, {"subjects": []}) == []


def test_a_driver_error_is_sqlalchemys_error(engine: Engine) -> None:
    _fresh(engine)
    row = {
        "decision_id": "dup",
        "subject": "p_" + "0" * 32,
        "service": "bike_deposit",
        "amount": 1.0,
        "purpose": "ride",
        "requested_by": "bike_operator:test",
        "decided_at": datetime(2026, 1, 1),
        "approved": False,
        "waived_amount": 0.0,
        "credit_line": 0.0,
        "reasons": [],
        "restrictions": [],
        "policy_version": "p1",
    }
    with engine.begin() as conn:
        write_rows(conn, _DECISION_INSERT, [row])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        write_rows(conn, _DECISION_INSERT, [row])
    with engine.connect() as conn:
        assert len(read_rows(conn, _BY_SUBJECTS, {"subjects": [row["subject"]]})) == 1


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=_rows, answers=st.lists(st.dictionaries(st.sampled_from("abc"), _text), max_size=4))
def test_writes_together_store_what_each_stores_alone(
    engine: Engine, rows: list[dict[str, Any]], answers: list[dict[str, str]]
) -> None:
    """Decisions, kept answers and first-seen people in one statement (PostgreSQL) or in
    turn (SQLite): the tables read back as if each insert had run alone."""
    at = datetime(2026, 3, 1, 12, 30, 15, 250)
    with engine.begin() as conn:
        for table in (decisions, idempotency_keys, subjects):
            conn.execute(delete(table))
    kept = [("bike_operator:test", f"key-{i}", "f" * 64, a) for i, a in enumerate(answers)]
    people = sorted({r["subject"] for r in rows})
    with engine.begin() as conn:
        write_together(
            conn,
            [
                *decision_writes(_numbered(rows, "t")),
                *kept_answer_writes(kept, at=at),
                (
                    _SUBJECT_INSERT[conn.dialect.name],
                    [{"subject": p, "home_city": "hangzhou", "first_seen_at": at} for p in people],
                ),
            ],
        )
        again = _SUBJECT_INSERT[conn.dialect.name]
        write_together(
            conn, [(again, [{"subject": people[0], "home_city": "x", "first_seen_at": at}])]
        )
    with engine.connect() as conn:
        stored = {r[0]: tuple(r[1:]) for r in conn.execute(select(decisions))}
        columns = [c.key for c in decisions.c if c.key != "decision_id"]
        expected = [_expected(conn, row) for row in rows]
        assert stored == {
            f"t{i:04d}": tuple(values[c] for c in columns) for i, values in enumerate(expected)
        }
        found = stored_answers(conn, [("bike_operator:test", k) for _, k, _, _ in kept])
        assert {k: v.response for (_, k), v in found.items()} == {
            key: answer for _, key, _, answer in kept
        }
        seen = sorted(tuple(r) for r in conn.execute(select(subjects)))
        assert seen == [(p, "hangzhou", at) for p in people]  # a known person is kept as was


def _expected(conn: Any, row: dict[str, Any]) -> dict[str, Any]:
    """The row as SQLAlchemy's own insert stores and reads it back."""
    with conn.begin_nested() as nested:
        conn.execute(insert(decisions), [{**row, "decision_id": "probe"}])
        back = conn.execute(select(decisions).where(decisions.c.decision_id == "probe")).one()
        nested.rollback()
    return dict(back._mapping)
