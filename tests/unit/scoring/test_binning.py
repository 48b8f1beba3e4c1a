"""Monotone binning: monotone event rates, own bins for missing and special values, WoE."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from creditcity.errors import InputRejected
from creditcity.scoring import BinKind, BinningProcess, MonotoneBinning, _merge
from creditcity.scoring._merge import pool_adjacent_violators

from ._synthetic import make_table


def regular_rates(binning: MonotoneBinning) -> list[float]:
    return [b.event_rate for b in binning.bins_ if b.kind in (BinKind.RANGE, BinKind.CATEGORIES)]


def is_monotone(rates: list[float]) -> bool:
    diffs = np.diff(rates)
    return bool(np.all(diffs > 0) or np.all(diffs < 0)) if len(rates) > 1 else True


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), slope=st.floats(-3.0, 3.0), n=st.integers(50, 2000))
def test_numeric_bins_have_a_strictly_monotone_event_rate(seed: int, slope: float, n: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-slope * x))).astype(int)
    y[:2] = [0, 1]
    binning = MonotoneBinning().fit(x, y)
    rates = regular_rates(binning)
    assert is_monotone(rates)
    assert len(rates) <= binning.max_bins
    assert sum(b.count for b in binning.bins_) == n


def test_a_small_bin_shrunk_past_its_larger_neighbour_is_merged_so_points_never_zigzag() -> None:
    # raw rates 5% < 6% < 15% rise; shrunk by 20 pseudo-people towards 12%, the small
    # first bin reads 8.5%, above its neighbour's 6.1%: points would go up and down
    events = np.array([1.0, 60.0, 300.0])
    totals = np.array([20.0, 1000.0, 1980.0])
    prior = _merge.Prior(events.sum(), (totals - events).sum(), smoothing=20.0)
    starts, _ = _merge.monotone_grouping(
        events, totals, ascending=True, min_count=0.0, max_groups=8, prior=prior
    )
    assert starts == [0, 2]
    woe = _merge.woe(np.add.reduceat(events, starts), np.add.reduceat(totals, starts), prior)
    assert np.all(np.diff(woe) < 0)


def test_auto_trend_keeps_the_direction_with_the_larger_information_value() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 5000)
    y = (rng.random(5000) < 0.5 - 0.04 * x).astype(int)  # risk falls as x grows
    auto = MonotoneBinning().fit(x, y)
    up = MonotoneBinning(trend="ascending").fit(x, y)
    down = MonotoneBinning(trend="descending").fit(x, y)
    assert auto.trend_ == "descending"
    assert auto.iv_ == pytest.approx(max(up.iv_, down.iv_))
    assert down.iv_ > up.iv_


def test_missing_and_special_values_get_bins_of_their_own() -> None:
    x = np.array([1.0, 2.0, 3.0, np.nan, -1.0, 4.0, np.nan, -1.0] * 50)
    y = np.array([0, 0, 1, 1, 0, 1, 1, 0] * 50)
    binning = MonotoneBinning(special_values=(-1.0,)).fit(x, y)
    kinds = [b.kind for b in binning.bins_]
    assert kinds[-2:] == [BinKind.SPECIAL, BinKind.MISSING]
    assert binning.bins_[-1].count == 100 and binning.bins_[-2].count == 100
    bins = binning.transform_bins(np.array([np.nan, -1.0, 2.0]))
    assert list(bins[:2]) == [len(kinds) - 1, len(kinds) - 2]
    assert bins[2] < len(kinds) - 2


def test_an_empty_missing_bin_has_woe_zero_and_safer_bins_have_higher_woe() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, 3000)
    y = (rng.random(3000) < x).astype(int)
    binning = MonotoneBinning().fit(x, y)
    assert binning.bins_[-1].count == 0 and binning.woe_[-1] == 0.0
    regular = binning.woe_[:-1]
    assert np.all(np.diff(regular) < 0)  # risk rises with x, so WoE falls


def test_every_regular_bin_holds_at_least_the_minimum_share() -> None:
    rng = np.random.default_rng(3)
    x = rng.exponential(size=2000)
    y = (rng.random(2000) < 0.2 + 0.1 * np.minimum(x, 3)).astype(int)
    binning = MonotoneBinning(min_bin_share=0.1, max_prebins=40).fit(x, y)
    counts = [b.count for b in binning.bins_ if b.kind is BinKind.RANGE]
    assert len(counts) > 1 and min(counts) >= 200


def test_categories_are_ordered_by_event_rate_and_small_ones_are_merged() -> None:
    cats = np.array(["a"] * 400 + ["b"] * 400 + ["c"] * 400 + ["rare"] * 10, dtype=object)
    y = np.array(
        [1] * 40 + [0] * 360 + [1] * 200 + [0] * 200 + [1] * 100 + [0] * 300 + [1] * 5 + [0] * 5
    )
    binning = MonotoneBinning().fit(cats, y)
    assert binning.kind_ == "categorical"
    regular = [b for b in binning.bins_ if b.kind is BinKind.CATEGORIES]
    assert regular[0].categories[0] == "a"
    assert is_monotone(regular_rates(binning))
    assert any("rare" in b.categories and len(b.categories) > 1 for b in regular)


def test_an_unseen_category_falls_into_the_missing_bin() -> None:
    cats = np.array(["own", "rent"] * 100, dtype=object)
    y = np.array([0, 1] * 100)
    binning = MonotoneBinning().fit(cats, y)
    bins = binning.transform_bins(np.array(["castle", None, "own"], dtype=object))
    assert list(bins[:2]) == [binning.missing_bin_, binning.missing_bin_]
    assert bins[2] != binning.missing_bin_


def test_a_binning_rebuilt_from_its_bins_bins_identically() -> None:
    columns, y = make_table(2000)
    for name in ("utilisation", "housing", "history_months"):
        fitted = MonotoneBinning(special_values=(-1.0,) if name == "history_months" else ())
        fitted.fit(columns[name], y)
        rebuilt = MonotoneBinning.from_bins(fitted.kind_, list(fitted.bins_))
        assert np.array_equal(
            rebuilt.transform_bins(columns[name]), fitted.transform_bins(columns[name])
        )


def test_pool_adjacent_violators_leaves_a_monotone_sequence_of_blocks() -> None:
    events = np.array([5.0, 1.0, 6.0, 2.0, 9.0])
    totals = np.full(5, 10.0)
    starts = pool_adjacent_violators(events, totals, ascending=True)
    rates = np.add.reduceat(events, starts) / np.add.reduceat(totals, starts)
    assert np.all(np.diff(rates) > 0)
    assert starts[0] == 0


def test_the_process_accepts_a_pyarrow_table_or_a_dict_and_agrees_with_itself() -> None:
    columns, y = make_table(3000)
    table = pa.table(columns)
    from_dict = BinningProcess().fit(columns, y)
    from_arrow = BinningProcess(n_jobs=2).fit(table, y)
    assert np.array_equal(from_dict.transform(columns), from_arrow.transform(table))
    assert from_dict.transform(columns).shape == (3000, len(columns))
    assert set(from_dict.iv_) == set(columns)


def test_a_process_must_be_fitted_before_it_transforms() -> None:
    columns, _ = make_table(100)
    with pytest.raises(NotFittedError):
        BinningProcess().transform(columns)


def test_declared_parameter_constraints_reject_bad_values() -> None:
    columns, y = make_table(100)
    with pytest.raises(InvalidParameterError):
        BinningProcess(max_bins=0).fit(columns, y)
    with pytest.raises(InvalidParameterError):
        MonotoneBinning(trend="sideways").fit(columns["utilisation"], y)


@pytest.mark.parametrize(
    "y",
    [np.zeros(100), np.full(100, 2), np.ones(99)],
    ids=["one class", "not 0/1", "wrong length"],
)
def test_an_unusable_target_is_rejected_with_a_reason(y: Any) -> None:
    columns, _ = make_table(100)
    with pytest.raises(InputRejected):
        BinningProcess().fit(columns, y)


def test_estimators_clone_like_scikit_learn_estimators() -> None:
    original = BinningProcess(max_bins=4, special_values={"history_months": (-1.0,)})
    copy = clone(original)
    assert copy.get_params() == original.get_params()
    assert not hasattr(copy, "binnings_")


def test_a_large_column_reads_cut_points_from_a_sample_but_counts_every_row() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=150_000)
    y = (rng.random(150_000) < 1 / (1 + np.exp(-x))).astype(int)
    binning = MonotoneBinning().fit(x, y)
    assert sum(b.count for b in binning.bins_) == 150_000
    assert sum(b.events for b in binning.bins_) == int(y.sum())
    assert is_monotone(regular_rates(binning)) and len(regular_rates(binning)) > 2
