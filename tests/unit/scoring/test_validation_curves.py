"""The curves a model's validation stores for the office's model page: ROC and calibration."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from creditcity.scoring.validation import calibration_bands, roc_points


def _sample(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scores = rng.integers(350, 951, n)
    risk = 1.0 / (1.0 + np.exp((scores - 600) / 40))
    return (rng.random(n) < risk).astype(np.int64), scores


def test_roc_points_run_from_nobody_refused_to_everyone_refused_and_only_rise() -> None:
    y, scores = _sample()
    points = roc_points(y, scores)
    assert points[0] | {"score": 0} == {"score": 0, "tpr": 0.0, "fpr": 0.0}
    assert (points[-1]["tpr"], points[-1]["fpr"]) == (1.0, 1.0)
    assert len(points) <= 22
    for before, after in pairwise(points):
        assert after["score"] > before["score"]
        assert after["tpr"] >= before["tpr"] and after["fpr"] >= before["fpr"]
    # refusing below a cut-off turns away defaulters faster than good payers
    assert all(p["tpr"] >= p["fpr"] for p in points)


def test_roc_points_are_rounded_so_the_artefact_stays_small() -> None:
    y, scores = _sample()
    assert all(round(p["tpr"], 4) == p["tpr"] for p in roc_points(y, scores))


def test_roc_points_need_both_outcomes() -> None:
    assert roc_points(np.zeros(10, dtype=np.int64), np.arange(10)) == []


def test_calibration_bands_cover_everyone_in_score_order_with_both_rates() -> None:
    y, scores = _sample()
    stated = 1.0 / (1.0 + np.exp((scores - 600) / 40))
    bands = calibration_bands(y, scores, stated)
    assert len(bands) == 10 and sum(b["people"] for b in bands) == y.size
    assert all(a["high"] <= b["low"] for a, b in pairwise(bands))
    # a well-calibrated score: observed within a few points of expected in every band
    assert all(abs(b["observed"] - b["expected"]) < 0.08 for b in bands)
    assert bands[0]["expected"] > bands[-1]["expected"]
