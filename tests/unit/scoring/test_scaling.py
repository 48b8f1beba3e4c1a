"""PDO scaling: the textbook properties, and a points table that always stays in range."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcity.scoring.scaling import (
    clip_scores,
    factor_for,
    feature_points,
    log_odds_from_score,
    offset_for,
    scale_points,
    score_from_log_odds,
)

FACTOR = factor_for(40.0)
OFFSET = offset_for(600.0, 50.0, FACTOR)
log_odds = st.floats(-20.0, 20.0, allow_nan=False)


def test_the_defaults_give_600_at_odds_50_to_1() -> None:
    assert score_from_log_odds(math.log(50.0), factor=FACTOR, offset=OFFSET) == pytest.approx(600)
    assert pytest.approx(40 / math.log(2)) == FACTOR


@given(log_odds)
def test_doubling_the_odds_adds_pdo_points(value: float) -> None:
    before = score_from_log_odds(value, factor=FACTOR, offset=OFFSET)
    after = score_from_log_odds(value + math.log(2.0), factor=FACTOR, offset=OFFSET)
    assert after - before == pytest.approx(40.0)


@given(log_odds, log_odds)
def test_better_odds_never_score_lower(a: float, b: float) -> None:
    sa = score_from_log_odds(a, factor=FACTOR, offset=OFFSET)
    sb = score_from_log_odds(b, factor=FACTOR, offset=OFFSET)
    assert (a <= b) == (sa <= sb) or sa == pytest.approx(sb)


@given(log_odds)
def test_score_and_log_odds_invert_each_other(value: float) -> None:
    score = score_from_log_odds(value, factor=FACTOR, offset=OFFSET)
    assert log_odds_from_score(score, factor=FACTOR, offset=OFFSET) == pytest.approx(value)


def test_feature_points_grow_with_woe_for_a_negative_coefficient() -> None:
    woe = np.array([-1.0, 0.0, 1.5])
    assert np.all(np.diff(feature_points(woe, -0.8, FACTOR)) > 0)


tables = st.lists(
    st.lists(st.floats(-4.0, 4.0, allow_nan=False), min_size=1, max_size=5),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(intercept=st.floats(-6.0, 8.0), contributions=tables)
def test_every_model_gets_the_published_scale_and_clipped_scores_stay_in_range(
    intercept: float, contributions: list[list[float]]
) -> None:
    arrays = [np.array(c) for c in contributions]
    scaling, base, points = scale_points(
        intercept, arrays, base_score=600, base_odds=50, pdo=40, score_min=350, score_max=950
    )
    assert scaling.factor == pytest.approx(FACTOR)  # never shrunk to fit
    assert all(int(p.min()) == 0 for p in points)  # each feature's worst bin is worth 0
    raw = np.array([base + sum(int(x) for x in combo) for combo in itertools.product(*points)])
    clipped = clip_scores(raw, scaling)
    assert clipped.min() >= 350 and clipped.max() <= 950
    inside = (raw >= 350) & (raw <= 950)
    assert np.array_equal(clipped[inside], raw[inside])  # an exact sum wherever it fits
    # points follow the log-odds order within each feature
    for c, p in zip(arrays, points, strict=True):
        order = np.argsort(c, kind="stable")
        assert np.all(np.diff(p[order]) >= 0)


def test_a_score_means_the_same_odds_under_two_different_models() -> None:
    tight = scale_points(
        math.log(50.0),
        [np.array([-0.5, 0.0, 0.5])],
        base_score=600,
        base_odds=50,
        pdo=40,
        score_min=350,
        score_max=950,
    )
    wide = scale_points(
        0.0,
        [np.array([-6.0, 6.0]), np.array([-5.0, 5.0])],
        base_score=600,
        base_odds=50,
        pdo=40,
        score_min=350,
        score_max=950,
    )
    assert tight[0] == wide[0]  # the same factor and offset
    assert tight[1] == round(600 - 0.5 * FACTOR)
    assert list(tight[2][0]) == [0, round(0.5 * FACTOR), round(1.0 * FACTOR)]
    # the wide model's extremes leave the range and are clipped, not compressed
    lowest = wide[1]
    highest = wide[1] + sum(int(p.max()) for p in wide[2])
    assert lowest < 350 and highest > 950
    assert list(clip_scores(np.array([lowest, highest]), wide[0])) == [350, 950]


def test_a_base_score_outside_the_range_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        scale_points(
            0.0,
            [np.array([0.0])],
            base_score=1000,
            base_odds=50,
            pdo=40,
            score_min=350,
            score_max=950,
        )
