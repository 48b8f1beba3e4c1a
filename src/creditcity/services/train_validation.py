"""The validation of a ledger-trained model: in time, out of time, by tier, by feature, the gate.

In time is the training vintage, measured on out-of-fold scores (each person
scored by a fold model that never saw them; the scale is fixed, so fold
scores are comparable). Out of time is a later vintage of the same outcomes
file, scored by the final model on features as of its own date. Population
stability compares the final model's scores of everyone on file at the
training date with everyone on file at the later date.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from creditcity.domain.policy import Policy
from creditcity.scoring import metrics
from creditcity.scoring.points import PointsTable
from creditcity.scoring.scaling import Scaling
from creditcity.scoring.validation import (
    CURVES_VERSION,
    TierBand,
    bootstrap_intervals,
    calibration_bands,
    feature_table,
    gate_failures,
    roc_points,
    tier_table,
)

__all__ = ["later_sample", "validation_report"]

Ints = npt.NDArray[np.int64]


def _bands(policy: Policy) -> list[TierBand]:
    return [
        TierBand(t.name, t.min_score, t.max_score, t.expected_default_rate) for t in policy.tiers
    ]


def _curves(y: Ints, scores: Ints, scaling: Scaling) -> dict[str, Any]:
    """The ROC points and calibration bands the model page draws (see ``CURVES_VERSION``)."""
    stated = scaling.probability_of_event(scores.astype(np.float64))
    return {"roc": roc_points(y, scores), "calibration": calibration_bands(y, scores, stated)}


def later_sample(
    as_of: str, y: Ints, scores: Ints, population: Ints, policy: Policy, scaling: Scaling
) -> dict[str, Any]:
    """Out-of-time figures for a later vintage (labelled people and everyone on file)."""
    return {
        "as_of": as_of,
        "people": int(y.size),
        "events": int(y.sum()),
        **bootstrap_intervals(y, scores),
        "tiers": tier_table(scores, y, _bands(policy)),
        **_curves(y, scores, scaling),
        "population": int(population.size),
    }


def validation_report(
    *,
    table: PointsTable,
    policy: Policy,
    cv: dict[str, Any],
    y: Ints,
    oof_scores: Ints,
    population_scores: Ints,
    later: dict[str, Any] | None,
    later_population: Ints | None,
) -> dict[str, Any]:
    """Everything the artefact records and the gate decides on."""
    psi = (
        None
        if later_population is None or not later_population.size
        else metrics.psi(population_scores, later_population)
    )
    failures = gate_failures(policy.model_gate, auc=float(cv["auc_mean"]), psi=psi, table=table)
    return {
        "cross_validation": cv,
        "curves_version": CURVES_VERSION,
        "people": int(y.size),
        "in_time": {
            "people": int(y.size),
            "events": int(y.sum()),
            **bootstrap_intervals(y, oof_scores),
            "tiers": tier_table(oof_scores, y, _bands(policy)),
            **_curves(y, oof_scores, table.scaling),
        },
        "out_of_time": later,
        "population_stability": {
            "score_psi": psi,
            "training_population": int(population_scores.size),
            "later_population": None if later_population is None else int(later_population.size),
        },
        "scored_population_tiers": tier_table(population_scores, None, _bands(policy)),
        "features": feature_table(table),
        "gate": {
            "thresholds": policy.model_gate.to_dict(),
            "passed": not failures,
            "failures": failures,
        },
    }
