"""Validation metrics agree with scikit-learn and scipy where those have them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp
from sklearn.metrics import brier_score_loss, roc_auc_score

from creditcity.scoring import metrics

samples = st.integers(0, 100_000).map(lambda seed: np.random.default_rng(seed))


def _draw(rng: np.random.Generator, n: int = 300) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    risk = np.round(rng.normal(size=n) + y * rng.uniform(0, 2), 1)  # rounding makes ties
    return y, risk


@settings(max_examples=50, deadline=None)
@given(samples)
def test_auc_and_gini_match_scikit_learn_including_ties(rng: np.random.Generator) -> None:
    y, risk = _draw(rng)
    assert metrics.auc(y, risk) == pytest.approx(roc_auc_score(y, risk))
    assert metrics.gini(y, risk) == pytest.approx(2 * roc_auc_score(y, risk) - 1)


@settings(max_examples=50, deadline=None)
@given(samples)
def test_ks_matches_scipy_two_sample_statistic(rng: np.random.Generator) -> None:
    y, risk = _draw(rng)
    expected = ks_2samp(risk[y == 1], risk[y == 0]).statistic
    assert metrics.ks(y, risk) == pytest.approx(expected)


@settings(max_examples=30, deadline=None)
@given(samples)
def test_brier_matches_scikit_learn(rng: np.random.Generator) -> None:
    y = rng.integers(0, 2, 200)
    p = rng.uniform(size=200)
    assert metrics.brier(y, p) == pytest.approx(brier_score_loss(y, p))


def test_calibration_by_decile_groups_rows_by_predicted_risk() -> None:
    p = np.linspace(0.01, 0.99, 1000)
    y = (np.arange(1000) % 2).astype(int)
    rows = metrics.calibration_by_decile(y, p)
    assert [r.decile for r in rows] == list(range(1, 11))
    assert sum(r.count for r in rows) == 1000
    assert all(a.predicted < b.predicted for a, b in itertools.pairwise(rows))
    assert rows[0].observed == pytest.approx(0.5)


def test_psi_is_zero_for_the_same_population_and_grows_with_a_shift() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(600, 50, 20_000)
    assert metrics.psi(base, base) == pytest.approx(0.0, abs=1e-12)
    small = metrics.psi(base, rng.normal(605, 50, 20_000))
    large = metrics.psi(base, rng.normal(660, 50, 20_000))
    assert 0 < small < 0.1 < 0.25 < large


def test_auc_refuses_a_sample_with_one_class() -> None:
    with pytest.raises(ValueError, match="both"):
        metrics.auc([1, 1, 1], [0.1, 0.2, 0.3])
