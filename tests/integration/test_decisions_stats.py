"""The operator's figures, computed from stored decisions, outcomes, notices and audit events."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine
from tests.support.decisions import POLICY, SETTINGS, ask, give_score, ingest, judgment, now

from creditcity.ledger.audit import record_access
from creditcity.services.outcomes import report_outcome
from creditcity.services.stats import city_stats


def person(engine: Engine, score: int | None) -> str:
    subject = f"p_{uuid.uuid4().hex}"
    if score is not None:
        give_score(engine, subject, score)
    return subject


def outcome(engine: Engine, decision_id: str, result: str) -> None:
    report_outcome(engine, decision_id, result, policy=POLICY, settings=SETTINGS, rescore=None)


def test_an_empty_city_has_zero_figures(engine: Engine) -> None:
    figures = city_stats(engine, policy=POLICY).as_dict()
    assert figures["deposits_waived"] == {"total": "0.00", "by_service": {}}
    assert figures["approval_rate_by_tier"] == {} and figures["residents_who_looked"] == 0


def test_waivers_exposure_approval_and_loss_rates_add_up(engine: Engine) -> None:
    good, excellent, thin, low = (person(engine, s) for s in (620, 720, None, 400))
    bike = ask(engine, good, "bike_deposit", 299)
    power_bank = ask(engine, excellent, "power_bank_deposit", 99)
    ask(engine, excellent, "agency_fee", 1300, provider="landlord_platform:ziroom")
    ask(engine, excellent, "pay_later_clinic", 400, provider="clinic:west-lake")
    umbrella = ask(engine, thin, "umbrella_deposit", 39)
    ask(engine, thin, "bike_deposit", 99)  # declined: thin file
    ask(engine, low, "bike_deposit", 99)  # declined: tier too low
    outcome(engine, bike.decision_id, "lost")
    outcome(engine, power_bank.decision_id, "returned_on_time")
    outcome(engine, umbrella.decision_id, "returned_on_time")
    figures = city_stats(engine, policy=POLICY)
    assert figures.deposits_waived == {
        "bike_deposit": Decimal("299.00"),
        "power_bank_deposit": Decimal("99.00"),
        "umbrella_deposit": Decimal("39.00"),
    }
    assert figures.fees_waived == {"agency_fee": Decimal("1300.00")}
    assert figures.pay_later_granted == {"pay_later_clinic": Decimal("400.00")}
    # the lost bike is still owed, the returned items are not, a waived fee never is
    assert figures.exposure == {
        "bike_deposit": Decimal("299.00"),
        "pay_later_clinic": Decimal("400.00"),
    }
    approvals = {t: (r.part, r.whole) for t, r in figures.approvals.items()}
    assert approvals == {
        "thin_file": (1, 2),
        "building": (0, 1),
        "good": (1, 1),
        "excellent": (3, 3),
    }
    assert list(figures.approvals) == ["thin_file", "building", "good", "excellent"]
    losses = {t: (r.part, r.whole, r.rate) for t, r in figures.losses.items()}
    assert losses == {"thin_file": (0, 1, 0.0), "good": (1, 1, 1.0), "excellent": (0, 1, 0.0)}


def test_restrictions_are_counted_active_and_lifted(engine: Engine, tmp_path: Path) -> None:
    bound, freed, expired = (person(engine, 700) for _ in range(3))
    rows = [
        judgment(bound, "J-1", date(2026, 1, 5)),
        judgment(freed, "J-2", date(2025, 1, 5)),
        judgment(freed, "J-2", now() - timedelta(minutes=1), "judgment_satisfied"),
        judgment(expired, "J-3", date(2019, 1, 5)),
    ]
    ingest(engine, tmp_path, rows, "judgments")
    ask(engine, bound, "bike_deposit", 99)  # sends the notice
    figures = city_stats(engine, policy=POLICY).as_dict()["restrictions"]
    assert figures == {"active": 1, "lifted": 2, "people_restricted": 1, "notices_sent": 1}


def test_people_who_looked_at_their_own_file_are_counted_once_each(engine: Engine) -> None:
    first, second = f"p_{uuid.uuid4().hex}", f"p_{uuid.uuid4().hex}"
    with engine.begin() as conn:
        for subject, action, role in [
            (first, "report", "resident"),
            (first, "view_score", "resident"),
            (second, "view_file", "resident"),
            (second, "decide", "provider"),
            (f"p_{uuid.uuid4().hex}", "report", "operator"),
        ]:
            actor = subject if role == "resident" else "operator:office"
            record_access(
                conn, actor=actor, role=role, purpose="own file", action=action, subject=subject
            )
    assert city_stats(engine, policy=POLICY).residents_who_looked == 2
