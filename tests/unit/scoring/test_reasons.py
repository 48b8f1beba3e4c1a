"""Reason codes: up to four by points lost, a fifth for new obligations, stable codes."""

from __future__ import annotations

from creditcity.domain.catalogue import Dimension
from creditcity.scoring import Bin, BinKind, FeatureSpec
from creditcity.scoring.reasons import bin_token, format_value, rank_losses, reason_code, sentence

PH, NO = Dimension.PAYMENT_HISTORY, Dimension.NEW_OBLIGATIONS


def test_at_most_four_reasons_are_given_largest_loss_first() -> None:
    lost = [5, 30, 0, 12, 30, 7, 1]
    assert rank_losses(lost, [PH] * 7) == [1, 4, 3, 5]


def test_features_that_lost_nothing_are_never_reasons() -> None:
    assert rank_losses([0, 0, 3], [PH, PH, PH]) == [2]
    assert rank_losses([0, 0], [PH, NO]) == []


def test_a_fifth_reason_is_added_when_new_obligations_lost_points_outside_the_top_four() -> None:
    lost = [40, 30, 20, 10, 5, 3]
    dims: list[Dimension | None] = [PH, PH, PH, PH, PH, NO]
    assert rank_losses(lost, dims) == [0, 1, 2, 3, 5]


def test_no_fifth_reason_when_new_obligations_is_already_among_the_four() -> None:
    lost = [40, 30, 20, 10, 5]
    dims: list[Dimension | None] = [PH, NO, PH, PH, NO]
    assert rank_losses(lost, dims) == [0, 1, 2, 3]


def test_codes_join_dimension_stem_and_bin() -> None:
    spec = FeatureSpec("late_30_12m", PH, code="LATE")
    assert reason_code(spec, Bin(BinKind.RANGE, lower=30.0, upper=60.0), 2) == "PH-LATE-30"
    assert reason_code(spec, Bin(BinKind.RANGE, upper=1.0), 0) == "PH-LATE-LO"
    assert reason_code(spec, Bin(BinKind.MISSING), 5) == "PH-LATE-NA"
    untyped = FeatureSpec("credit amount")
    assert reason_code(untyped, Bin(BinKind.CATEGORIES, categories=("a",)), 1) == (
        "GN-CREDIT_AMOUNT-C2"
    )
    assert bin_token(Bin(BinKind.SPECIAL, special=-1.0), 3) == "SPN1"


def test_the_sentence_is_the_template_filled_with_the_persons_value() -> None:
    spec = FeatureSpec(
        "late", PH, reason="{value} instalments paid 30–59 days late in the last 12 months"
    )
    band = Bin(BinKind.RANGE, lower=1.0, upper=2.0)
    assert sentence(spec, band, 2.0) == "2 instalments paid 30–59 days late in the last 12 months"
    default = FeatureSpec("housing")
    assert sentence(default, Bin(BinKind.CATEGORIES, categories=("rent",)), "rent") == (
        "housing is rent (band rent)"
    )


def test_values_are_written_as_people_write_them() -> None:
    assert format_value(2.0) == "2"
    assert format_value(0.25) == "0.25"
    assert format_value(float("nan")) == "not provided"
    assert format_value(None) == "not provided"
