"""The validation a model validator signs: intervals, tiers, features, stability, the gate.

Pure functions over scores and outcomes (``y`` 1 = default). Intervals are
percentile bootstraps (resampling people with replacement, a fixed seed, so
a report is reproducible). The activation gate compares a model's figures
with the policy's thresholds and says, in words, every one it misses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from creditcity.domain.policy_gate import ModelGate
from creditcity.scoring import metrics
from creditcity.scoring.bins import BinKind
from creditcity.scoring.points import PointsTable

__all__ = [
    "CURVES_VERSION",
    "TierBand",
    "bootstrap_intervals",
    "calibration_bands",
    "feature_table",
    "gate_failures",
    "roc_points",
    "tier_table",
    "unmonotone_features",
    "unpriced_serious",
]

BOOTSTRAP_ROUNDS = 200
#: What the stored curves are: 1 = ROC at score cut-offs (``roc``) and calibration by
#: score decile (``calibration``), in each validated sample. Artefacts made before
#: them have neither; a reader checks this key, not the shape of the lists.
CURVES_VERSION = 1
_CUTOFFS = 20
_DIGITS = 4


@dataclass(frozen=True, slots=True)
class TierBand:
    """A policy tier as validation needs it: name, band, stated expected default rate."""

    name: str
    min_score: int
    max_score: int
    expected_default_rate: float | None = None


def bootstrap_intervals(
    y: npt.ArrayLike, scores: npt.ArrayLike, *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0
) -> dict[str, dict[str, float]]:
    """AUC, Gini and KS of ``scores`` (higher = safer) with 95% bootstrap intervals."""
    yy = np.asarray(y, dtype=np.int64)
    risk = -np.asarray(scores, dtype=np.float64)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {"auc": [], "gini": [], "ks": []}
    for _ in range(rounds):
        pick = rng.integers(0, yy.size, yy.size)
        if 0 < yy[pick].sum() < yy.size:
            a = metrics.auc(yy[pick], risk[pick])
            draws["auc"].append(a)
            draws["gini"].append(2.0 * a - 1.0)
            draws["ks"].append(metrics.ks(yy[pick], risk[pick]))
    point = {"auc": metrics.auc(yy, risk), "ks": metrics.ks(yy, risk)}
    point["gini"] = 2.0 * point["auc"] - 1.0
    return {
        name: {
            "value": point[name],
            "low": float(np.percentile(values, 2.5)),
            "high": float(np.percentile(values, 97.5)),
        }
        for name, values in draws.items()
    }


def tier_table(
    scores: npt.ArrayLike, y: npt.ArrayLike | None, tiers: Sequence[TierBand]
) -> list[dict[str, Any]]:
    """Per tier: people, share, and (with outcomes) defaults and the observed rate."""
    s = np.asarray(scores, dtype=np.int64)
    yy = None if y is None else np.asarray(y, dtype=np.int64)
    rows = []
    for tier in tiers:
        inside = (s >= tier.min_score) & (s <= tier.max_score)
        count = int(inside.sum())
        row: dict[str, Any] = {
            "tier": tier.name,
            "min_score": tier.min_score,
            "max_score": tier.max_score,
            "people": count,
            "share": count / s.size if s.size else 0.0,
            "expected_default_rate": tier.expected_default_rate,
        }
        if yy is not None:
            defaults = int(yy[inside].sum())
            row["defaults"] = defaults
            row["observed_default_rate"] = defaults / count if count else None
        rows.append(row)
    return rows


def roc_points(
    y: npt.ArrayLike, scores: npt.ArrayLike, *, cutoffs: int = _CUTOFFS
) -> list[dict[str, Any]]:
    """The ROC curve at about ``cutoffs`` score cut-offs, as an operator would use them.

    A point says: refuse everyone scoring below ``score``, and you turn away
    ``tpr`` of those who went on to default and ``fpr`` of those who did not.
    Cut-offs are the score's quantiles (ties merged), plus the two ends, so the
    curve is small enough to store in the artefact and still draws smoothly.
    """
    yy = np.asarray(y, dtype=np.int64)
    s = np.asarray(scores, dtype=np.int64)
    bad, good = int(yy.sum()), int(yy.size - yy.sum())
    if not bad or not good:
        return []
    inner = np.quantile(s, np.linspace(0.0, 1.0, cutoffs + 1)[1:-1])
    marks = np.unique(np.concatenate([[s.min()], np.ceil(inner), [s.max() + 1]])).astype(np.int64)
    points = []
    for mark in marks.tolist():
        refused = s < mark
        points.append(
            {
                "score": int(mark),
                "tpr": round(int(yy[refused].sum()) / bad, _DIGITS),
                "fpr": round(int((refused & (yy == 0)).sum()) / good, _DIGITS),
            }
        )
    return points


def calibration_bands(
    y: npt.ArrayLike, scores: npt.ArrayLike, expected: npt.ArrayLike, *, groups: int = 10
) -> list[dict[str, Any]]:
    """Observed against expected default rate in ``groups`` equal-count score bands.

    ``expected`` is each person's default probability as the scale states it
    for their score, so a band whose observed rate sits far from it means the
    score no longer says what it promises there.
    """
    yy = np.asarray(y, dtype=np.int64)
    s = np.asarray(scores, dtype=np.int64)
    p = np.asarray(expected, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    rows = []
    for idx in np.array_split(order, groups):
        if idx.size:
            rows.append(
                {
                    "low": int(s[idx].min()),
                    "high": int(s[idx].max()),
                    "people": int(idx.size),
                    "expected": round(float(p[idx].mean()), _DIGITS),
                    "observed": round(float(yy[idx].mean()), _DIGITS),
                }
            )
    return rows


def feature_table(table: PointsTable) -> list[dict[str, Any]]:
    """Per feature: information value and every bin's people, events, rate and points."""
    out = []
    for f in table.features:
        bins = [
            {
                "bin": b.label,
                "people": b.count,
                "events": b.events,
                "event_rate": b.events / b.count if b.count else None,
                "points": int(p),
            }
            for b, p in zip(f.binning.bins_, f.points.tolist(), strict=True)
        ]
        out.append(
            {
                "feature": f.name,
                "dimension": f.dimension_key,
                "serious": f.spec.serious,
                "iv": f.binning.iv_,
                "bins": bins,
            }
        )
    return out


def unmonotone_features(table: PointsTable) -> list[str]:
    """Features whose points do not move one way across their value bins."""
    bad = []
    for f in table.features:
        regular = [
            int(p)
            for b, p in zip(f.binning.bins_, f.points.tolist(), strict=True)
            if b.kind in (BinKind.RANGE, BinKind.CATEGORIES) and b.count > 0
        ]
        steps = np.diff(regular)
        if f.binning.kind_ == "numeric" and (steps > 0).any() and (steps < 0).any():
            bad.append(f.name)
    return bad


def unpriced_serious(table: PointsTable, min_points: int) -> list[str]:
    """Serious features seen in training whose record costs fewer than ``min_points``."""
    bad = []
    for f in table.features:
        if not f.spec.serious:
            continue
        regular = [
            (b, int(p))
            for b, p in zip(f.binning.bins_, f.points.tolist(), strict=True)
            if b.kind is BinKind.RANGE
        ]
        if len(regular) < 2 or sum(b.count for b, _ in regular[1:]) == 0:
            continue  # nobody in training had it: nothing to price it from
        cost = regular[0][1] - min(p for _, p in regular[1:])
        if cost < min_points:
            bad.append(f"{f.name} ({cost} points)")
    return bad


def gate_failures(
    gate: ModelGate, *, auc: float, psi: float | None, table: PointsTable
) -> list[str]:
    """Every threshold of the policy's ``[model_gate]`` the model misses, in words."""
    failures = []
    if auc < gate.min_auc:
        failures.append(f"out-of-fold AUC {auc:.3f} is below the policy's minimum {gate.min_auc}")
    if psi is not None and psi > gate.max_psi:
        failures.append(
            f"score PSI {psi:.3f} between the training population and the later one "
            f"exceeds the policy's maximum {gate.max_psi}"
        )
    if gate.require_monotone_bins and (bad := unmonotone_features(table)):
        failures.append(f"points are not monotone across the bins of {', '.join(bad)}")
    if bad := unpriced_serious(table, gate.min_serious_points):
        failures.append(
            f"serious records cost fewer than {gate.min_serious_points} points: {', '.join(bad)}"
        )
    return failures
