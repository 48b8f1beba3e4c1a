"""Reasons: up to four by points lost, stable codes, the exact points of the nearest better bin."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from creditcity.domain.catalogue import Dimension
from creditcity.domain.reason_catalogue import Direction
from creditcity.scoring import Bin, BinKind, FeatureSpec
from creditcity.scoring.reasons import family_ids, rank_losses, steps_for
from creditcity.scoring.scorecard import Scorecard

from ._synthetic import SPECS, make_table

PH, NO, HL = Dimension.PAYMENT_HISTORY, Dimension.NEW_OBLIGATIONS, Dimension.HISTORY_LENGTH


def _ranges(*edges: float) -> list[Bin]:
    bounds = [None, *edges, None]
    return [Bin(BinKind.RANGE, lower=lo, upper=hi) for lo, hi in pairwise(bounds)] + [
        Bin(BinKind.MISSING)
    ]


def test_at_most_four_reasons_are_given_largest_loss_first() -> None:
    assert rank_losses([5, 30, 0, 12, 30, 7, 1]) == [1, 4, 3, 5]


def test_one_reason_is_given_per_family_the_largest_loss_of_it() -> None:
    families = family_ids(["late_1_29_days_12m", "late_1_29_days_ever", "loan_defaults"])
    assert families[0] == families[1] != families[2]
    assert rank_losses([10, 20, 5], families) == [1, 2]


def test_features_that_lost_nothing_are_never_reasons() -> None:
    assert rank_losses([0, 0, 3]) == [2]
    assert rank_losses([0, 0]) == []


def test_a_high_count_points_to_the_next_lower_band_with_its_exact_points() -> None:
    spec = FeatureSpec("late_30_59_days_12m", PH)
    points = np.array([40, 25, 10, 0, 40], dtype=np.int64)  # bins: <=0, (0,2], (2,5], >5, NA
    steps = steps_for(spec, _ranges(0.0, 2.0, 5.0), points)
    assert steps[0] is None  # the best band is no reason
    assert steps[3] is not None and steps[3].direction is Direction.HIGH
    assert (steps[3].gain, steps[3].target) == (10, 5.0)  # at most 5: 10 points more
    assert steps[2] is not None and (steps[2].gain, steps[2].target) == (15, 2.0)
    assert {s.code for s in steps if s} == {"PH-LATE_MODERATE_RECENT-HI"}


def test_a_short_history_points_to_the_next_longer_band_in_whole_months() -> None:
    spec = FeatureSpec("history_length_months", HL)
    points = np.array([0, 12, 30, 5], dtype=np.int64)  # <=6.5, (6.5, 24], >24, no record
    steps = steps_for(spec, _ranges(6.5, 24.0), points)
    assert steps[0] is not None and steps[0].direction is Direction.LOW
    assert (steps[0].gain, steps[0].target) == (12, 7.0)  # more than 6.5 months: 7
    missing = steps[3]
    assert missing is not None and missing.direction is Direction.MISSING
    assert (missing.gain, missing.target) == (7, 7.0)  # the band that adds the fewest points


def test_a_reason_that_would_mean_borrowing_more_is_never_given() -> None:
    spec = FeatureSpec("new_obligations_12m", NO)
    # the model found people with no new obligations riskier than those with one or two
    points = np.array([10, 30, 20, 0, 10], dtype=np.int64)  # 0, (0,2], (2,4], >4, NA
    steps = steps_for(spec, _ranges(0.0, 2.0, 4.0), points)
    assert steps[0] is None  # "0 new obligations": nothing tells this person to borrow
    assert steps[2] is not None and steps[2].direction is Direction.HIGH
    assert steps[3] is not None and steps[3].target == 4.0


def test_nothing_on_file_for_cards_is_never_a_reason() -> None:
    spec = FeatureSpec("card_utilisation", Dimension.OBLIGATIONS_CAPACITY)
    points = np.array([30, 10, 0, 5], dtype=np.int64)
    steps = steps_for(spec, _ranges(0.3, 0.8), points)
    assert steps[3] is None  # the only remedy would be to take a card
    assert steps[2] is not None and steps[2].target == 0.8


def test_codes_of_features_the_catalogue_lacks_name_the_feature_and_direction() -> None:
    spec = FeatureSpec("credit amount", code=None)
    points = np.array([0, 10, 3], dtype=np.int64)
    steps = steps_for(spec, _ranges(1000.0), points)
    assert steps[0] is not None and steps[0].code == "GN-CREDIT_AMOUNT-LO"
    categories = [
        Bin(BinKind.CATEGORIES, categories=("a",)),
        Bin(BinKind.CATEGORIES, categories=("b", "c")),
    ]
    band = steps_for(FeatureSpec("housing"), categories, np.array([0, 8], dtype=np.int64))[0]
    assert band is not None and (band.code, band.target, band.gain) == ("GN-HOUSING-CAT", "b, c", 8)


def test_reaching_the_target_raises_the_score_by_exactly_the_points_stated() -> None:
    columns, y = make_table(3000, seed=1)
    card = Scorecard(features=list(SPECS)).fit(columns, y)
    head = {k: v[:200].copy() for k, v in columns.items()}
    checked = 0
    for row, explanation in enumerate(card.explain(head)):
        for reason in explanation.reasons:
            if reason.direction not in (Direction.HIGH, Direction.LOW):
                continue
            assert isinstance(reason.target, float)
            person = {k: v[row : row + 1].copy() for k, v in head.items()}
            # "at most" a target is in its band; "above" one (a ratio, an amount) just past it
            low = reason.direction is Direction.LOW and reason.feature != "new_obligations_6m"
            person[reason.feature][0] = (
                np.nextafter(reason.target, np.inf) if low else reason.target
            )
            moved = card.explain(person)[0]
            assert moved.score - explanation.score == reason.points_gain
            checked += 1
    assert checked > 50
