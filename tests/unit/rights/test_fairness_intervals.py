"""The bootstrap interval of an impact ratio: what it covers, when it flags, how it narrows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from creditcity.rights.fairness_intervals import (
    RatioInterval,
    bootstrap_rates,
    impact_ratio_interval,
)

counts = st.integers(min_value=20, max_value=2000).flatmap(
    lambda n: st.tuples(st.integers(min_value=1, max_value=n - 1), st.just(n))
)


@given(counts, counts)
def test_the_interval_is_ordered_and_the_same_for_the_same_seed(
    group: tuple[int, int], reference: tuple[int, int]
) -> None:
    first = impact_ratio_interval(group, reference, draws=400, seed=7)
    assert first.low <= first.high
    assert first == impact_ratio_interval(group, reference, draws=400, seed=7)
    assert first.point == pytest.approx((group[0] / group[1]) / (reference[0] / reference[1]))


@given(counts, counts)
def test_a_ratio_is_flagged_exactly_when_its_whole_interval_lies_below_four_fifths(
    group: tuple[int, int], reference: tuple[int, int]
) -> None:
    interval = impact_ratio_interval(group, reference, draws=400)
    assert interval.below(0.8) == (interval.high < 0.8)


@settings(max_examples=30)
@given(
    st.floats(min_value=0.2, max_value=0.8),
    st.floats(min_value=0.2, max_value=0.8),
    st.integers(min_value=40, max_value=200),
)
def test_ten_times_the_people_gives_a_narrower_interval(rate: float, top: float, n: int) -> None:
    small = impact_ratio_interval((round(rate * n), n), (round(top * n), n), draws=2000)
    large = impact_ratio_interval(
        (round(rate * n) * 10, n * 10), (round(top * n) * 10, n * 10), draws=2000
    )
    assert large.high - large.low < small.high - small.low


def test_binomial_draws_are_the_bootstrap_of_the_people_themselves() -> None:
    """The shortcut agrees with scipy's bootstrap that resamples every person."""
    rng = np.random.default_rng(0)
    group = (rng.random(300) < 0.45).astype(float)
    reference = (rng.random(400) < 0.7).astype(float)
    resampled = stats.bootstrap(
        (group, reference),
        lambda a, b, axis: np.mean(a, axis=axis) / np.mean(b, axis=axis),
        method="percentile",
        n_resamples=4000,
        vectorized=True,
        random_state=1,
    ).confidence_interval
    ours = impact_ratio_interval(
        (int(group.sum()), group.size), (int(reference.sum()), reference.size), draws=4000
    )
    assert ours.low == pytest.approx(resampled.low, abs=0.02)
    assert ours.high == pytest.approx(resampled.high, abs=0.02)


def test_the_95_percent_interval_covers_the_true_ratio_about_95_times_in_100() -> None:
    rng = np.random.default_rng(3)
    n, rate, top = 150, 0.42, 0.6  # a true ratio of 0.7
    covered = 0
    trials = 300
    for trial in range(trials):
        k, kr = int(rng.binomial(n, rate)), int(rng.binomial(n, top))
        interval = impact_ratio_interval((k, n), (kr, n), draws=1000, seed=trial)
        covered += interval.low <= rate / top <= interval.high
    assert 0.90 <= covered / trials <= 0.99


def test_a_clear_shortfall_is_flagged_and_a_small_group_is_not_flagged_by_chance() -> None:
    assert impact_ratio_interval((300, 1000), (600, 1000)).below(0.8)
    shaky = impact_ratio_interval((7, 12), (800, 1000))  # 0.73, from 12 people
    assert shaky.point < 0.8 and not shaky.below(0.8)


def test_rates_of_nothing_and_everything_are_handled() -> None:
    assert impact_ratio_interval((0, 50), (0, 50)) == RatioInterval(1.0, 1.0, 1.0)
    assert impact_ratio_interval((0, 50), (50, 50)).high == 0.0
    rng = np.random.default_rng(0)
    assert set(bootstrap_rates(5, 5, draws=10, rng=rng)) == {1.0}
    with pytest.raises(ValueError, match="at least one trial"):
        bootstrap_rates(0, 0, draws=10, rng=rng)
