"""Points-to-double-odds (PDO) scaling: log-odds to scores, and the points table.

The classic scorecard maths, as small pure functions::

    factor = pdo / ln 2
    offset = base_score - factor * ln(base_odds)
    score  = offset + factor * ln(odds)          odds = good : bad

so that a score of ``base_score`` means odds ``base_odds`` and every ``pdo``
points double the odds. Defaults (see ``Settings``): 650 (the middle of
350–950) at 13:1 (the city's average default rate, about 7%), PDO 60.

One published scale (:func:`scale_points`)
------------------------------------------
The factor and offset come from the settings alone, never from a model: a
score of 700 states the same odds under every model version, so tiers,
expected default rates and a person's history mean the same across refits.
(An earlier version shrank the PDO per model to fit every combination of
bins inside the range; German credit came out at PDO 22 and the city at 31,
so nobody could reach the top tiers and each refit moved the scale.)

1. Each feature's lowest bin is worth 0 points; the shift moves into the base,
   so the base is the (unclipped) score of someone in every feature's worst
   bin. Base and bin points are rounded to integers.
2. A score is ``base + the sum of the feature points``, then clipped to
   ``[score_min, score_max]`` (:func:`clip_scores`); the clip is reported
   beside the dimensions so they still add up to the score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from creditcity.scoring._columns import FloatArray, IntArray

__all__ = [
    "Scaling",
    "clip_scores",
    "clipped_gain",
    "factor_for",
    "feature_points",
    "log_odds_from_score",
    "offset_for",
    "scale_points",
    "score_from_log_odds",
]

LN2 = math.log(2.0)

_Num = TypeVar("_Num", float, FloatArray)


def factor_for(pdo: float) -> float:
    """Points per unit of natural log-odds: ``pdo / ln 2``."""
    return pdo / LN2


def offset_for(base_score: float, base_odds: float, factor: float) -> float:
    """The score at odds 1:1: ``base_score - factor * ln(base_odds)``."""
    return base_score - factor * math.log(base_odds)


def score_from_log_odds(log_odds: _Num, *, factor: float, offset: float) -> _Num:
    """Score for natural log-odds of good:bad (unrounded)."""
    return offset + factor * log_odds


def log_odds_from_score(score: _Num, *, factor: float, offset: float) -> _Num:
    """Inverse of :func:`score_from_log_odds`."""
    return (score - offset) / factor


def feature_points(woe: FloatArray, coefficient: float, factor: float) -> FloatArray:
    """Unrounded points of each bin for a logistic coefficient on WoE.

    The model predicts the log-odds of the *event* (default), and WoE grows with
    the non-event odds, so a well-behaved coefficient is negative and the points
    ``-coefficient * woe * factor`` grow with WoE.
    """
    return np.asarray(-coefficient * woe * factor, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Scaling:
    """The scale a points table was built on."""

    base_score: float
    base_odds: float
    pdo: float
    score_min: int
    score_max: int
    factor: float  #: points per unit log-odds, ``pdo / ln 2`` (older artefacts: less)

    @property
    def offset(self) -> float:
        return offset_for(self.base_score, self.base_odds, self.factor)

    @property
    def effective_pdo(self) -> float:
        return self.factor * LN2

    def probability_of_event(self, scores: FloatArray) -> FloatArray:
        """The default probability a score states: ``1 / (1 + odds)``."""
        log_odds = log_odds_from_score(scores, factor=self.factor, offset=self.offset)
        return np.asarray(1.0 / (1.0 + np.exp(log_odds)), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_score": self.base_score,
            "base_odds": self.base_odds,
            "pdo": self.pdo,
            "score_min": self.score_min,
            "score_max": self.score_max,
            "factor": self.factor,
            "offset": self.offset,
            "effective_pdo": self.effective_pdo,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scaling:
        return cls(
            base_score=float(data["base_score"]),
            base_odds=float(data["base_odds"]),
            pdo=float(data["pdo"]),
            score_min=int(data["score_min"]),
            score_max=int(data["score_max"]),
            factor=float(data["factor"]),
        )


def _rounded(
    base_log_odds: float, shifted: Sequence[FloatArray], scaling: Scaling
) -> tuple[int, list[IntArray]]:
    base = round(score_from_log_odds(base_log_odds, factor=scaling.factor, offset=scaling.offset))
    points = [np.rint(s * scaling.factor).astype(np.int64) for s in shifted]
    return int(base), points


def scale_points(
    intercept: float,
    contributions: Sequence[FloatArray],
    *,
    base_score: float,
    base_odds: float,
    pdo: float,
    score_min: int,
    score_max: int,
) -> tuple[Scaling, int, list[IntArray]]:
    """Integer base points and per-bin points from log-odds (good:bad) contributions.

    ``intercept`` + ``contributions[j][bin]`` summed over features is the
    person's log-odds of good:bad. Returns the (fixed) scaling, the base
    points and each feature's bin points (lowest bin 0).
    """
    if not score_min <= base_score <= score_max:
        raise ValueError(f"base_score {base_score} lies outside [{score_min}, {score_max}]")
    if pdo <= 0 or base_odds <= 0:
        raise ValueError("pdo and base_odds must be positive")
    if not math.isfinite(intercept) or not all(np.isfinite(c).all() for c in contributions):
        raise ValueError("log-odds contributions must be finite numbers")
    lows = [float(c.min()) if c.size else 0.0 for c in contributions]
    shifted = [c - low for c, low in zip(contributions, lows, strict=True)]
    scaling = Scaling(base_score, base_odds, pdo, score_min, score_max, factor_for(pdo))
    base, points = _rounded(intercept + sum(lows), shifted, scaling)
    return scaling, base, points


def clip_scores(raw: IntArray, scaling: Scaling) -> IntArray:
    """Scores inside the published range: ``raw`` clipped to ``[score_min, score_max]``."""
    return np.asarray(np.clip(raw, scaling.score_min, scaling.score_max), dtype=np.int64)


def clipped_gain(raw: int, gain: int, scaling: Scaling) -> int:
    """What ``gain`` more points really adds to a score whose unclipped sum is ``raw``.

    Inside the range it is ``gain``; near 950 (or far below 350) the clip takes
    part of it, and a reason must state what the person would actually see.
    """
    low, high = scaling.score_min, scaling.score_max
    return max(low, min(high, raw + gain)) - max(low, min(high, raw))
