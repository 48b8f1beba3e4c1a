"""The office's rates by tier and service and its months, from a small city of known
decisions and outcomes (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine
from tests.support.decisions import POLICY, SETTINGS, give_score

from creditcity.services.decide import DecisionRequest, decide_request
from creditcity.services.office_figures import OfficeFigures, RateRow
from creditcity.services.outcomes import report_outcome
from creditcity.services.stats import city_stats, office_view


def _person(engine: Engine, score: int | None) -> str:
    subject = f"p_{uuid.uuid4().hex}"
    if score is not None:
        give_score(engine, subject, score)
    return subject


def _ask(engine: Engine, subject: str, service: str, amount: int, at: str) -> str:
    provider = "clinic:west-lake" if service.startswith("pay_later") else "bike_operator:hb"
    if service == "agency_fee":
        provider = "landlord_platform:ziroom"
    request = DecisionRequest(subject, service, amount, "deposit-free use", provider)
    answer = decide_request(
        engine, request, policy=POLICY, settings=SETTINGS, now=datetime.fromisoformat(at)
    )
    return answer.decision_id


def _ended(engine: Engine, decision_id: str, result: str, at: str) -> None:
    report_outcome(
        engine,
        decision_id,
        result,
        policy=POLICY,
        settings=SETTINGS,
        rescore=None,
        now=datetime.fromisoformat(at),
    )


def small_city(engine: Engine) -> OfficeFigures:
    """Four people, seven decisions in March to May 2026 (UTC), four outcomes."""
    good, excellent, thin, low = (_person(engine, s) for s in (620, 720, None, 400))
    bike = _ask(engine, good, "bike_deposit", 299, "2026-03-10T10:00:00")
    # 20:00 UTC on 31 March is 04:00 on 1 April in the city: an April decision
    power_bank = _ask(engine, excellent, "power_bank_deposit", 99, "2026-03-31T20:00:00")
    _ask(engine, excellent, "agency_fee", 1300, "2026-04-05T09:00:00")
    clinic = _ask(engine, excellent, "pay_later_clinic", 400, "2026-04-06T09:00:00")
    umbrella = _ask(engine, thin, "umbrella_deposit", 39, "2026-05-02T09:00:00")
    _ask(engine, thin, "bike_deposit", 99, "2026-05-03T09:00:00")  # declined: thin file
    _ask(engine, low, "bike_deposit", 99, "2026-05-03T10:00:00")  # declined: tier too low
    _ended(engine, bike, "lost", "2026-03-20T09:00:00")
    _ended(engine, power_bank, "returned_on_time", "2026-04-10T09:00:00")
    _ended(engine, clinic, "overdue", "2026-05-06T09:00:00")
    _ended(engine, umbrella, "returned_on_time", "2026-06-02T09:00:00")
    return office_view(engine, policy=POLICY)[1]


def _rows(rows: list[RateRow]) -> dict[str, tuple[int, int, int, int]]:
    return {r.key: (r.asked, r.approved, r.closed, r.lost) for r in rows}


def test_approval_and_loss_rates_are_counted_per_tier_and_per_service(engine: Engine) -> None:
    figures = small_city(engine)
    assert _rows(figures.by_tier) == {
        "thin_file": (2, 1, 1, 0),
        "building": (1, 0, 0, 0),
        "good": (1, 1, 1, 1),
        "excellent": (3, 3, 2, 1),
    }
    assert [r.key for r in figures.by_tier] == ["thin_file", "building", "good", "excellent"]
    assert _rows(figures.by_service) == {
        "bike_deposit": (3, 1, 1, 1),
        "power_bank_deposit": (1, 1, 1, 0),
        "umbrella_deposit": (1, 1, 1, 0),
        "agency_fee": (1, 1, 0, 0),  # a waived fee never closes
        "pay_later_clinic": (1, 1, 1, 1),  # overdue: defaulted
    }
    excellent = figures.by_tier[-1]
    assert excellent.approval_rate == 1.0 and excellent.loss_rate == 0.5
    assert figures.by_tier[1].loss_rate is None  # nothing closed, no rate


def test_months_add_up_to_waivers_and_to_what_is_owed_today(engine: Engine) -> None:
    figures = small_city(engine)
    months = [(m.month, m.waived, m.opened, m.closed, m.outstanding) for m in figures.months]
    d = Decimal
    assert months == [
        (date(2026, 3, 1), d("299.00"), d("299.00"), d("0.00"), d("299.00")),
        (date(2026, 4, 1), d("99.00"), d("499.00"), d("99.00"), d("699.00")),
        (date(2026, 5, 1), d("39.00"), d("39.00"), d("0.00"), d("738.00")),
        (date(2026, 6, 1), d("0.00"), d("0.00"), d("39.00"), d("699.00")),
    ]
    totals = city_stats(engine, policy=POLICY)
    assert sum(m.waived for m in figures.months) == sum(totals.deposits_waived.values())
    assert figures.months[-1].outstanding == sum(totals.exposure.values())


def test_an_empty_city_has_no_rates_and_no_months(engine: Engine) -> None:
    figures = office_view(engine, policy=POLICY)[1]
    assert figures == OfficeFigures([], [], [])


def test_the_score_distribution_is_counted_in_the_database_with_an_exact_median(
    engine: Engine,
) -> None:
    from creditcity.services.score_distribution import EDGES, score_distribution

    for score in (350, 620, 620, 949, 950):
        _person(engine, score)
    spread = score_distribution(engine, None)
    assert spread.people == 5 and spread.median == 620.0
    assert spread.counts[0] == 1 and spread.counts[(620 - 350) // 25] == 2
    assert spread.counts[-1] == 2 and len(spread.counts) == len(EDGES) - 1  # 950 in the last
    _person(engine, 700)
    assert score_distribution(engine, None).median == 660.0  # the middle two, halved
