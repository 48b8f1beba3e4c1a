"""The default policy ships with creditcity, loads, and carries DESIGN.md's numbers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from creditcity.domain.policy import ServiceKind, default_policy

SERVICE_IDS = {
    "bike_deposit",
    "power_bank_deposit",
    "umbrella_deposit",
    "library_deposit",
    "rental_deposit",
    "agency_fee",
    "pay_later_clinic",
    "pay_later_transit",
    "pay_later_public_office",
}


def test_the_default_policy_loads_from_the_package_and_is_versioned() -> None:
    policy = default_policy()
    assert policy.version == "2026-11-01"
    assert policy.source == "default_policy.toml"
    assert default_policy() is policy


def test_the_default_tiers_tile_the_score_scale_in_the_operators_names() -> None:
    bands = [(t.name, t.min_score, t.max_score) for t in default_policy().tiers]
    assert bands == [
        ("building", 350, 549),
        ("fair", 550, 599),
        ("good", 600, 649),
        ("very_good", 650, 699),
        ("excellent", 700, 950),
    ]


@given(st.integers(min_value=350, max_value=950))
def test_every_score_falls_in_the_one_tier_whose_band_holds_it(score: int) -> None:
    tier = default_policy().tier_for(score)
    assert tier.min_score <= score <= tier.max_score


def test_the_default_policy_offers_the_nine_services_of_the_design() -> None:
    services = default_policy().services
    assert set(services) == SERVICE_IDS
    assert services["agency_fee"].kind is ServiceKind.FEE_WAIVER
    assert services["pay_later_clinic"].kind is ServiceKind.PAY_LATER
    assert services["bike_deposit"].kind is ServiceKind.DEPOSIT_WAIVER


def test_bike_deposits_are_waived_from_score_600_like_suzhou() -> None:
    policy = default_policy()
    bike = policy.services["bike_deposit"]
    assert bike.limits[policy.tier_for(599).rank] is None
    assert bike.limits[policy.tier_for(600).rank] == Decimal("299.00")


def test_the_top_tier_skips_the_hangzhou_rental_deposit_and_agency_fee() -> None:
    policy = default_policy()
    top = policy.tier_for(950).rank
    assert policy.services["rental_deposit"].limits[top] == Decimal("2600.00")
    assert policy.services["agency_fee"].limits[top] == Decimal("1300.00")


def test_home_delivery_of_library_books_is_a_benefit_from_tier_good() -> None:
    policy = default_policy()
    library = policy.services["library_deposit"]
    assert library.benefits[policy.tier_for(599).rank] == ()
    assert library.benefits[policy.tier_for(600).rank] == ("home_delivery",)


def test_people_with_no_score_may_use_only_the_cheapest_items() -> None:
    thin = default_policy().thin_file
    assert thin.services == {"umbrella_deposit", "power_bank_deposit"}
    assert thin.max_amount == Decimal("99.00")


def test_disputes_are_answered_within_thirty_days_by_default() -> None:
    assert default_policy().dispute_deadline_days == 30


def test_the_default_restrictions_cite_only_adjudicated_records() -> None:
    triggers = {r.trigger for r in default_policy().restrictions}
    assert triggers == {"court_judgment", "proven_fraud"}
    assert all(r.expires_after_days > 0 and r.appeal_route for r in default_policy().restrictions)


def test_the_public_summary_lists_what_each_tier_unlocks() -> None:
    summary = default_policy().summary()
    rental = next(s for s in summary["services"] if s["id"] == "rental_deposit")
    assert rental["limits"] == {"very_good": 1300, "excellent": 2600}
    library = next(s for s in summary["services"] if s["id"] == "library_deposit")
    assert library["benefits"] == {"home_delivery": "good"}
    assert [t["name"] for t in summary["tiers"]] == [t.name for t in default_policy().tiers]
