"""The points table: what a fitted scorecard is, in a form a person can recompute by hand.

A score is ``base`` plus, for every feature, the points of the bin the
person's value falls in, clipped to the published range (350–950). Nothing
else: no hidden terms. The clip is stated beside the dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from creditcity.domain.catalogue import Dimension
from creditcity.scoring._columns import IntArray
from creditcity.scoring.binning import MonotoneBinning
from creditcity.scoring.reasons import Reason, Step, steps_for
from creditcity.scoring.scaling import Scaling
from creditcity.scoring.spec import FeatureSpec

__all__ = ["UNASSIGNED", "Explanation", "FeaturePoints", "PointsTable"]

#: Dimension key for features declared without a dimension (e.g. tabular mode).
UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True, eq=False)
class FeaturePoints:
    """One feature of the points table: its bins and the points of each."""

    spec: FeatureSpec
    binning: MonotoneBinning
    coefficient: float
    one_sided: bool
    points: IntArray  #: one entry per bin of ``binning.bins_``
    #: per bin, the step to the nearest better bin (``None``: never a reason); derived
    steps: tuple[Step | None, ...] = field(init=False)
    #: per bin, whether it may be cited as a reason (``steps`` is not ``None``); derived
    citable: np.ndarray[Any, np.dtype[np.bool_]] = field(init=False)

    def __post_init__(self) -> None:
        steps = tuple(steps_for(self.spec, self.binning.bins_, self.points))
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "citable", np.array([s is not None for s in steps], dtype=bool))

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def dimension_key(self) -> str:
        return UNASSIGNED if self.spec.dimension is None else self.spec.dimension.value

    @property
    def best(self) -> int:
        return int(self.points.max())

    @property
    def missing_points(self) -> int:
        return int(self.points[self.binning.missing_bin_])


@dataclass(frozen=True, slots=True, eq=False)
class PointsTable:
    """Base points, the scale, and every feature's bins with points."""

    base: int
    scaling: Scaling
    features: tuple[FeaturePoints, ...]
    intercept: float = float("nan")  #: the logistic intercept (log-odds of the event)

    @property
    def min_score(self) -> int:
        """The lowest score anyone can get (after the clip)."""
        raw = self.base + sum(int(f.points.min()) for f in self.features)
        return max(self.scaling.score_min, min(self.scaling.score_max, raw))

    @property
    def max_score(self) -> int:
        """The best attainable score (after the clip)."""
        raw = self.base + sum(f.best for f in self.features)
        return max(self.scaling.score_min, min(self.scaling.score_max, raw))

    def dimension_keys(self) -> list[str]:
        """The five dimensions, plus ``unassigned`` when some feature has none."""
        keys = [d.value for d in Dimension]
        if any(f.spec.dimension is None for f in self.features):
            keys.append(UNASSIGNED)
        return keys


@dataclass(frozen=True, slots=True)
class Explanation:
    """One person's score taken apart: ``score == base + sum(dimensions.values()) + clip``."""

    score: int
    base: int
    dimensions: dict[str, int]
    points: dict[str, int]
    reasons: list[Reason] = field(default_factory=list)
    #: points removed (negative) or added to keep the score inside 350–950
    clip: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "base": self.base,
            "dimensions": dict(self.dimensions),
            "points": dict(self.points),
            "reasons": [r.to_dict() for r in self.reasons],
            "clip": self.clip,
        }


def gather(table: PointsTable, bins: IntArray) -> IntArray:
    """Points per row and feature from bin indices of shape ``(n_rows, n_features)``."""
    out = np.empty(bins.shape, dtype=np.int64, order="F")  # a column per feature, contiguous
    for j, feature in enumerate(table.features):
        out[:, j] = feature.points[bins[:, j]]
    return out
