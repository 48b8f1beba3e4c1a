"""The scorecard estimator: monotone bins, WoE, L2 logistic regression, integer points.

Why logistic regression and not boosted stumps: on the German credit data
(RepeatedStratifiedKFold 5x3, seed 0, four charter-forbidden columns left
out) L2 logistic regression on our WoE bins measured out-of-fold AUC 0.787,
LightGBM depth-1 stumps with monotone constraints on the same WoE 0.774
(500 trees, learning rate 0.02). See docs/benchmarks.md.

Sign rule: a feature whose coefficient comes out with the wrong sign (points
falling as its bins get safer, usually collinearity) is dropped and the model
refitted, so every feature's points follow its bins' event rates
(``drop_wrong_sign``; dropped names in ``dropped_features_``).

Serious records (``FeatureSpec.serious``): catalogue bins (see
:mod:`creditcity.scoring.binning`), never dropped, and weighted at least
``serious_weight_floor`` times their weight of evidence. Without the floor,
collinear delinquency features took the logistic weight and 60+ days late,
90+ days late and loan defaults (default rates 36%, 25%, 19% against 7%)
came out at 0 points on the demo city; a regulator would not sign a score
where a default costs nothing. The floor costs out-of-time AUC nothing
measurable there (docs/benchmarks.md).

One-sided (consent) features: for each name in ``one_sided`` every bin is
worth at least as much as the missing bin ("not shared"); after fitting, bins
below it are raised to it (a clamp on the log-odds contribution, before
scaling). Sharing such data can raise a score, never lower it. A one-sided
feature whose information value is below ``min_iv_one_sided`` (0.02, the
usual "not predictive" line) is left out altogether: monthly spending
variation, drawn independently of creditworthiness by the simulator, earned
19 points before this rule. Left-out features are in ``dropped_features_``.

Scores are integers, ``points_table_.base`` plus one bin's points per
feature, clipped to ``[score_min, score_max]`` on a scale fixed by the
settings (:mod:`creditcity.scoring.scaling`). ``predict_proba`` is the default
probability the score states, so it is reproducible from the points table.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from creditcity.domain.charter import ensure_allowed
from creditcity.errors import InputRejected, Problem
from creditcity.scoring._columns import (
    FloatArray,
    IntArray,
    Table,
    categorical_codes,
    column_names,
    n_rows,
    numeric_values,
    target_vector,
)
from creditcity.scoring.binning import MonotoneBinning
from creditcity.scoring.binning_process import BinningProcess
from creditcity.scoring.points import Explanation, FeaturePoints, PointsTable, gather
from creditcity.scoring.reasons import family_ids, rank_losses, reason_for
from creditcity.scoring.scaling import clip_scores, clipped_gain, scale_points
from creditcity.scoring.spec import FeatureSpec, check_specs

__all__ = ["Scorecard"]


class Scorecard(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Points scorecard (scikit-learn contract; 1 in ``y`` = the event, default).

    ``features``: specs (name, dimension, reason template); default: every
    column of ``X`` with no dimension. ``one_sided``: names of consent
    features that may only raise a score. Learned: ``points_table_``,
    ``coef_``, ``intercept_``, ``feature_names_in_``, ``dropped_features_``.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "features": [list, tuple, None],
        "one_sided": [list, tuple, set, frozenset],
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "max_bins": [Interval(Integral, 1, None, closed="left")],
        "max_prebins": [Interval(Integral, 2, None, closed="left")],
        "min_bin_share": [Interval(Real, 0.0, 0.5, closed="both")],
        "woe_smoothing": [Interval(Real, 0.0, None, closed="left")],
        "min_bin_events": [Interval(Integral, 0, None, closed="left")],
        "serious_strength": [Interval(Real, 0.0, None, closed="left"), None],
        "serious_weight_floor": [Interval(Real, 0.0, None, closed="left")],
        "min_iv_one_sided": [Interval(Real, 0.0, None, closed="left")],
        "drop_wrong_sign": ["boolean"],
        "base_score": [Interval(Real, None, None, closed="neither")],
        "base_odds": [Interval(Real, 0.0, None, closed="neither")],
        "pdo": [Interval(Real, 0.0, None, closed="neither")],
        "score_min": [Interval(Integral, None, None, closed="neither")],
        "score_max": [Interval(Integral, None, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        features: Sequence[FeatureSpec] | None = None,
        one_sided: Collection[str] = (),
        C: float = 0.5,  # scikit-learn's name: inverse L2 strength
        max_bins: int = 6,
        max_prebins: int = 20,
        min_bin_share: float = 0.05,
        woe_smoothing: float = 1.0,
        min_bin_events: int = 5,
        serious_strength: float | None = None,
        serious_weight_floor: float = 0.5,
        min_iv_one_sided: float = 0.02,
        drop_wrong_sign: bool = True,
        base_score: float = 650.0,  # the published scale (Settings): 650 at 13:1, PDO 60
        base_odds: float = 13.0,
        pdo: float = 60.0,
        score_min: int = 350,
        score_max: int = 950,
    ) -> None:
        self.features = features
        self.one_sided = one_sided
        self.C = C
        self.max_bins = max_bins
        self.max_prebins = max_prebins
        self.min_bin_share = min_bin_share
        self.woe_smoothing = woe_smoothing
        self.min_bin_events = min_bin_events
        self.serious_strength = serious_strength
        self.serious_weight_floor = serious_weight_floor
        self.min_iv_one_sided = min_iv_one_sided
        self.drop_wrong_sign = drop_wrong_sign
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.score_min = score_min
        self.score_max = score_max

    # -- fitting -------------------------------------------------------------

    def _specs(self, X: Table) -> list[FeatureSpec]:
        specs = (
            list(self.features)
            if self.features is not None
            else [FeatureSpec(name) for name in column_names(X)]
        )
        check_specs(specs)
        names = [s.name for s in specs]
        ensure_allowed(
            names,
            what="scorecard features",
            fix="leave '{name}' out of the features",
            meanings={s.name: s.meaning for s in specs if s.meaning is not None},
        )
        unknown = sorted(set(self.one_sided) - set(names))
        if unknown:
            raise InputRejected(
                "one_sided names features the scorecard does not have",
                problems=[Problem("not a feature", field=n, expected=str(names)) for n in unknown],
            )
        return specs

    def fit(self, X: Table, y: Any) -> Scorecard:
        """Bin, fit the logistic model, build the points table; returns ``self``."""
        self._validate_params()
        specs = self._specs(X)
        target = target_vector(y, n_rows(X))
        process = BinningProcess(
            variables=[s.name for s in specs],
            kinds={s.name: s.kind for s in specs},
            special_values={s.name: tuple(s.special_values) for s in specs},
            trends={s.name: s.trend for s in specs},
            max_bins=self.max_bins,
            max_prebins=self.max_prebins,
            min_bin_share=self.min_bin_share,
            woe_smoothing=self.woe_smoothing,
            serious=[s.name for s in specs if s.serious],
            min_bin_events=self.min_bin_events,
            serious_strength=self.serious_strength,
        ).fit(X, target)
        serious = [s.serious for s in specs]
        candidates = [
            j
            for j, s in enumerate(specs)
            if s.name not in self.one_sided
            or process.binnings_[s.name].iv_ >= float(self.min_iv_one_sided)
        ]
        kept, coef, intercept = self._fit_logistic(
            process.transform(X), target, serious, candidates
        )
        floor = float(self.serious_weight_floor)
        coef = [min(c, -floor) if serious[j] else c for j, c in zip(kept, coef, strict=True)]
        binnings = [process.binnings_[s.name] for s in specs]
        contributions = [
            _clamped(-c * binnings[j].woe_, binnings[j], specs[j], specs[j].name in self.one_sided)
            for j, c in zip(kept, coef, strict=True)
        ]
        scaling, base, points = scale_points(
            -intercept,
            contributions,
            base_score=self.base_score,
            base_odds=self.base_odds,
            pdo=self.pdo,
            score_min=self.score_min,
            score_max=self.score_max,
        )
        features = tuple(
            FeaturePoints(specs[j], binnings[j], float(c), specs[j].name in self.one_sided, p)
            for j, c, p in zip(kept, coef, points, strict=True)
        )
        dropped = [s.name for j, s in enumerate(specs) if j not in kept]
        self._set_table(PointsTable(base, scaling, features, intercept), dropped)
        return self

    def _fit_logistic(
        self, woe: FloatArray, y: IntArray, serious: Sequence[bool], candidates: list[int]
    ) -> tuple[list[int], list[float], float]:
        """Indices of kept features, their coefficients, and the intercept.

        A serious feature is never dropped for a wrong sign (its points are
        clamped instead, and the activation gate reports it unpriced).
        """
        kept = list(candidates)
        while True:
            if not kept:
                rate = float(y.mean())
                return [], [], float(np.log(rate / (1.0 - rate)))
            model = LogisticRegression(C=self.C, max_iter=1000).fit(woe[:, kept], y)
            coef = [float(c) for c in model.coef_[0]]
            droppable = [c if not serious[j] else -np.inf for j, c in zip(kept, coef, strict=True)]
            worst = int(np.argmax(droppable))
            if not self.drop_wrong_sign or droppable[worst] <= 0.0:
                return kept, coef, float(model.intercept_[0])
            del kept[worst]

    def _set_table(self, table: PointsTable, dropped: list[str]) -> None:
        self.points_table_ = table
        self.feature_names_in_ = np.array([f.name for f in table.features], dtype=object)
        self.coef_ = np.array([[f.coefficient for f in table.features]], dtype=np.float64)
        self.intercept_ = np.array([table.intercept], dtype=np.float64)
        self.classes_ = np.array([0, 1])
        self.dropped_features_ = list(dropped)

    @classmethod
    def from_points_table(
        cls, table: PointsTable, *, dropped: Sequence[str] = (), **params: Any
    ) -> Scorecard:
        """A fitted scorecard rebuilt from its points table (e.g. a loaded artefact)."""
        params.setdefault("features", tuple(f.spec for f in table.features))
        params.setdefault("one_sided", tuple(f.name for f in table.features if f.one_sided))
        card = cls(**params)
        card._set_table(table, list(dropped))
        return card

    # -- scoring -------------------------------------------------------------

    def transform_bins(self, X: Table) -> IntArray:
        """Bin index per row and (kept) feature."""
        check_is_fitted(self, "points_table_")
        table: PointsTable = self.points_table_
        # column-major: each feature's bins are written (and later read) contiguously
        out = np.empty((n_rows(X), len(table.features)), dtype=np.int64, order="F")
        for j, feature in enumerate(table.features):
            out[:, j] = feature.binning._bins_of(X, feature.name)
        return out

    def points(self, X: Table) -> IntArray:
        """Points per row and feature, shape ``(n_rows, n_features)``."""
        check_is_fitted(self, "points_table_")
        return gather(self.points_table_, self.transform_bins(X))

    def predict_score(self, X: Table) -> IntArray:
        """Integer scores: base points plus each feature's bin points, clipped to the range."""
        check_is_fitted(self, "points_table_")
        table: PointsTable = self.points_table_
        return clip_scores(table.base + self.points(X).sum(axis=1), table.scaling)

    def predict_proba(self, X: Table) -> FloatArray:
        """``[P(no event), P(event)]`` per row, as stated by the score."""
        p = self.points_table_.scaling.probability_of_event(
            self.predict_score(X).astype(np.float64)
        )
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Table) -> IntArray:
        """1 where the stated default probability is at least one half."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def explain(self, X: Table) -> list[Explanation]:
        """Per row: score, points per dimension and feature, and up to four reasons.

        A reason is a feature that lost points in a bin the reason catalogue may
        cite (:mod:`creditcity.scoring.reasons`); :func:`scoring.batch.explain_batch`
        gives the same answer in bulk.
        """
        check_is_fitted(self, "points_table_")
        table: PointsTable = self.points_table_
        bins = self.transform_bins(X)
        pts = gather(table, bins)
        values = _ValueReader(X)
        best = np.array([f.best for f in table.features], dtype=np.int64)
        families = family_ids([f.name for f in table.features])
        out = []
        for row in range(pts.shape[0]):
            by_dim = dict.fromkeys(table.dimension_keys(), 0)
            for j, f in enumerate(table.features):
                by_dim[f.dimension_key] += int(pts[row, j])
            steps = [f.steps[int(bins[row, j])] for j, f in enumerate(table.features)]
            lost = [int(best[j] - pts[row, j]) if steps[j] else 0 for j in range(len(steps))]
            raw = table.base + int(pts[row].sum())
            if raw >= table.scaling.score_max:  # at the top of the scale: nothing to gain
                lost = [0] * len(lost)
            reasons = []
            for j in rank_losses(lost, families):
                feature, step = table.features[j], steps[j]
                if step is not None:  # always: a feature with no step lost nothing here
                    reason = reason_for(feature.spec, step, lost[j], values.value(feature, row))
                    gain = clipped_gain(raw, reason.points_gain, table.scaling)
                    reasons.append(replace(reason, points_gain=gain))
            score = int(clip_scores(np.array([raw]), table.scaling)[0])
            out.append(
                Explanation(
                    score=score,
                    base=table.base,
                    dimensions=by_dim,
                    points={f.name: int(pts[row, j]) for j, f in enumerate(table.features)},
                    reasons=reasons,
                    clip=score - raw,
                )
            )
        return out


def _clamped(
    u: FloatArray, binning: MonotoneBinning, spec: FeatureSpec, one_sided: bool
) -> FloatArray:
    """A feature's log-odds contributions after the two rules no fit may break.

    One-sided (consent) features: no bin below "not shared". Serious records
    (see the module docstring): each further bin worth no more than the one
    before (one judgment never helps, two never cost less than one).
    """
    out = np.asarray(u, dtype=np.float64).copy()
    if one_sided:
        out = np.maximum(out, out[binning.missing_bin_])
    if spec.serious:
        regular = binning.n_regular_
        out[:regular] = np.minimum.accumulate(out[:regular])
    return out


class _ValueReader:
    """A person's raw value of a feature, read once per feature on demand."""

    def __init__(self, X: Table) -> None:
        self._X = X
        self._cache: dict[str, Any] = {}

    def value(self, feature: FeaturePoints, row: int) -> float | str | None:
        name = feature.name
        if name not in self._cache:
            if feature.binning.kind_ == "numeric":
                self._cache[name] = numeric_values(self._X, name)
            else:
                self._cache[name] = categorical_codes(self._X, name)
        cached = self._cache[name]
        if isinstance(cached, tuple):
            codes, cats = cached
            code = int(codes[row])
            return None if code < 0 else str(cats[code])
        return float(cached[row])
