"""A low score is never worse than no score: the lowest tier gets at least the thin-file rule."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from creditcity.domain.decisions import decide
from creditcity.domain.policy import SCORE_MAX, SCORE_MIN, default_policy, parse_policy
from creditcity.errors import PolicyError

Refuse = Callable[[str], PolicyError]
POLICY = default_policy()
THIN = """
[thin_file]
services = ["bike_deposit"]
max_amount = 99
exposure_cap = 99
"""


def _line(text: str, needle: str, after: str = "") -> int:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


@settings(max_examples=300, deadline=None)
@given(
    score=st.integers(SCORE_MIN, SCORE_MAX),
    service=st.sampled_from(sorted(POLICY.thin_file.services)),
    amount=st.integers(1, 99),
    owed=st.integers(0, 99),
)
def test_under_the_default_policy_every_score_gets_at_least_what_no_score_gets(
    score: int, service: str, amount: int, owed: int
) -> None:
    amount = min(amount, int(POLICY.services[service].max_amount))
    exposure = {"power_bank_deposit": Decimal(owed)} if owed else {}
    thin = decide(POLICY, service, amount, "rain", score=None, exposure=exposure)
    scored = decide(POLICY, service, amount, "rain", score=score, exposure=exposure)
    assert scored.granted >= thin.granted


def test_the_umbrella_an_unscored_person_gets_is_not_refused_to_a_score_of_548() -> None:
    assert decide(POLICY, "umbrella_deposit", 39, "rain", score=None).approved
    scored = decide(POLICY, "umbrella_deposit", 39, "rain", score=548)
    assert scored.approved and scored.tier == POLICY.tiers[0].name


def test_a_lowest_tier_that_may_not_use_a_thin_file_service_is_refused(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text + THIN
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {_line(text, 'min_tier')}"
    assert problem.field == "services.bike_deposit.min_tier"
    assert "tier 'low', the lowest, may not" in problem.message
    assert "'bike_deposit'" in problem.message and "worse than no score" in problem.message
    assert 'set min_tier = "low"' in problem.message


def test_a_lowest_tier_limit_below_the_thin_file_amount_is_refused(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace('min_tier = "high"', 'min_tier = "low"\ntier_limits = { low = 50 }')
    (problem,) = refuse(text + THIN).problems
    assert problem.field == "services.bike_deposit.tier_limits.low"
    assert "gets 50 of 'bike_deposit', less than the 99" in problem.message
    assert "set tier_limits { low = 99 } or more" in problem.message


def test_a_lowest_tier_exposure_cap_below_the_thin_file_cap_is_refused(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace('min_tier = "high"', 'min_tier = "low"').replace(
        'name = "low"', 'name = "low"\nexposure_cap = 0'
    )
    (problem,) = refuse(text + THIN).problems
    assert problem.where == f"test.toml, line {_line(text, 'exposure_cap = 0')}"
    assert "tier 'low', the lowest, may owe at most 0, less than the 99" in problem.message
    assert "set exposure_cap = 99 or more" in problem.message


def test_a_lowest_tier_with_at_least_the_thin_file_rule_loads(base_text: str) -> None:
    text = base_text.replace('min_tier = "high"', 'min_tier = "low"\ntier_limits = { low = 99 }')
    policy = parse_policy(text + THIN, "test.toml")
    assert policy.services["bike_deposit"].limits[0] == Decimal(99)
