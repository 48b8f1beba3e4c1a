"""Explanations for many people at once: scores, dimension points and reason codes.

:meth:`Scorecard.explain` builds one object per person and is meant for a
handful of people. Rescoring a city needs the same answer for millions, so
here the points, the dimension sums and the ranking of lost points are
numpy operations over the whole batch; only the final reason list of each
person is assembled in Python. The two are held equal by a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from creditcity.domain.catalogue import Dimension
from creditcity.scoring._columns import IntArray, Table, numeric_values
from creditcity.scoring.points import PointsTable, gather
from creditcity.scoring.reasons import MAX_REASONS, reason_code, sentence
from creditcity.scoring.scorecard import Scorecard

__all__ = ["BatchExplanation", "explain_batch"]


@dataclass(frozen=True, slots=True)
class BatchExplanation:
    """Scores, per-dimension points and reasons of every row of a batch."""

    scores: IntArray
    base: int
    dimension_keys: list[str]
    dimension_points: IntArray  #: shape (rows, len(dimension_keys))
    reasons: list[list[dict[str, Any]]]


def _dimension_matrix(table: PointsTable, keys: list[str]) -> IntArray:
    matrix = np.zeros((len(table.features), len(keys)), dtype=np.int64)
    for j, feature in enumerate(table.features):
        matrix[j, keys.index(feature.dimension_key)] = 1
    return matrix


def _chosen(lost: IntArray, is_new: np.ndarray[Any, Any]) -> list[list[int]]:
    """Per row, the features to cite: the four largest losses, plus a new-obligations one."""
    order = np.argsort(-lost, axis=1, kind="stable")
    ranked_lost = np.take_along_axis(lost, order, axis=1)
    out = []
    for row in range(lost.shape[0]):
        positive = order[row][ranked_lost[row] > 0]
        chosen = positive[:MAX_REASONS].tolist()
        if not is_new[chosen].any():
            extra = [j for j in positive[MAX_REASONS:].tolist() if is_new[j]]
            chosen.extend(extra[:1])
        out.append(chosen)
    return out


def explain_batch(card: Scorecard, X: Table) -> BatchExplanation:
    """The same scores, dimensions and reasons as ``card.explain(X)``, computed in bulk."""
    table: PointsTable = card.points_table_
    bins = card.transform_bins(X)
    pts = gather(table, bins)
    keys = table.dimension_keys()
    dims = pts @ _dimension_matrix(table, keys)
    best = np.array([f.best for f in table.features], dtype=np.int64)
    lost = best[None, :] - pts
    is_new = np.array(
        [f.spec.dimension is Dimension.NEW_OBLIGATIONS for f in table.features], dtype=bool
    )
    values = [numeric_values(X, f.name) for f in table.features]
    reasons = []
    for row, chosen in enumerate(_chosen(lost, is_new)):
        cited = []
        for j in chosen:
            feature = table.features[j]
            b = int(bins[row, j])
            bin_ = feature.binning.bins_[b]
            value = float(values[j][row])
            cited.append({
                "code": reason_code(feature.spec, bin_, b),
                "feature": feature.name,
                "dimension": feature.dimension_key,
                "points_lost": int(lost[row, j]),
                "text": sentence(feature.spec, bin_, None if np.isnan(value) else value),
            })  # fmt: skip
        reasons.append(cited)
    return BatchExplanation(
        scores=table.base + pts.sum(axis=1), base=table.base, dimension_keys=keys,
        dimension_points=dims, reasons=reasons,
    )  # fmt: skip
