"""Deciding on stored facts: scores, exposure, thin files, bad input (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from tests.support.decisions import ask, count, counts, give_score

from creditcity.domain.decisions import EXPOSURE_CAP, SERVICE_LIMIT, THIN_FILE, TIER_TOO_LOW
from creditcity.errors import InputRejected
from creditcity.ledger.audit import chain
from creditcity.ledger.decisions import get_decision, open_exposure
from creditcity.ledger.tables import entries, subjects


def person() -> str:
    return f"p_{uuid.uuid4().hex}"


@pytest.mark.parametrize(
    ("service", "amount", "purpose", "provider", "field"),
    [
        ("scooter_deposit", "10", "ride", "bike_operator:hellobike", "service"),
        ("bike_deposit", "300", "ride", "bike_operator:hellobike", "amount"),
        ("bike_deposit", "-5", "ride", "bike_operator:hellobike", "amount"),
        ("bike_deposit", "ten", "ride", "bike_operator:hellobike", "amount"),
        ("bike_deposit", "99.999", "ride", "bike_operator:hellobike", "amount"),
        ("bike_deposit", "99", "   ", "bike_operator:hellobike", "purpose"),
        ("bike_deposit", "99", "ride", "hellobike", "provider"),
        ("bike_deposit", "99", "ride", "Bike Operator:x y", "provider"),
    ],
)
def test_each_bad_request_is_rejected_naming_its_field_and_writes_nothing(
    engine: Engine, service: str, amount: str, purpose: str, provider: str, field: str
) -> None:
    subject = person()
    give_score(engine, subject, 720)
    before = counts(engine)
    with pytest.raises(InputRejected) as caught:
        ask(engine, subject, service, amount, purpose=purpose, provider=provider)
    assert [p.field for p in caught.value.problems] == [field]
    assert counts(engine) == before


def test_a_person_never_seen_gets_the_thin_file_answer_not_an_error(engine: Engine) -> None:
    subject = person()
    bike = ask(engine, subject, "bike_deposit", 99)
    assert not bike.decision.approved and bike.thin_file
    assert bike.decision.reasons[0][0] == THIN_FILE
    power_bank = ask(engine, subject, "power_bank_deposit", 99, provider="power_bank_operator:x")
    assert power_bank.decision.approved and power_bank.decision.waived_amount == Decimal(99)
    assert power_bank.decision.tier is None and power_bank.model_version is None
    # the waiver is now on the person's file, and the person is known
    assert count(engine, entries, entries.c.subject == subject) == 1
    assert count(engine, subjects, subjects.c.subject == subject) == 1


def test_a_stored_decision_keeps_what_was_asked_granted_and_why(engine: Engine) -> None:
    subject = person()
    give_score(engine, subject, 630, version="m-2026-11")
    answer = ask(engine, subject, "bike_deposit", "299", purpose="bike for commuting")
    with engine.connect() as conn:
        stored = get_decision(conn, answer.decision_id)
    assert stored is not None
    assert (stored.subject, stored.service, stored.amount) == (subject, "bike_deposit", 299)
    assert stored.approved and stored.waived_amount == Decimal("299.00") and stored.tier == "good"
    assert (stored.score, stored.model_version) == (630, "m-2026-11")
    assert stored.purpose == "bike for commuting"
    assert stored.requested_by == "bike_operator:hellobike"
    assert stored.policy_version == "2026-11-01"
    assert stored.reasons[0]["code"] == "PH-LATE-30"


def test_every_decision_is_in_the_audit_log_with_provider_and_purpose(engine: Engine) -> None:
    subject = person()
    give_score(engine, subject, 500)
    answer = ask(engine, subject, "bike_deposit", 99, purpose="weekend ride")
    with engine.connect() as conn:
        events = list(chain(conn, subject))
    assert len(events) == 1
    event = events[0].event
    assert (event.actor, event.role, event.action) == (
        "bike_operator:hellobike",
        "provider",
        "decide",
    )
    assert event.purpose == "weekend ride"
    detail = dict(event.detail)
    assert detail["decision_id"] == answer.decision_id and detail["approved"] is False
    assert answer.decision.reasons[0][0] == TIER_TOO_LOW


def test_an_approved_waiver_is_written_to_the_file_once_keyed_by_the_decision(
    engine: Engine,
) -> None:
    subject = person()
    give_score(engine, subject, 700)
    waiver = ask(engine, subject, "bike_deposit", 150)
    clinic = ask(engine, subject, "pay_later_clinic", 600, provider="clinic:west-lake")
    fee = ask(engine, subject, "agency_fee", 1300, provider="landlord_platform:ziroom")
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                entries.c.kind,
                entries.c.source,
                entries.c.idempotency_key,
                entries.c.ref,
                entries.c.amount,
                entries.c.service,
            )
            .where(entries.c.subject == subject)
            .order_by(entries.c.entry_id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (
            "deposit_waived",
            "creditcity:decisions",
            waiver.decision_id,
            waiver.decision_id,
            150.0,
            "bike_deposit",
        ),
        (
            "pay_later_charged",
            "creditcity:decisions",
            clinic.decision_id,
            clinic.decision_id,
            600.0,
            "pay_later_clinic",
        ),
    ]
    assert fee.decision.approved and fee.record_kind is None  # a waived fee is never owed


def test_exposure_from_stored_decisions_caps_grants_across_services(engine: Engine) -> None:
    subject = person()
    give_score(engine, subject, 620)  # tier good: exposure cap 1500
    assert ask(engine, subject, "bike_deposit", 299).decision.waived_amount == 299
    clinic = ask(engine, subject, "pay_later_clinic", 800, provider="clinic:west-lake")
    assert clinic.decision.credit_line == 800
    office = ask(engine, subject, "pay_later_public_office", 500, provider="public_office:tax")
    assert office.decision.approved and office.decision.credit_line == Decimal("401")
    assert office.decision.reasons[0][0] == EXPOSURE_CAP
    umbrella = ask(engine, subject, "umbrella_deposit", 20, provider="umbrella_operator:u")
    assert not umbrella.decision.approved and umbrella.decision.reasons[0][0] == EXPOSURE_CAP
    with engine.connect() as conn:
        assert open_exposure(conn, subject) == {
            "bike_deposit": Decimal("299.00"),
            "pay_later_clinic": Decimal("800.00"),
            "pay_later_public_office": Decimal("401.00"),
        }


def test_a_second_bike_is_cut_by_what_is_still_owed_on_bikes(engine: Engine) -> None:
    subject = person()
    give_score(engine, subject, 760)
    ask(engine, subject, "bike_deposit", 200)
    second = ask(engine, subject, "bike_deposit", 299)
    assert second.decision.waived_amount == 99
    assert second.decision.reasons[0][0] == SERVICE_LIMIT
    third = ask(engine, subject, "bike_deposit", 50)
    assert not third.decision.approved


def test_other_peoples_decisions_do_not_count_toward_a_persons_exposure(engine: Engine) -> None:
    first, second = person(), person()
    give_score(engine, first, 620)
    give_score(engine, second, 620)
    ask(engine, first, "bike_deposit", 299)
    assert ask(engine, second, "bike_deposit", 299).decision.waived_amount == 299


def test_the_newest_stored_score_decides(engine: Engine) -> None:
    subject = person()
    give_score(engine, subject, 720)
    give_score(engine, subject, 560)
    answer = ask(engine, subject, "bike_deposit", 99)
    assert answer.decision.score == 560 and not answer.decision.approved
