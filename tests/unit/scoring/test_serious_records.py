"""Serious records get their own bins and a price however rare; voluntary data needs signal."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from creditcity.domain.catalogue import Dimension
from creditcity.domain.policy_gate import ModelGate
from creditcity.errors import InputRejected
from creditcity.scoring import FeatureSpec, ModelArtefact, Scorecard
from creditcity.scoring.binning import MonotoneBinning
from creditcity.scoring.validation import TierBand, gate_failures, tier_table

SPECS = (
    FeatureSpec("late_12m", Dimension.PAYMENT_HISTORY, kind="numeric"),
    FeatureSpec("judgments", Dimension.PUBLIC_RECORDS, kind="numeric", serious=True),
    FeatureSpec("frauds", Dimension.PUBLIC_RECORDS, kind="numeric", serious=True),
    FeatureSpec("spending_cv", Dimension.OBLIGATIONS_CAPACITY, kind="numeric"),
)


def _city(n: int = 6000, seed: int = 0) -> tuple[dict[str, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    late = rng.poisson(np.exp(-0.5 - 0.8 * z)).astype(float)
    judgments = (rng.random(n) < 0.02 * np.exp(-z)).astype(float)  # about 3%, riskier people
    frauds = np.zeros(n)
    frauds[rng.choice(n, 6, replace=False)] = 1.0  # six people, whatever their risk
    cv = rng.uniform(0, 1, n)  # voluntary and pure noise
    cv[rng.random(n) < 0.8] = np.nan
    y = (rng.random(n) < 1 / (1 + np.exp(3.0 + 1.2 * z - 1.5 * judgments))).astype(int)
    return {"late_12m": late, "judgments": judgments, "frauds": frauds, "spending_cv": cv}, y


@pytest.fixture(scope="module")
def card() -> Scorecard:
    columns, y = _city()
    return Scorecard(
        features=SPECS, one_sided=("spending_cv",), base_score=650, base_odds=13, pdo=60
    ).fit(columns, y)


def _points(card: Scorecard, name: str) -> list[int]:
    feature = next(f for f in card.points_table_.features if f.name == name)
    return [int(p) for p in feature.points]


def test_a_rare_serious_record_keeps_a_bin_of_its_own_instead_of_merging_by_share() -> None:
    x = np.zeros(5000)
    x[:20] = 1.0
    y = np.zeros(5000, dtype=int)
    y[:8] = 1
    y[100:400] = 1
    plain = MonotoneBinning(min_bin_share=0.05).fit(x, y)
    serious = MonotoneBinning(min_bin_share=0.05, serious=True).fit(x, y)
    assert len(plain.bins_) == 2  # one "any value" bin + missing: the record is invisible
    assert [b.count for b in serious.bins_[:2]] == [4980, 20]


def test_two_records_get_their_own_bin_only_with_enough_events_and_a_higher_rate() -> None:
    x = np.concatenate([np.zeros(4000), np.ones(100), np.full(60, 2.0)])
    y = np.concatenate([np.zeros(3800), np.ones(200), np.zeros(70), np.ones(30), np.ones(60)])
    assert len(MonotoneBinning(serious=True).fit(x, y.astype(int)).bins_) == 4
    assert len(MonotoneBinning(serious=True, min_bin_events=80).fit(x, y.astype(int)).bins_) == 3


def test_serious_records_cost_points_even_when_only_six_people_have_one(card: Scorecard) -> None:
    judgment = _points(card, "judgments")
    fraud = _points(card, "frauds")
    assert judgment[0] - judgment[1] >= 30
    assert fraud[0] - fraud[1] >= 10  # priced through the pooled serious prior
    assert not gate_failures(ModelGate(min_auc=0.5), auc=0.7, psi=0.05, table=card.points_table_)


def test_voluntary_data_without_signal_is_left_out(card: Scorecard) -> None:
    assert "spending_cv" in card.dropped_features_
    assert all(f.name != "spending_cv" for f in card.points_table_.features)


def test_the_gate_names_every_threshold_a_model_misses(card: Scorecard) -> None:
    strict = ModelGate(min_auc=0.9, max_psi=0.1, min_serious_points=500)
    failures = gate_failures(strict, auc=0.7, psi=0.3, table=card.points_table_)
    assert len(failures) == 3
    assert "AUC 0.700 is below" in failures[0] and "PSI 0.300" in failures[1]
    assert "judgments" in failures[2]


def test_the_tier_table_counts_people_and_their_observed_default_rate() -> None:
    bands = [TierBand("low", 350, 599, 0.2), TierBand("high", 600, 950, 0.05)]
    rows = tier_table(np.array([400, 500, 700, 800]), np.array([1, 0, 0, 0]), bands)
    assert [(r["people"], r["share"], r["observed_default_rate"]) for r in rows] == [
        (2, 0.5, 0.5),
        (2, 0.5, 0.0),
    ]


def test_an_artefact_whose_voluntary_bin_would_lower_a_score_is_refused_on_load(
    card: Scorecard,
) -> None:
    columns, y = _city(3000, seed=2)
    one_sided = Scorecard(features=SPECS, one_sided=("late_12m",), min_iv_one_sided=0.0)
    fitted = one_sided.fit(columns, y)
    artefact = ModelArtefact(fitted, version="v", created_at="t", training_sha256="ab" * 32)
    data = artefact.to_dict()
    feature = next(f for f in data["features"] if f["name"] == "late_12m")
    feature["bins"][0]["points"] = feature["bins"][-1]["points"] - 5  # below "not shared"
    with pytest.raises(InputRejected, match="one-sided"):
        ModelArtefact.from_dict(data)
