"""The live rescore's sweep: skipped while nothing can be due, everyone's once something is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from tests.support.rights import OTHER, OTHER_ID, SUBJECT, add, record

from creditcity.config import Settings
from creditcity.ledger import disputes as store
from creditcity.ledger.exclusions import PENDING
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.disputes import (
    DEADLINE_ACTOR,
    DUE_RECHECK_SECONDS,
    open_dispute,
    sweep_if_due,
    utc_now,
)

SETTINGS = Settings()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _entries(engine: Engine) -> tuple[int, int]:
    mine, theirs = add(
        engine,
        record("k1", "loan_instalment_paid", "2026-01-05", ref="L1", amount=500, days_late=45),
        record(
            "k2",
            "loan_instalment_paid",
            "2026-01-05",
            national_id=OTHER_ID,
            ref="L2",
            amount=50,
            days_late=0,
        ),
    )
    return mine, theirs


def _overdue_from_elsewhere(engine: Engine, entry_id: int, subject: str) -> int:
    """A dispute written by another process: this one's reading does not hear of it."""
    past = utc_now() - timedelta(days=40)
    with UnitOfWork(engine) as uow:
        found = store.insert_dispute(
            uow.conn,
            subject=subject,
            entry_id=entry_id,
            statement="not mine",
            opened_at=past,
            deadline=past + timedelta(days=30),
        )
        uow.commit()
    return found


def _status(engine: Engine, dispute_id: int) -> tuple[str, str | None]:
    with engine.connect() as conn:
        found = store.get(conn, dispute_id)
    assert found is not None
    return found.status, found.resolved_by


def test_nothing_pending_is_read_once_a_window_then_read_again(engine: Engine) -> None:
    mine, _ = _entries(engine)
    clock = Clock()
    assert sweep_if_due(engine, clock=clock) == []  # reads: nothing is pending
    late = _overdue_from_elsewhere(engine, mine, SUBJECT)

    clock.now += DUE_RECHECK_SECONDS - 1
    assert sweep_if_due(engine, clock=clock) == []  # trusted its reading: not swept
    assert _status(engine, late)[0] == PENDING

    clock.now += 2
    assert [d.dispute_id for d in sweep_if_due(engine, clock=clock)] == [late]
    assert _status(engine, late) == (store.UPHELD, DEADLINE_ACTOR)


def test_a_dispute_opened_here_is_heard_of_at_once_and_every_overdue_one_is_upheld(
    engine: Engine,
) -> None:
    mine, theirs = _entries(engine)
    clock = Clock()
    assert sweep_if_due(engine, clock=clock) == []
    elsewhere = _overdue_from_elsewhere(engine, theirs, OTHER)
    start = utc_now() - timedelta(days=40)
    here = open_dispute(engine, SUBJECT, mine, "not my loan", settings=SETTINGS, now=start)

    upheld = sweep_if_due(engine, clock=clock)  # same window, but this process opened one

    assert sorted(d.dispute_id for d in upheld) == sorted([here.dispute_id, elsewhere])
    assert sweep_if_due(engine, clock=clock) == []


def test_a_pending_dispute_not_yet_due_is_left_pending(engine: Engine) -> None:
    mine, _ = _entries(engine)
    clock = Clock()
    opened = open_dispute(engine, SUBJECT, mine, "not my loan", settings=SETTINGS)
    clock.now += DUE_RECHECK_SECONDS * 3
    assert sweep_if_due(engine, clock=clock) == []
    assert sweep_if_due(engine, now=opened.deadline + timedelta(seconds=1), clock=clock) != []
