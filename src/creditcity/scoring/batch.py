"""Explanations for many people at once: scores, dimension points and reason codes.

:meth:`Scorecard.explain` builds one object per person and is meant for a
handful of people. Rescoring a city needs the same answer for millions, so
here everything is a numpy operation over the whole batch: points, dimension
sums, the ranking of lost points (the same rule as
:func:`creditcity.scoring.reasons.rank_losses`), and the reason codes, read
from the steps every (feature, bin) of the model carries
(:attr:`FeaturePoints.steps`). Reasons are facts in no language; the reason
catalogue words them when someone reads them. A test holds this equal to
``explain``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from creditcity.scoring._columns import FloatArray, IntArray, Table, numeric_values
from creditcity.scoring.points import PointsTable, gather
from creditcity.scoring.reasons import MAX_REASONS, family_ids, reason_for
from creditcity.scoring.scaling import clip_scores, clipped_gain
from creditcity.scoring.scorecard import Scorecard

__all__ = ["BatchExplanation", "explain_batch"]

#: at most four reasons
SLOTS = MAX_REASONS


@dataclass(frozen=True, slots=True)
class BatchExplanation:
    """Scores, per-dimension points and cited features of every row of a batch."""

    table: PointsTable
    scores: IntArray
    clips: IntArray  #: score minus the unclipped sum (0 inside 350–950)
    dimension_keys: list[str]
    dimension_points: IntArray  #: (rows, dimensions)
    cited: IntArray  #: (rows, SLOTS) feature index per reason slot, -1 when empty
    bins: IntArray  #: (rows, features)
    lost: IntArray  #: (rows, features)
    values: list[FloatArray]  #: per feature, the raw value of every row

    @property
    def base(self) -> int:
        return self.table.base

    def codes(self) -> list[list[str]]:
        """Reason codes per row, in the order they are given."""
        table = _code_table(self.table)
        return [
            [table[j][int(self.bins[r, j])] for j in row if j >= 0]
            for r, row in enumerate(self.cited.tolist())
        ]

    def reasons(self, row: int) -> list[dict[str, Any]]:
        """One row's reasons as stored facts (see :class:`creditcity.scoring.reasons.Reason`)."""
        out = []
        for j in self.cited[row].tolist():
            if j < 0:
                continue
            feature = self.table.features[j]
            step = feature.steps[int(self.bins[row, j])]
            assert step is not None, "only bins with a step are cited"
            value = float(self.values[j][row])
            reason = reason_for(feature.spec, step, int(self.lost[row, j]), value)
            raw = int(self.scores[row] - self.clips[row])
            gain = clipped_gain(raw, reason.points_gain, self.table.scaling)
            out.append(replace(reason, points_gain=gain).to_dict())
        return out


def _code_table(table: PointsTable) -> list[list[str]]:
    """Per feature and bin, its reason code ('' where the bin is never a reason)."""
    return [[s.code if s else "" for s in f.steps] for f in table.features]


def _dimension_sums(table: PointsTable, keys: list[str], pts: IntArray) -> IntArray:
    """Points per dimension: column sums per group (an integer matmul has no BLAS)."""
    out = np.zeros((pts.shape[0], len(keys)), dtype=np.int64)
    for k, key in enumerate(keys):
        columns = [j for j, f in enumerate(table.features) if f.dimension_key == key]
        if columns:
            out[:, k] = pts[:, columns].sum(axis=1)
    return out


def cite(lost: IntArray, families: IntArray | None = None) -> IntArray:
    """Per row, the features to cite: the four largest losses (ties: declaration order),
    one per family (``families``: a number per feature, as :func:`rank_losses` takes).

    Each (row, feature) gets one key that orders by points lost, then by
    declaration order; the four citations are four rounds of a row-wise max,
    which is several times cheaper than sorting every row. A citation retires
    every feature of its family for that row.
    """
    rows, width = lost.shape
    out = np.full((rows, SLOTS), -1, dtype=np.int64)
    if width == 0:
        return out
    # (features, rows): each feature's row of keys is contiguous, so the row-wise max
    # below is an element-wise max of feature rows
    by_feature = lost.T
    order = (width - 1 - np.arange(width, dtype=np.int64))[:, None]
    key = np.where(by_feature > 0, by_feature * width + order, -1)  # nothing lost: never cited
    family = np.arange(width) if families is None else np.asarray(families, dtype=np.int64)
    for slot in range(min(MAX_REASONS, width)):
        best = key.max(axis=0)
        chosen = width - 1 - best % width
        out[:, slot] = np.where(best >= 0, chosen, -1)
        # (features, rows): the chosen feature and its family are done for the row
        key[family[:, None] == family[chosen][None, :]] = -1
    return out


def explain_batch(card: Scorecard, X: Table) -> BatchExplanation:
    """The same scores, dimensions and reasons as ``card.explain(X)``, computed in bulk."""
    table: PointsTable = card.points_table_
    bins = card.transform_bins(X)
    pts = gather(table, bins)
    keys = table.dimension_keys()
    best = np.array([f.best for f in table.features], dtype=np.int64)
    lost = best[None, :] - pts
    for j, feature in enumerate(table.features):  # a bin with no step is never a reason
        lost[~feature.citable[bins[:, j]], j] = 0
    raw = table.base + pts.sum(axis=1)
    scores = clip_scores(raw, table.scaling)
    lost[raw >= table.scaling.score_max] = 0  # at the top of the scale: nothing to gain
    return BatchExplanation(
        table=table,
        scores=scores,
        clips=scores - raw,
        dimension_keys=keys,
        dimension_points=_dimension_sums(table, keys, pts),
        cited=cite(lost, np.array(family_ids([f.name for f in table.features]))),
        bins=bins,
        lost=lost,
        values=[numeric_values(X, f.name) for f in table.features],
    )


def reason_code_lists(batch: BatchExplanation) -> Any:
    """Reason codes of every row as an Arrow list column, built without a Python row loop."""
    import pyarrow as pa

    table = _code_table(batch.table)
    offsets = np.cumsum([0] + [len(codes) for codes in table[:-1]])
    flat = pa.array([code for codes in table for code in codes], pa.string())
    present = batch.cited >= 0
    rows, slots = np.nonzero(present)
    features = batch.cited[rows, slots]
    ids = offsets[features] + batch.bins[rows, features]
    counts = present.sum(axis=1)
    list_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(list_offsets), flat.take(pa.array(ids)))
