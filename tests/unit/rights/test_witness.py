"""A chain checked against witnessed checkpoints: a rewrite after one is found, even rehashed."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from creditcity.rights.audit_chain import AuditEvent, seal_all
from creditcity.rights.witness import Checkpoint, verify_witnessed


def _events(n: int) -> list[AuditEvent]:
    return [
        AuditEvent(
            seq=i,
            at="2026-12-01T10:00:00.000000+00:00",
            actor="a",
            role="operator",
            purpose="p",
            action="x",
            detail={"i": i},
        )
        for i in range(1, n + 1)
    ]


@given(size=st.integers(2, 40), witnessed=st.integers(1, 40), edited=st.integers(1, 40))
def test_a_rehashed_rewrite_is_found_exactly_when_it_is_at_or_before_a_checkpoint(
    size: int, witnessed: int, edited: int
) -> None:
    witnessed, edited = min(witnessed, size), min(edited, size)
    rows = seal_all(_events(size))
    checkpoint = Checkpoint(witnessed, rows[witnessed - 1].hash, "2026-12-01", "suzhou")
    events = _events(size)
    events[edited - 1] = replace(events[edited - 1], purpose="rewritten")
    rewritten = seal_all(events)  # rehashed: the chain alone is intact again
    report = verify_witnessed(rewritten, [checkpoint])
    assert report.chain.intact
    assert report.intact is (edited > witnessed)
    if not report.intact:
        assert "suzhou witnessed" in report.reason and "rewritten" in report.reason


def test_rows_deleted_past_a_checkpoint_are_found() -> None:
    rows = seal_all(_events(10))
    report = verify_witnessed(rows[:5], [Checkpoint(8, rows[7].hash, "t", "suzhou")])
    assert not report.intact and "deleted" in report.reason
