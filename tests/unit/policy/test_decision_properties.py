"""Properties of every decision under the default policy, for any request."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from creditcity.domain.decisions import decide
from creditcity.domain.policy import ServiceKind, default_policy

POLICY = default_policy()
SERVICES = sorted(POLICY.services)

scores = st.integers(min_value=350, max_value=950)
cents = st.integers(min_value=0, max_value=300_000).map(lambda c: Decimal(c) / 100)
exposures = st.dictionaries(st.sampled_from(SERVICES), cents, max_size=4)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, Decimal]:
    service = draw(st.sampled_from(SERVICES))
    top = int(POLICY.services[service].max_amount * 100)
    return service, Decimal(draw(st.integers(min_value=1, max_value=top))) / 100


@given(requests(), scores, exposures)
def test_a_grant_never_exceeds_the_request_the_tier_limit_or_the_cap(
    request: tuple[str, Decimal], score: int, exposure: dict[str, Decimal]
) -> None:
    service, amount = request
    decision = decide(POLICY, service, amount, "test", score=score, exposure=exposure)
    spec, tier = POLICY.services[service], POLICY.tier_for(score)
    assert Decimal(0) <= decision.granted <= amount
    assert decision.approved == (decision.granted > 0)
    limit = spec.limits[tier.rank]
    assert decision.granted <= (limit if limit is not None else 0)
    if spec.kind is not ServiceKind.FEE_WAIVER:
        owed = sum(
            (v for k, v in exposure.items() if POLICY.services[k].counts_toward_exposure),
            Decimal(0),
        )
        assert decision.granted == 0 or owed + decision.granted <= tier.exposure_cap
        assert decision.granted == 0 or exposure.get(service, 0) + decision.granted <= limit  # type: ignore[operator]


@given(requests(), scores, scores, exposures)
def test_a_better_score_never_gets_less(
    request: tuple[str, Decimal], one: int, other: int, exposure: dict[str, Decimal]
) -> None:
    service, amount = request
    low, high = sorted((one, other))
    worse = decide(POLICY, service, amount, "test", score=low, exposure=exposure)
    better = decide(POLICY, service, amount, "test", score=high, exposure=exposure)
    assert better.granted >= worse.granted
