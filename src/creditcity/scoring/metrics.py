"""Validation figures: AUC, Gini, KS, Brier, calibration by decile, PSI.

Conventions: ``y`` is 0/1 with 1 = the event (default); ``risk`` is any
number that grows with the risk of the event (a probability, or minus a
score). For scores, where higher means safer, pass ``-score``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from creditcity.scoring._columns import FloatArray

__all__ = ["CalibrationRow", "auc", "brier", "calibration_by_decile", "gini", "ks", "psi"]


def _arrays(y: npt.ArrayLike, risk: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], FloatArray]:
    yy = np.asarray(y).astype(np.int64)
    rr = np.asarray(risk, dtype=np.float64)
    if yy.shape != rr.shape or yy.ndim != 1:
        raise ValueError(f"y and risk must be 1-D of equal length, got {yy.shape} and {rr.shape}")
    if not np.isin(yy, (0, 1)).all():
        raise ValueError("y must hold only 0 and 1")
    return yy, rr


def auc(y: npt.ArrayLike, risk: npt.ArrayLike) -> float:
    """Area under the ROC curve (Mann-Whitney form; ties count one half)."""
    yy, rr = _arrays(y, risk)
    n_pos = int(yy.sum())
    n_neg = yy.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both events and non-events")
    order = np.argsort(rr, kind="mergesort")
    sorted_r = rr[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_r, return_index=True, return_counts=True)
    avg_rank = first + (counts + 1) / 2.0
    ranks = np.empty(rr.size, dtype=np.float64)
    ranks[order] = np.repeat(avg_rank, counts)
    rank_sum = float(ranks[yy == 1].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def gini(y: npt.ArrayLike, risk: npt.ArrayLike) -> float:
    """Gini coefficient (accuracy ratio): ``2 * AUC - 1``."""
    return 2.0 * auc(y, risk) - 1.0


def ks(y: npt.ArrayLike, risk: npt.ArrayLike) -> float:
    """Kolmogorov-Smirnov statistic: largest gap between the two classes' risk CDFs."""
    yy, rr = _arrays(y, risk)
    events, others = np.sort(rr[yy == 1]), np.sort(rr[yy == 0])
    if events.size == 0 or others.size == 0:
        raise ValueError("KS needs both events and non-events")
    grid = np.concatenate([events, others])
    cdf_e = np.searchsorted(events, grid, side="right") / events.size
    cdf_o = np.searchsorted(others, grid, side="right") / others.size
    return float(np.max(np.abs(cdf_e - cdf_o)))


def brier(y: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    """Mean squared error of the event probability."""
    yy, pp = _arrays(y, probability)
    return float(np.mean((pp - yy) ** 2))


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    """One risk decile: how many, the predicted and the observed event rate."""

    decile: int
    count: int
    predicted: float
    observed: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def calibration_by_decile(
    y: npt.ArrayLike, probability: npt.ArrayLike, n_groups: int = 10
) -> list[CalibrationRow]:
    """Rows sorted by predicted probability, cut into ``n_groups`` equal-count groups."""
    yy, pp = _arrays(y, probability)
    order = np.argsort(pp, kind="mergesort")
    rows = []
    for g, idx in enumerate(np.array_split(order, n_groups), start=1):
        if idx.size:
            rows.append(
                CalibrationRow(g, int(idx.size), float(pp[idx].mean()), float(yy[idx].mean()))
            )
    return rows


def psi(
    expected: npt.ArrayLike, actual: npt.ArrayLike, n_bins: int = 10, floor: float = 1e-4
) -> float:
    """Population stability index of ``actual`` against ``expected``.

    Bins are the deciles of ``expected`` (so each holds about a tenth of it);
    shares below ``floor`` are raised to it so an empty bin is finite.
    ``sum((a - e) * ln(a / e))``: < 0.1 stable, 0.1-0.25 drifting, > 0.25 shifted.
    """
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if e.size == 0 or a.size == 0:
        raise ValueError("PSI needs two non-empty samples")
    cuts = np.unique(np.quantile(e, np.linspace(0.0, 1.0, n_bins + 1)[1:-1]))
    size = cuts.size + 1
    e_share = np.bincount(np.searchsorted(cuts, e, side="right"), minlength=size) / e.size
    a_share = np.bincount(np.searchsorted(cuts, a, side="right"), minlength=size) / a.size
    e_share = np.maximum(e_share, floor)
    a_share = np.maximum(a_share, floor)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))
