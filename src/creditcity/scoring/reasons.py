"""Reasons: the factors that kept a score from its maximum, and what would raise it.

For each feature, the points a person *lost* are those of the feature's best
bin minus those of their bin. Up to four reasons are given, largest loss
first (ties: the order features were declared), one per reason family (the
same fact over two spans, such as late payments in the last 12 months and on
file, is one reason).

Each (feature, bin) of a model has at most one :class:`Step`, computed once
per model (:func:`steps_for`): the *nearest better bin* (the closest bin in
value order worth more points; for "nothing on file" or a special value, the
regular bin that adds the fewest points above it), the exact points moving
there adds (the scorecard is additive), the value to reach, and the stable
code of the reason (:mod:`creditcity.domain.reason_catalogue`:
``PH-LATE_MODERATE_RECENT-HI``, never a bin edge). A bin whose direction the
catalogue has no words for gets no step and is never a reason: nobody is told
to borrow more. Per-person :meth:`Scorecard.explain` and the bulk
:mod:`creditcity.scoring.batch` both read these steps, so they agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from creditcity.domain.reason_catalogue import (
    Direction,
    ReasonFacts,
    code_for,
    family_of,
    may_cite,
    target_value,
)
from creditcity.scoring._columns import IntArray
from creditcity.scoring.bins import Bin, BinKind
from creditcity.scoring.spec import FeatureSpec

__all__ = [
    "MAX_REASONS",
    "Reason",
    "Step",
    "family_ids",
    "rank_losses",
    "reason_for",
    "steps_for",
]

MAX_REASONS = 4

_REGULAR = (BinKind.RANGE, BinKind.CATEGORIES)


@dataclass(frozen=True, slots=True)
class Step:
    """From one bin to the nearest better one: the reason code, the points it adds, the target."""

    code: str
    direction: Direction
    gain: int
    target: float | str | None


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a score is not higher, in no language (the catalogue words it)."""

    code: str
    feature: str
    dimension: str | None
    direction: Direction
    points_lost: int
    points_gain: int
    value: float | str | None
    target: float | str | None

    @property
    def facts(self) -> ReasonFacts:
        return ReasonFacts(
            self.code,
            self.feature,
            self.dimension,
            self.direction,
            self.points_lost,
            self.points_gain,
            self.value,
            self.target,
        )

    def to_dict(self) -> dict[str, Any]:
        """What is stored with a score; :func:`reason_catalogue.render_all` words it."""
        return self.facts.to_dict()


def _nearest_better(bins: Sequence[Bin], points: IntArray, b: int) -> tuple[int, bool] | None:
    """The nearest better bin of bin ``b`` and whether it lies at lower values."""
    regular = [i for i, bin_ in enumerate(bins) if bin_.kind in _REGULAR]
    mine = int(points[b])
    if b not in regular:
        better = [i for i in regular if int(points[i]) > mine]
        return None if not better else (min(better, key=lambda i: (int(points[i]), i)), False)
    at = regular.index(b)
    for distance in range(1, len(regular)):
        sides = [
            (regular[k], k < at)
            for k in (at - distance, at + distance)
            if 0 <= k < len(regular) and int(points[regular[k]]) > mine
        ]
        if sides:
            return min(sides, key=lambda side: int(points[side[0]]))
    return None


def _direction(bins: Sequence[Bin], b: int, lower_side: bool) -> Direction:
    kind = bins[b].kind
    if kind is BinKind.MISSING:
        return Direction.MISSING
    if kind is BinKind.SPECIAL:
        return Direction.SPECIAL
    if kind is BinKind.CATEGORIES:
        return Direction.BAND
    return Direction.HIGH if lower_side else Direction.LOW


def _target(spec: FeatureSpec, direction: Direction, better: Bin) -> float | str | None:
    if direction is Direction.BAND:
        return ", ".join(better.categories)
    if direction is Direction.SPECIAL:
        return None
    return target_value(spec.name, direction, better.lower, better.upper)


def steps_for(spec: FeatureSpec, bins: Sequence[Bin], points: IntArray) -> list[Step | None]:
    """Per bin of one feature, its step to the nearest better bin (``None``: never a reason)."""
    dimension = None if spec.dimension is None else spec.dimension.value
    out: list[Step | None] = []
    for b in range(len(bins)):
        found = _nearest_better(bins, points, b)
        if found is None:
            out.append(None)
            continue
        better, lower_side = found
        direction = _direction(bins, b, lower_side)
        if not may_cite(spec.name, direction):
            out.append(None)
            continue
        code = code_for(spec.name, dimension, direction, spec.reason_code_stem)
        gain = int(points[better]) - int(points[b])
        out.append(Step(code, direction, gain, _target(spec, direction, bins[better])))
    return out


#: decimals a reason's value is stored with (a utilisation of 0.546129, 83653.1 yuan)
VALUE_DECIMALS = 6


def reason_for(spec: FeatureSpec, step: Step, lost: int, value: float | str | None) -> Reason:
    """The :class:`Reason` of one feature of one person, from their bin's step."""
    if isinstance(value, float):
        # A fact for people, not a float: the same feature computed by DuckDB and by
        # Python may differ in the last bit (summation order), and the stored reason
        # of a live rescore must equal the batch one.
        value = None if math.isnan(value) else round(value, VALUE_DECIMALS)
    return Reason(
        code=step.code,
        feature=spec.name,
        dimension=None if spec.dimension is None else spec.dimension.value,
        direction=step.direction,
        points_lost=int(lost),
        points_gain=step.gain,
        value=value,
        target=step.target,
    )


def family_ids(features: Sequence[str]) -> list[int]:
    """Per feature, a number shared by the features of one reason family."""
    numbers: dict[str, int] = {}
    return [numbers.setdefault(family_of(name), len(numbers)) for name in features]


def rank_losses(
    lost: Sequence[int],
    families: Sequence[object] | None = None,
    *,
    max_reasons: int = MAX_REASONS,
) -> list[int]:
    """Indices of the features to give as reasons, in the order to give them.

    ``lost`` must already be 0 for features that may not be cited. With
    ``families`` (one per feature, see :func:`reason_catalogue.family_of`)
    only the largest loss of each family is given: "late payments in the last
    12 months" and "late payments on file" are one reason, not two.
    """
    ranked = sorted((i for i, loss in enumerate(lost) if loss > 0), key=lambda i: (-lost[i], i))
    chosen: list[int] = []
    seen: set[object] = set()
    for i in ranked:
        family = i if families is None else families[i]
        if family not in seen:
            seen.add(family)
            chosen.append(i)
    return chosen[:max_reasons]
