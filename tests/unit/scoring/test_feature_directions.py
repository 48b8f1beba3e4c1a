"""Features with a known direction keep it in every trained model.

More late payments, more lost items or more new borrowing never earn points; more
obligations met on time and a longer clean spell never cost any. The direction is
declared in the feature registry (``TRENDS``) and held by the binning, so a refit
cannot learn the opposite from a quirk of its sample.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from creditcity.features.definitions import FEATURES, TRENDS
from creditcity.scoring import FeatureSpec, Scorecard
from creditcity.scoring.bins import BinKind
from creditcity.scoring.points import FeaturePoints

from ._city import city_features, city_scorecard


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Scorecard:
    X, y = city_features(tmp_path_factory.mktemp("city"), residents=6_000, seed=5)
    return city_scorecard(X, y)


def _value_points(feature: FeaturePoints) -> np.ndarray:
    """Points of the value bins in value order (missing and special bins left out)."""
    bins = feature.binning.bins_
    return np.array(
        [p for b, p in zip(bins, feature.points, strict=True) if b.kind is BinKind.RANGE]
    )


def test_every_feature_of_the_registry_declares_the_direction_the_spec_carries() -> None:
    for name, trend in TRENDS.items():
        assert FEATURES[name].trend == trend
    assert TRENDS["new_obligations_6m"] == TRENDS["new_obligations_12m"] == "ascending"


def test_no_trained_bin_rewards_more_of_a_feature_that_is_never_safer(card: Scorecard) -> None:
    checked = 0
    for feature in card.points_table_.features:
        trend = TRENDS.get(feature.name)
        points = _value_points(feature)
        if trend is None or points.size < 2:
            continue
        steps = np.diff(points)
        if trend == "ascending":
            assert (steps <= 0).all(), (feature.name, points.tolist())
        else:
            assert (steps >= 0).all(), (feature.name, points.tolist())
        checked += 1
    assert checked >= 5


def test_a_declared_direction_holds_even_when_the_sample_says_otherwise() -> None:
    # in this sample more borrowing looks safer; declared 'ascending', the bins merge instead
    rng = np.random.default_rng(3)
    n = 4_000
    loans = rng.integers(0, 6, size=n)
    y = (rng.random(n) < np.where(loans >= 3, 0.03, 0.12)).astype(np.int64)
    X = pa.table({"new_loans": pa.array(loans.astype(np.float64))})
    free = Scorecard(features=[FeatureSpec("new_loans", kind="numeric")]).fit(X, y)
    held = Scorecard(
        features=[FeatureSpec("new_loans", kind="numeric", trend="ascending")],
        drop_wrong_sign=False,
    ).fit(X, y)
    learned = _value_points(free.points_table_.features[0])
    kept = _value_points(held.points_table_.features[0])
    assert np.diff(learned).max() > 0
    assert (np.diff(kept) <= 0).all()
    assert kept.size < learned.size


def test_a_spec_with_an_unknown_direction_is_refused_and_a_known_one_round_trips() -> None:
    assert FeatureSpec("x", trend="upwards").problems()
    spec = FeatureSpec("x", trend="descending")
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
    assert "trend" not in FeatureSpec("x").to_dict()  # older artefacts read the same
