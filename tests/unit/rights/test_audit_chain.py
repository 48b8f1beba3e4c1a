"""The audit hash chain: every chain built by sealing verifies, and every tampering is named."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcity.errors import InputRejected, VerificationFailed
from creditcity.rights.audit_chain import (
    GENESIS_HASH,
    AuditEvent,
    AuditRow,
    Break,
    ChainAnchor,
    canonical,
    ensure_intact,
    link,
    seal,
    seal_all,
    verify_chain,
)

text = st.text(max_size=12)
json_scalar = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | text
detail = st.dictionaries(st.text(max_size=6), json_scalar, max_size=3)


@st.composite
def chains(draw: st.DrawFn, min_size: int = 1) -> list[AuditRow]:
    n = draw(st.integers(min_size, 7))
    events = [
        AuditEvent(
            seq=i + 1,
            at=f"2024-03-01T10:00:{i:02d}.000000+00:00",
            actor=draw(text),
            role=draw(st.sampled_from(["resident", "provider", "operator", "source"])),
            purpose=draw(text),
            action=draw(st.sampled_from(["read", "write", "issue"])),
            subject=draw(st.sampled_from(["", "p_" + "a" * 32])),
            detail=draw(detail),
        )
        for i in range(n)
    ]
    return seal_all(events)


def _event(seq: int, **changes: Any) -> AuditEvent:
    base = AuditEvent(
        seq=seq,
        at="2024-03-01T10:00:00.000000+00:00",
        actor="op:li",
        role="operator",
        purpose="dispute review",
        action="read",
        subject="p_" + "b" * 32,
        detail={"record": 7},
    )
    return dataclasses.replace(base, **changes)


def _different(draw: st.DrawFn, value: Any) -> Any:
    """A value of the same type as ``value`` that differs from it."""
    if isinstance(value, int):
        return draw(st.integers(-5, 50).filter(lambda v: v != value))
    if isinstance(value, str):
        return draw(st.text(min_size=1, max_size=70).filter(lambda v: v != value))
    return draw(detail.filter(lambda v: v != value))


def test_the_hash_is_sha256_of_the_canonical_json_and_the_previous_hash() -> None:
    event = _event(1, detail={"b": 2, "a": "é"})
    body = (
        '{"action":"read","actor":"op:li","at":"2024-03-01T10:00:00.000000+00:00",'
        '"detail":{"a":"é","b":2},"purpose":"dispute review","role":"operator",'
        f'"seq":1,"subject":"p_{"b" * 32}"}}'
    )
    assert canonical(event) == body.encode()
    expected = hashlib.sha256(body.encode() + GENESIS_HASH.encode()).hexdigest()
    assert link(GENESIS_HASH, event) == expected
    assert seal(None, event).hash == expected


def test_sealing_refuses_a_seq_that_does_not_follow_the_head() -> None:
    first = seal(None, _event(1))
    with pytest.raises(InputRejected, match="out of sequence"):
        seal(first, _event(3))
    with pytest.raises(InputRejected, match="out of sequence"):
        seal(None, _event(2))


def test_detail_that_is_not_plain_json_is_rejected() -> None:
    with pytest.raises(InputRejected, match="not plain JSON"):
        seal(None, _event(1, detail={"when": datetime(2024, 1, 1)}))
    with pytest.raises(InputRejected, match="not plain JSON"):
        seal(None, _event(1, detail={"x": float("nan")}))


def test_timestamps_are_spelled_one_way_and_must_be_aware() -> None:
    moment = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert AuditEvent.timestamp(moment) == "2024-03-01T10:00:00.000000+00:00"
    with pytest.raises(InputRejected, match="time zone"):
        AuditEvent.timestamp(datetime(2024, 3, 1, 10, 0))


def test_an_empty_chain_is_intact_with_the_genesis_head() -> None:
    report = verify_chain([])
    assert report.intact and report.count == 0 and report.head == GENESIS_HASH


def test_rows_survive_a_round_trip_through_a_database_mapping_with_json_detail() -> None:
    rows = seal_all([_event(1), _event(2, detail={"z": [1, 2], "a": None})])
    stored = [{**r.as_record(), "detail": json.dumps(r.as_record()["detail"])} for r in rows]
    assert verify_chain(AuditRow.from_record(s) for s in stored).intact


@settings(max_examples=60, deadline=None)
@given(chains())
def test_any_chain_built_by_sealing_verifies(rows: list[AuditRow]) -> None:
    report = verify_chain(rows)
    assert report.intact, report.reason
    assert report.count == len(rows)
    assert report.head == rows[-1].hash
    assert ensure_intact(rows, anchor=ChainAnchor(len(rows), rows[-1].hash)).intact


@settings(max_examples=120, deadline=None)
@given(chains(), st.data())
def test_editing_any_field_of_any_row_is_named_at_that_row(
    rows: list[AuditRow], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(rows) - 1))
    record = rows[index].as_record()
    column = data.draw(st.sampled_from(sorted(record)))
    record[column] = _different(data.draw, record[column])
    rows[index] = AuditRow.from_record(record)
    report = verify_chain(rows)
    assert not report.intact
    assert report.first_broken_seq == index + 1
    assert report.kind is Break.EDITED
    assert report.count == index


@settings(max_examples=80, deadline=None)
@given(chains(min_size=2), st.data())
def test_deleting_any_row_but_the_newest_is_named_at_that_row(
    rows: list[AuditRow], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(rows) - 2))
    del rows[index]
    report = verify_chain(rows)
    assert (report.intact, report.first_broken_seq, report.kind) == (
        False,
        index + 1,
        Break.DELETED,
    )


@settings(max_examples=80, deadline=None)
@given(chains(), st.data())
def test_deleting_any_row_is_caught_against_the_published_anchor(
    rows: list[AuditRow], data: st.DataObject
) -> None:
    anchor = ChainAnchor(len(rows), rows[-1].hash)
    index = data.draw(st.integers(0, len(rows) - 1))
    del rows[index]
    report = verify_chain(rows, anchor=anchor)
    assert (report.intact, report.first_broken_seq, report.kind) == (
        False,
        index + 1,
        Break.DELETED,
    )


@settings(max_examples=80, deadline=None)
@given(chains(min_size=2), st.data())
def test_swapping_any_two_rows_is_named_at_the_first_of_them(
    rows: list[AuditRow], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    rows[i], rows[j] = rows[j], rows[i]
    report = verify_chain(rows)
    assert (report.intact, report.first_broken_seq, report.kind) == (False, i + 1, Break.REORDERED)


def test_a_repeated_row_is_named_as_a_duplicate() -> None:
    rows = seal_all(_event(s) for s in (1, 2, 3))
    report = verify_chain([rows[0], rows[1], rows[1], rows[2]])
    assert (report.first_broken_seq, report.kind) == (3, Break.DUPLICATED)


def test_a_row_rewritten_and_rehashed_breaks_the_link_of_the_next_row() -> None:
    rows = seal_all(_event(s) for s in (1, 2, 3))
    forged = seal(rows[0], _event(2, purpose="nothing to see"))
    report = verify_chain([rows[0], forged, rows[2]])
    assert (report.first_broken_seq, report.kind) == (3, Break.RELINKED)
    assert "rehashed" in report.reason


def test_a_chain_rewritten_wholesale_is_caught_only_by_the_anchor() -> None:
    rows = seal_all(_event(s) for s in (1, 2, 3))
    anchor = ChainAnchor(3, rows[-1].hash)
    forged = seal_all([rows[0].event, _event(2, purpose="forged"), rows[2].event])
    assert verify_chain(forged).intact
    report = verify_chain(forged, anchor=anchor)
    assert (report.intact, report.first_broken_seq, report.kind) == (False, 3, Break.REWRITTEN)


def test_ensure_intact_raises_with_the_seq_and_the_reason() -> None:
    rows = seal_all(_event(s) for s in (1, 2, 3))
    with pytest.raises(VerificationFailed, match="audit chain is broken") as caught:
        ensure_intact([rows[0], rows[2]])
    assert caught.value.problems[0].where == "audit seq 2"
    assert "seq 2 missing" in caught.value.problems[0].message
