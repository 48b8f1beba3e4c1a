"""The closed loop: outcomes become ledger records once, release exposure, and rescore."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from tests.support.decisions import POLICY, SETTINGS, ask, count, give_score

from creditcity.errors import Conflict, InputRejected, NotFound
from creditcity.ledger.audit import chain
from creditcity.ledger.decisions import open_exposure
from creditcity.ledger.tables import entries
from creditcity.services.outcomes import OutcomeReport, report_outcome


class Rescores:
    """A fake rescoring service that remembers whom it was asked to rescore."""

    def __init__(self) -> None:
        self.subjects: list[str] = []

    def __call__(self, engine: Engine, subject: str) -> bool:
        self.subjects.append(subject)
        return True


def report(
    engine: Engine,
    decision_id: str,
    result: str,
    rescores: Rescores | None = None,
    days_late: int | None = None,
) -> OutcomeReport:
    return report_outcome(
        engine,
        decision_id,
        result,
        policy=POLICY,
        settings=SETTINGS,
        days_late=days_late,
        rescore=rescores if rescores is not None else Rescores(),
    )


def borrower(engine: Engine, score: int = 640) -> str:
    subject = f"p_{uuid.uuid4().hex}"
    give_score(engine, subject, score)
    return subject


def outcome_rows(engine: Engine, ref: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        query = (
            select(
                entries.c.kind,
                entries.c.source,
                entries.c.idempotency_key,
                entries.c.item,
                entries.c.amount,
                entries.c.days_late,
                entries.c.service,
            )
            .where(
                entries.c.ref == ref,
                entries.c.kind != "deposit_waived",
                entries.c.kind != "pay_later_charged",
            )
            .order_by(entries.c.entry_id)
        )
        return [tuple(r) for r in conn.execute(query)]


def test_a_lost_bike_reported_twice_is_written_once_and_stays_owed(engine: Engine) -> None:
    subject = borrower(engine)
    bike = ask(engine, subject, "bike_deposit", 299)
    rescores = Rescores()
    first = report(engine, bike.decision_id, "lost", rescores)
    again = report(engine, bike.decision_id, "lost", rescores)
    assert not first.duplicate and again.duplicate
    assert outcome_rows(engine, bike.decision_id) == [
        (
            "borrowing_lost",
            "bike_operator:hellobike",
            f"{bike.decision_id}:lost",
            "bike",
            299.0,
            None,
            None,
        ),
    ]
    assert not first.released and first.exposure == {"bike_deposit": Decimal("299.00")}
    assert rescores.subjects == [subject]  # rescored for the new record, not the duplicate


def test_a_lost_item_that_turns_up_and_is_returned_releases_exposure(engine: Engine) -> None:
    subject = borrower(engine)
    bike = ask(engine, subject, "bike_deposit", 299)
    report(engine, bike.decision_id, "lost")
    late = report(engine, bike.decision_id, "returned_late", days_late=12)
    assert late.released and late.exposure == {}
    assert [r[0] for r in outcome_rows(engine, bike.decision_id)] == [
        "borrowing_lost",
        "borrowing_returned",
    ]
    assert outcome_rows(engine, bike.decision_id)[1][5] == 12


def test_returning_on_time_releases_the_exposure_for_the_next_borrowing(engine: Engine) -> None:
    subject = borrower(engine, 620)
    first = ask(engine, subject, "bike_deposit", 299)
    assert not ask(engine, subject, "bike_deposit", 99).decision.approved
    returned = report(engine, first.decision_id, "returned_on_time")
    assert returned.released and not returned.duplicate
    assert ask(engine, subject, "bike_deposit", 299).decision.waived_amount == 299


def test_a_settled_borrowing_cannot_then_be_reported_lost(engine: Engine) -> None:
    subject = borrower(engine)
    bike = ask(engine, subject, "bike_deposit", 99)
    report(engine, bike.decision_id, "returned_on_time")
    with pytest.raises(Conflict, match="already settled"):
        report(engine, bike.decision_id, "lost")
    assert report(engine, bike.decision_id, "returned_on_time").duplicate


def test_pay_later_overdue_keeps_exposure_until_it_is_paid(engine: Engine) -> None:
    subject = borrower(engine, 700)
    charge = ask(engine, subject, "pay_later_clinic", 500, provider="clinic:west-lake")
    overdue = report(engine, charge.decision_id, "overdue")
    assert overdue.exposure == {"pay_later_clinic": Decimal("500.00")}
    paid = report(engine, charge.decision_id, "paid", days_late=20)
    assert paid.released and paid.exposure == {}
    assert outcome_rows(engine, charge.decision_id) == [
        (
            "pay_later_overdue",
            "clinic:west-lake",
            f"{charge.decision_id}:overdue",
            None,
            500.0,
            None,
            "pay_later_clinic",
        ),
        (
            "pay_later_paid",
            "clinic:west-lake",
            f"{charge.decision_id}:paid",
            None,
            500.0,
            20,
            "pay_later_clinic",
        ),
    ]


def test_a_provider_the_catalogue_does_not_let_report_the_kind_reports_through_creditcity(
    engine: Engine,
) -> None:
    subject = borrower(engine, 720)
    flat = ask(engine, subject, "rental_deposit", 2600, provider="landlord_platform:ziroom")
    report(engine, flat.decision_id, "returned_on_time")
    assert outcome_rows(engine, flat.decision_id)[0][:4] == (
        "borrowing_returned",
        "creditcity:decisions",
        f"{flat.decision_id}:returned_on_time",
        "other",
    )


@pytest.mark.parametrize(
    ("service", "result", "days_late", "field"),
    [
        ("bike_deposit", "paid", None, "result"),
        ("bike_deposit", "stolen", None, "result"),
        ("pay_later_clinic", "lost", None, "result"),
        ("bike_deposit", "returned_late", None, "days_late"),
        ("bike_deposit", "returned_on_time", 3, "days_late"),
        ("bike_deposit", "lost", 3, "days_late"),
        ("agency_fee", "paid", None, "decision_id"),
    ],
)
def test_an_outcome_that_does_not_fit_the_decision_is_rejected_naming_the_field(
    engine: Engine, service: str, result: str, days_late: int | None, field: str
) -> None:
    subject = borrower(engine, 720)
    decision = ask(engine, subject, service, 100, provider="clinic:x")
    before = count(engine, entries)
    with pytest.raises(InputRejected) as caught:
        report(engine, decision.decision_id, result, days_late=days_late)
    assert [p.field for p in caught.value.problems] == [field]
    assert count(engine, entries) == before


def test_a_declined_decision_has_no_outcome(engine: Engine) -> None:
    subject = borrower(engine, 400)
    declined = ask(engine, subject, "bike_deposit", 99)
    with pytest.raises(Conflict, match="declined"):
        report(engine, declined.decision_id, "lost")


def test_an_unknown_decision_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound):
        report(engine, uuid.uuid4().hex, "lost")


def test_each_report_is_audited_as_the_provider(engine: Engine) -> None:
    subject = borrower(engine)
    bike = ask(engine, subject, "bike_deposit", 99)
    report(engine, bike.decision_id, "returned_on_time")
    with engine.connect() as conn:
        events = [row.event for row in chain(conn, subject)]
    assert [(e.action, e.actor, e.role) for e in events] == [
        ("decide", "bike_operator:hellobike", "provider"),
        ("outcome", "bike_operator:hellobike", "provider"),
    ]


def test_without_the_scoring_service_the_record_is_kept_and_not_rescored(engine: Engine) -> None:
    subject = borrower(engine)
    bike = ask(engine, subject, "bike_deposit", 99)
    result = report_outcome(
        engine, bike.decision_id, "lost", policy=POLICY, settings=SETTINGS, rescore=None
    )
    assert not result.rescored and not result.duplicate
    with engine.connect() as conn:
        assert open_exposure(conn, subject) == {"bike_deposit": Decimal("99.00")}
