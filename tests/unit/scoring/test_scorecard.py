"""The scorecard: integer scores that are exact sums, one-sided consent features, reasons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from creditcity.domain.catalogue import Dimension
from creditcity.domain.reason_catalogue import render
from creditcity.errors import CharterViolation, InputRejected
from creditcity.scoring import FeatureSpec, Scorecard

from ._synthetic import SPECS, make_table


@pytest.fixture(scope="module")
def data() -> tuple[dict[str, Any], np.ndarray[Any, Any]]:
    return make_table(4000)


@pytest.fixture(scope="module")
def card(data: tuple[dict[str, Any], np.ndarray[Any, Any]]) -> Scorecard:
    columns, y = data
    return Scorecard(features=SPECS, one_sided={"shared_savings"}).fit(columns, y)


def test_fit_returns_the_estimator_and_learns_a_points_table(card: Scorecard) -> None:
    table = card.points_table_
    assert [f.name for f in table.features] == [s.name for s in SPECS]
    assert all(f.points.dtype == np.int64 for f in table.features)


def test_scores_are_integers_inside_350_to_950(card: Scorecard, data: Any) -> None:
    scores = card.predict_score(data[0])
    assert scores.dtype == np.int64
    assert scores.min() >= 350 and scores.max() <= 950


def test_the_score_is_base_plus_the_dimension_points_plus_the_range_clip(
    card: Scorecard, data: Any
) -> None:
    columns, _ = data
    head = {k: v[:300] for k, v in columns.items()}
    scores = card.predict_score(head)
    for explanation, score in zip(card.explain(head), scores, strict=True):
        assert explanation.score == score
        total = explanation.base + sum(explanation.dimensions.values())
        assert total + explanation.clip == score
        assert explanation.base + sum(explanation.points.values()) + explanation.clip == score
        assert explanation.clip == 0 or score in (350, 950)
        assert set(explanation.dimensions) == {d.value for d in Dimension}


def test_the_scorecard_ranks_risk_well_on_data_with_a_known_signal(
    card: Scorecard, data: Any
) -> None:
    columns, y = data
    assert roc_auc_score(y, card.predict_proba(columns)[:, 1]) > 0.7
    assert roc_auc_score(y, -card.predict_score(columns)) > 0.7


def test_the_stated_probability_falls_as_the_score_rises(card: Scorecard, data: Any) -> None:
    columns, _ = data
    scores = card.predict_score(columns)
    proba = card.predict_proba(columns)
    order = np.argsort(scores)
    assert np.all(np.diff(proba[order, 1]) <= 1e-12)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_every_bin_of_a_one_sided_feature_is_worth_at_least_not_sharing(card: Scorecard) -> None:
    feature = next(f for f in card.points_table_.features if f.name == "shared_savings")
    assert feature.one_sided
    assert all(int(p) >= feature.missing_points for p in feature.points)


def test_sharing_consent_data_never_lowers_anyones_score(card: Scorecard, data: Any) -> None:
    columns, _ = data
    withheld = dict(columns, shared_savings=np.full(len(columns["shared_savings"]), np.nan))
    shared = dict(columns, shared_savings=np.random.default_rng(5).gamma(0.5, 2000.0, 4000))
    assert np.all(card.predict_score(shared) >= card.predict_score(withheld))


def test_without_the_one_sided_rule_sharing_could_lower_a_score(data: Any) -> None:
    # the rule is what protects people: unclamped, a low savings bin scores below "not shared"
    columns, y = data
    free = Scorecard(features=SPECS).fit(columns, y)
    feature = next(f for f in free.points_table_.features if f.name == "shared_savings")
    assert int(feature.points.min()) < feature.missing_points


def test_reasons_name_the_largest_losses_with_the_persons_value(card: Scorecard) -> None:
    person = {
        "late_30_12m": np.array([2.0]),
        "utilisation": np.array([1.3]),
        "history_months": np.array([200.0]),
        "new_obligations_6m": np.array([0.0]),
        "housing": np.array(["own"], dtype=object),
        "shared_savings": np.array([np.nan]),
    }
    explanation = card.explain(person)[0]
    lost = [r.points_lost for r in explanation.reasons]
    assert 1 <= len(lost) <= 4 and lost == sorted(lost, reverse=True)
    late = next(r for r in explanation.reasons if r.feature == "late_30_12m")
    assert (late.code, late.value) == ("PH-LATE-HI", 2.0)
    assert render(late.facts, "en").text == "late 30 12m is 2"


def test_a_charter_forbidden_feature_cannot_be_fitted(data: Any) -> None:
    columns, y = data
    with pytest.raises(CharterViolation, match="age_in_years"):
        Scorecard().fit(dict(columns, age_in_years=np.ones(4000)), y)


def test_one_sided_must_name_a_feature(data: Any) -> None:
    columns, y = data
    with pytest.raises(InputRejected, match="one_sided"):
        Scorecard(one_sided=("nonexistent",)).fit(columns, y)


def test_a_reason_template_with_an_unknown_placeholder_is_rejected(data: Any) -> None:
    columns, y = data
    spec = FeatureSpec("utilisation", reason="utilisation {percent}")
    with pytest.raises(InputRejected, match="not usable"):
        Scorecard(features=[spec]).fit(columns, y)


def test_a_scorecard_must_be_fitted_before_it_scores(data: Any) -> None:
    with pytest.raises(NotFittedError):
        Scorecard().predict_score(data[0])


def test_a_feature_with_a_wrong_signed_coefficient_is_dropped(data: Any) -> None:
    columns, y = data
    # a near-copy of utilisation, binned coarsely, pulls its twin's coefficient the wrong way
    rng = np.random.default_rng(9)
    twin = np.nan_to_num(columns["utilisation"], nan=0.7) + rng.normal(0, 0.01, 4000)
    card = Scorecard(max_bins=2).fit(dict(columns, twin=twin), y)
    assert all(f.coefficient <= 0 for f in card.points_table_.features)
    kept = {f.name for f in card.points_table_.features}
    assert kept.isdisjoint(card.dropped_features_)
    assert kept | set(card.dropped_features_) == set(columns) | {"twin"}


def test_the_scorecard_clones_and_refits_to_the_same_table(card: Scorecard, data: Any) -> None:
    columns, y = data
    again = clone(card).fit(columns, y)
    assert np.array_equal(again.predict_score(columns), card.predict_score(columns))
