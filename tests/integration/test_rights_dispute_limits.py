"""Dispute limits per person: open at once, per month, and a bulk queued for review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from tests.support.rights import SUBJECT, add, record

from creditcity.config import Settings
from creditcity.errors import TooMany
from creditcity.ledger import disputes as store
from creditcity.ledger.exclusions import pending_disputed_entry_ids
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.disputes import open_dispute, resolve_dispute, sweep, utc_now

LIMITS = Settings(dispute_max_open=3, dispute_max_per_month=4, dispute_bulk_after=2)


def _late_records(engine: Engine, n: int) -> list[int]:
    return add(
        engine,
        *(
            record(
                f"late-{i}",
                "loan_instalment_paid",
                "2026-02-05",
                ref=f"L{i}",
                amount=100,
                days_late=45,
            )
            for i in range(n)
        ),
    )


def _pending(engine: Engine) -> set[int]:
    with UnitOfWork(engine) as uow:
        return pending_disputed_entry_ids(uow.conn, SUBJECT)


def test_a_bulk_of_disputes_is_queued_for_review_and_its_records_keep_counting(
    engine: Engine,
) -> None:
    ids = _late_records(engine, 3)
    opened = [open_dispute(engine, SUBJECT, i, "not late", settings=LIMITS) for i in ids]
    assert [d.status for d in opened] == ["pending", "pending", "review"]
    assert _pending(engine) == set(ids[:2]), "a queued dispute does not stop its record counting"


def test_the_deadline_upholds_pending_disputes_but_never_queued_ones(engine: Engine) -> None:
    ids = _late_records(engine, 3)
    start = utc_now() - timedelta(days=40)
    for i in ids:
        open_dispute(engine, SUBJECT, i, "not late", settings=LIMITS, now=start)
    upheld = sweep(engine)
    assert sorted(d.entry_id for d in upheld) == ids[:2]
    with UnitOfWork(engine) as uow:
        queued = store.listed(uow.conn, subject=SUBJECT, status="review")
    assert [d.entry_id for d in queued] == [ids[2]]
    closed = resolve_dispute(engine, queued[0].dispute_id, upheld=False, note="lateness confirmed")
    assert closed.status == "rejected"


def test_more_disputes_open_at_once_than_allowed_are_refused_with_when_to_retry(
    engine: Engine,
) -> None:
    ids = _late_records(engine, 4)
    for i in ids[:3]:
        open_dispute(engine, SUBJECT, i, "not late", settings=LIMITS)
    with pytest.raises(TooMany) as refused:
        open_dispute(engine, SUBJECT, ids[3], "not late", settings=LIMITS)
    assert refused.value.retry_after > 0
    assert "at most 3 open at once" in refused.value.problems[0].expected


def test_more_disputes_a_month_than_allowed_are_refused_until_the_oldest_ages_out(
    engine: Engine,
) -> None:
    ids = _late_records(engine, 5)
    start = utc_now() - timedelta(days=20)
    for n, i in enumerate(ids[:4]):
        opened = open_dispute(
            engine, SUBJECT, i, "not late", settings=LIMITS, now=start + timedelta(days=n * 2)
        )
        resolve_dispute(engine, opened.dispute_id, upheld=False, note="checked")
    with pytest.raises(TooMany) as refused:
        open_dispute(engine, SUBJECT, ids[4], "not late", settings=LIMITS)
    days = refused.value.retry_after / 86_400
    assert 9 < days < 11, "the oldest of the four ages out of the 30 days in ten days"
