"""The decision: approve or decline, how much, the tier, and every reason why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditcity.domain.decisions import (
    EXPOSURE_CAP,
    RESTRICTED,
    SERVICE_LIMIT,
    THIN_FILE,
    TIER_LIMIT,
    TIER_TOO_LOW,
    decide,
)
from creditcity.domain.policy import default_policy
from creditcity.domain.restrictions import AdjudicatedRecord, active_restrictions
from creditcity.errors import InputRejected

POLICY = default_policy()
SCORE_REASONS = [("R01", "Two utility bills were paid late in the last year")]


def codes(decision: object) -> list[str]:
    return [code for code, _ in decision.reasons]  # type: ignore[attr-defined]


def test_a_good_score_gets_the_whole_bike_deposit_waived() -> None:
    decision = decide(POLICY, "bike_deposit", 299, "bike rental", score=620)
    assert decision.approved
    assert decision.waived_amount == Decimal(299) and decision.credit_line == 0
    assert decision.tier == "good" and decision.score == 620
    assert decision.policy_version == "2026-11-01"
    assert decision.reasons == ()


def test_a_pay_later_approval_is_a_credit_line_not_a_waiver() -> None:
    decision = decide(POLICY, "pay_later_clinic", 500, "dentist", score=660)
    assert decision.approved
    assert decision.credit_line == Decimal(500) and decision.waived_amount == 0


def test_a_tier_too_low_is_declined_with_the_scores_own_reasons_after() -> None:
    decision = decide(POLICY, "bike_deposit", 99, "bike rental", score=599, reasons=SCORE_REASONS)
    assert not decision.approved and decision.granted == 0
    assert decision.tier == "fair"
    assert codes(decision) == [TIER_TOO_LOW, "R01"]
    assert decision.reasons[0][1] == (
        "score 599 is in tier 'fair'; bike_deposit needs tier 'good' (score 600 or more)"
    )


def test_a_request_above_the_tiers_limit_is_approved_in_part() -> None:
    decision = decide(POLICY, "rental_deposit", 2600, "flat in Xihu", score=680)
    assert decision.approved
    assert decision.waived_amount == Decimal("1300.00")
    assert codes(decision) == [TIER_LIMIT]
    top = decide(POLICY, "rental_deposit", 2600, "flat in Xihu", score=720)
    assert top.waived_amount == Decimal(2600) and top.reasons == ()


def test_a_restriction_blocking_the_service_declines_citing_it_and_its_appeal_route() -> None:
    record = AdjudicatedRecord("court_judgment", "court:hz", "J-7", date(2026, 1, 5))
    restrictions = active_restrictions(POLICY, [record], date(2026, 2, 1))
    decision = decide(POLICY, "rental_deposit", 2000, "flat", score=800, restrictions=restrictions)
    assert not decision.approved
    assert decision.restrictions == tuple(restrictions)
    assert codes(decision) == [RESTRICTED]
    assert (
        "J-7" in decision.reasons[0][1] and "Appeal to the issuing court" in decision.reasons[0][1]
    )


def test_a_restriction_on_other_services_does_not_touch_this_one() -> None:
    record = AdjudicatedRecord("court_judgment", "court:hz", "J-7", date(2026, 1, 5))
    restrictions = active_restrictions(POLICY, [record], date(2026, 2, 1))
    decision = decide(POLICY, "bike_deposit", 299, "bike", score=800, restrictions=restrictions)
    assert decision.approved and decision.restrictions == ()


def test_a_decline_gives_every_reason_at_once() -> None:
    record = AdjudicatedRecord("proven_fraud", "court:hz", "F-1", date(2026, 1, 5))
    restrictions = active_restrictions(POLICY, [record], date(2026, 2, 1))
    decision = decide(POLICY, "bike_deposit", 99, "bike", score=500, restrictions=restrictions)
    assert codes(decision) == [RESTRICTED, TIER_TOO_LOW]


def test_exposure_across_services_caps_the_grant_then_declines() -> None:
    # tier good: cap 1,500 across services
    owed = {"pay_later_clinic": Decimal(800), "library_deposit": Decimal(100)}
    partial = decide(POLICY, "pay_later_public_office", 500, "passport", score=610, exposure=owed)
    assert partial.approved and partial.credit_line == Decimal(500)
    owed["pay_later_public_office"] = Decimal(500)
    cut = decide(POLICY, "bike_deposit", 299, "bike", score=610, exposure=owed)
    assert cut.approved and cut.waived_amount == Decimal(100)
    assert codes(cut) == [EXPOSURE_CAP]
    owed["bike_deposit"] = Decimal(100)
    full = decide(POLICY, "umbrella_deposit", 39, "rain", score=610, exposure=owed)
    assert not full.approved and codes(full) == [EXPOSURE_CAP]
    assert "1500.00" in full.reasons[0][1]


def test_what_is_already_owed_on_a_service_counts_against_its_limit() -> None:
    owed = {"pay_later_clinic": Decimal(700)}
    decision = decide(POLICY, "pay_later_clinic", 300, "x-ray", score=610, exposure=owed)
    assert decision.credit_line == Decimal(100) and codes(decision) == [SERVICE_LIMIT]
    owed = {"pay_later_clinic": Decimal(800)}
    assert not decide(POLICY, "pay_later_clinic", 1, "x-ray", score=610, exposure=owed).approved


def test_a_waived_fee_is_never_owed_back_so_exposure_does_not_limit_it() -> None:
    owed = {
        "rental_deposit": Decimal(2600),
        "pay_later_clinic": Decimal(2000),
        "agency_fee": Decimal(99999),
    }
    decision = decide(POLICY, "agency_fee", 1300, "letting", score=750, exposure=owed)
    assert decision.approved and decision.waived_amount == Decimal(1300)
    bike = decide(POLICY, "bike_deposit", 299, "bike", score=750, exposure=owed)
    assert bike.waived_amount == Decimal(299)  # 6,000 - 4,600 leaves room; the fee is ignored


def test_a_person_with_no_score_may_borrow_an_umbrella_but_not_a_bike() -> None:
    umbrella = decide(POLICY, "umbrella_deposit", 39, "rain", score=None)
    assert umbrella.approved and umbrella.tier is None and umbrella.waived_amount == Decimal(39)
    bike = decide(POLICY, "bike_deposit", 99, "bike", score=None)
    assert not bike.approved and codes(bike) == [THIN_FILE]
    assert "no score yet" in bike.reasons[0][1]


def test_a_person_with_no_score_is_held_to_the_thin_file_cap() -> None:
    owed = {"umbrella_deposit": Decimal(39)}
    decision = decide(POLICY, "power_bank_deposit", 99, "phone", score=None, exposure=owed)
    assert decision.approved and decision.waived_amount == Decimal(60)
    assert codes(decision) == [EXPOSURE_CAP]


def test_benefits_come_with_an_approval_from_their_tier() -> None:
    fair = decide(POLICY, "library_deposit", 100, "books", score=560)
    good = decide(POLICY, "library_deposit", 100, "books", score=600)
    assert fair.approved and fair.benefits == ()
    assert good.benefits == ("home_delivery",)


def test_a_decision_cannot_be_changed_after_it_is_made() -> None:
    decision = decide(POLICY, "bike_deposit", 99, "bike", score=700)
    with pytest.raises(AttributeError):
        decision.approved = False  # type: ignore[misc]


def test_a_decision_reads_as_json_ready_data() -> None:
    data = decide(POLICY, "bike_deposit", "99.50", "bike", score=700).as_dict()
    assert data["waived_amount"] == "99.50" and data["tier"] == "excellent"
    assert data["approved"] is True and data["policy_version"] == "2026-11-01"


@pytest.mark.parametrize(
    ("service", "amount", "purpose", "score", "field", "says"),
    [
        ("scooter_deposit", 10, "ride", 700, "service", "unknown service 'scooter_deposit'"),
        ("bike_deposit", 0, "ride", 700, "amount", "must be above 0"),
        ("bike_deposit", -5, "ride", 700, "amount", "must be above 0"),
        ("bike_deposit", 300, "ride", 700, "amount", "above bike_deposit's maximum 299.00"),
        ("bike_deposit", "12.345", "ride", 700, "amount", "more than two decimals"),
        ("bike_deposit", "NaN", "ride", 700, "amount", "is not a number"),
        ("bike_deposit", "ten", "ride", 700, "amount", "is not a number"),
        ("bike_deposit", True, "ride", 700, "amount", "is not a number"),
        ("bike_deposit", 99, "", 700, "purpose", "a purpose is required"),
        ("bike_deposit", 99, "   ", 700, "purpose", "a purpose is required"),
        ("bike_deposit", 99, None, 700, "purpose", "a purpose is required"),
        ("bike_deposit", 99, "ride", 951, "score", "not on the scale"),
        ("bike_deposit", 99, "ride", 349, "score", "not on the scale"),
    ],
)
def test_bad_decision_input_is_rejected_naming_the_field(
    service: str, amount: object, purpose: str | None, score: int, field: str, says: str
) -> None:
    with pytest.raises(InputRejected) as caught:
        decide(POLICY, service, amount, purpose, score=score)  # type: ignore[arg-type]
    (problem,) = caught.value.problems
    assert problem.field == field
    assert says in problem.message
