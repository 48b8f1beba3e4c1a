"""Monotone binning of one feature, numeric or categorical, with WoE.

Numeric: quantile pre-bins (``max_prebins``, cut halfway between observed
values so no pre-bin is empty and no edge sits on a value; above 100,000
values the cut points come from a fixed-seed sample of that size, the counts
from every row), then adjacent pre-bins are
merged until the event rate is monotone. With ``trend='auto'`` both
directions are tried and the one keeping the larger information value (IV)
wins. Bins smaller than ``min_bin_share``
of the non-missing rows, or with fewer than ``min_bin_events`` events or
non-events, are merged into their closest-rate neighbour, then
pairs are merged (least IV lost first) down to ``max_bins``. Bins are
right-closed: ``(lower, upper]``.

Categorical: categories are ordered by (smoothed) event rate, so the order is
monotone by construction; small categories are merged into their neighbour in
that order and the same ``max_bins`` rule applies.

Serious records (``serious=True``: counts of court judgments, frauds,
defaults, arrears, 60+ days late) are never merged by share: rare values
are exactly the ones that matter. Their bins are fixed by the catalogue's
meaning, not learned: none | one | two or more, the last merged into "one"
when it holds fewer than ``min_bin_events`` events or a lower event rate
(so the rate never falls as records are added); "none" and "one or more"
are always apart, however few people have the record. A small serious bin
is shrunk towards ``serious_prior`` (the pooled default rate of everyone
with any serious record, set by :class:`BinningProcess`) rather than
towards the overall rate, with ``serious_strength`` pseudo-people (default
``min_bin_events``): 13
people with a fraudulent credential and 1 default then read as "like other
serious records, a little better", not as safer than a clean file.

Missing values (NaN / null) always have a bin of their own, last; each
declared special value has its own bin just before it. A category never seen
in fit falls into the missing bin: the model knows nothing about it.

WoE is ``ln(bin non-event odds / overall non-event odds)`` with the bin's
event rate shrunk towards the overall rate by ``woe_smoothing``
pseudo-observations; higher WoE means lower risk, an empty bin has WoE 0.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from creditcity.scoring import _merge
from creditcity.scoring._columns import (
    FloatArray,
    IntArray,
    Table,
    categorical_codes,
    is_numeric,
    numeric_values,
    target_vector,
)
from creditcity.scoring.bins import Bin, BinKind

__all__ = ["MonotoneBinning"]

_COLUMN = "x"
#: Pre-bin cut points are read from at most this many values (a fixed-seed
#: sample); every row is still counted exactly in its bin.
PREBIN_SAMPLE = 100_000


def _between_values(cuts: FloatArray, values: FloatArray) -> FloatArray:
    """Each cut moved halfway to the next larger observed value: the same split of the
    training rows, but no edge sits on a value a person can have.

    An edge on an observed value put that value's bin at the mercy of the last
    bit of a float: a card utilisation summed in another order (DuckDB's
    parallel aggregation, Spark's partitions) came out one ulp above the edge
    and the person lost 126 points on one engine and not the other.
    """
    if not cuts.size:
        return cuts
    ordered = np.sort(values)
    above = ordered[np.searchsorted(ordered, cuts, side="right")]
    halfway = cuts + (above - cuts) / 2
    return np.where((halfway > cuts) & (halfway < above), halfway, cuts)


def _prebin_sample(values: FloatArray) -> FloatArray:
    """The values the pre-bin quantiles are read from: all of them, or a fixed sample."""
    if values.size <= PREBIN_SAMPLE:
        return values
    picks = np.random.default_rng(0).integers(0, values.size, PREBIN_SAMPLE)
    return np.asarray(values[picks], dtype=np.float64)


class MonotoneBinning(BaseEstimator):  # type: ignore[misc]
    """Monotone binning estimator for one feature (scikit-learn contract).

    ``fit(x, y)`` takes a 1-D array (numbers with NaN, or text with None) and
    0/1 targets (1 = event). Learned: ``bins_``, ``woe_``, ``iv_``, ``trend_``,
    ``kind_``.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "kind": [StrOptions({"auto", "numeric", "categorical"})],
        "trend": [StrOptions({"auto", "ascending", "descending"})],
        "max_bins": [Interval(Integral, 1, None, closed="left")],
        "max_prebins": [Interval(Integral, 2, None, closed="left")],
        "min_bin_share": [Interval(Real, 0.0, 0.5, closed="both")],
        "special_values": [tuple],
        "woe_smoothing": [Interval(Real, 0.0, None, closed="left")],
        "serious": ["boolean"],
        "min_bin_events": [Interval(Integral, 0, None, closed="left")],
        "serious_prior": [Interval(Real, 0.0, 1.0, closed="neither"), None],
        "serious_strength": [Interval(Real, 0.0, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        kind: str = "auto",
        trend: str = "auto",
        max_bins: int = 6,
        max_prebins: int = 20,
        min_bin_share: float = 0.05,
        special_values: tuple[float | str, ...] = (),
        woe_smoothing: float = 1.0,
        serious: bool = False,
        min_bin_events: int = 5,
        serious_prior: float | None = None,
        serious_strength: float | None = None,
    ) -> None:
        self.kind = kind
        self.trend = trend
        self.max_bins = max_bins
        self.max_prebins = max_prebins
        self.min_bin_share = min_bin_share
        self.special_values = special_values
        self.woe_smoothing = woe_smoothing
        self.serious = serious
        self.min_bin_events = min_bin_events
        self.serious_prior = serious_prior
        self.serious_strength = serious_strength

    # -- fitting -------------------------------------------------------------

    def fit(self, x: Any, y: Any) -> MonotoneBinning:
        """Learn the bins of ``x`` against ``y``; returns ``self``."""
        table = {_COLUMN: x}
        return self._fit_column(table, _COLUMN, target_vector(y, len(x)))

    def _fit_column(self, X: Table, name: str, y: IntArray) -> MonotoneBinning:
        """Fit on column ``name`` of ``X`` (the path :class:`BinningProcess` uses)."""
        self._validate_params()
        numeric = self.kind == "numeric" or (self.kind == "auto" and is_numeric(X, name))
        events_total = float(y.sum())
        prior = _merge.Prior(events_total, float(y.size) - events_total, float(self.woe_smoothing))
        if numeric:
            bins = self._numeric_bins(numeric_values(X, name), y, prior)
        else:
            bins = self._categorical_bins(X, name, y, prior)
        self._set_state("numeric" if numeric else "categorical", bins)
        e = np.array([b.events for b in bins], dtype=np.float64)
        n = np.array([b.count for b in bins], dtype=np.float64)
        self.iv_ = float(_merge.iv_terms(e, n, prior).sum())
        return self

    def _grouping(
        self, e: FloatArray, n: FloatArray, prior: _merge.Prior, trend: str
    ) -> tuple[list[int], str]:
        min_count = float(self.min_bin_share) * float(n.sum())
        starts, direction, _ = _merge.best_grouping(
            e,
            n,
            trend=trend,
            min_count=min_count,
            max_groups=int(self.max_bins),
            prior=prior,
            min_events=float(self.min_bin_events),
        )
        self.trend_ = direction
        return starts, direction

    def _numeric_bins(self, x: FloatArray, y: IntArray, prior: _merge.Prior) -> list[Bin]:
        missing = np.isnan(x)
        specials = [float(v) for v in self.special_values]
        is_special = np.isin(x, specials) if specials else np.zeros(x.shape, dtype=bool)
        regular = ~(missing | is_special)
        xr, yr = x[regular], y[regular]
        bins: list[Bin] = []
        self.trend_ = "ascending"
        if self.serious:
            bins = _serious_bins(xr, yr, int(self.min_bin_events))
        elif xr.size:
            qs = np.linspace(0.0, 1.0, int(self.max_prebins) + 1)[1:]
            marks = np.quantile(_prebin_sample(xr), qs, method="lower")
            cuts = np.unique(marks[:-1])
            cuts = _between_values(cuts[cuts < marks[-1]], xr)  # marks[-1] is the maximum
            e, n = _merge.counts(np.searchsorted(cuts, xr, side="left"), yr, cuts.size + 1)
            starts, _ = self._grouping(e, n, prior, str(self.trend))
            edges = [None, *(float(cuts[s - 1]) for s in starts[1:]), None]
            ge, gn = np.add.reduceat(e, starts), np.add.reduceat(n, starts)
            bins = [
                Bin(BinKind.RANGE, int(gn[g]), int(ge[g]), lower=edges[g], upper=edges[g + 1])
                for g in range(len(starts))
            ]
        else:
            bins = [Bin(BinKind.RANGE)]
        for value in specials:
            mask = x == value
            bins.append(Bin(BinKind.SPECIAL, int(mask.sum()), int(y[mask].sum()), special=value))
        bins.append(Bin(BinKind.MISSING, int(missing.sum()), int(y[missing].sum())))
        if self.serious and self.serious_prior is not None:
            strength = self.serious_strength
            if strength is None:
                strength = self.min_bin_events
            return _serious_woe(bins, prior, float(self.serious_prior), float(strength))
        return _with_woe(bins, prior)

    def _categorical_bins(self, X: Table, name: str, y: IntArray, prior: _merge.Prior) -> list[Bin]:
        codes, cats = categorical_codes(X, name)
        present = codes >= 0
        e, n = _merge.counts(codes[present], y[present], len(cats))
        specials = [str(v) for v in self.special_values]
        regular = [i for i, c in enumerate(cats) if c not in specials]
        smoothed = (e + prior.smoothing * prior.rate) / (n + prior.smoothing)
        order = sorted(regular, key=lambda i: (smoothed[i], cats[i]))
        bins: list[Bin] = []
        if order:
            oe, on = e[order], n[order]
            starts, _ = self._grouping(oe, on, prior, "ascending")
            bounds = [*starts, len(order)]
            for g in range(len(starts)):
                members = order[bounds[g] : bounds[g + 1]]
                bins.append(
                    Bin(
                        BinKind.CATEGORIES,
                        int(n[members].sum()),
                        int(e[members].sum()),
                        categories=tuple(sorted(cats[i] for i in members)),
                    )
                )
        else:
            self.trend_ = "ascending"
            bins.append(Bin(BinKind.CATEGORIES))
        index = {c: i for i, c in enumerate(cats)}
        for value in specials:
            i = index.get(value)
            bins.append(
                Bin(
                    BinKind.SPECIAL,
                    0 if i is None else int(n[i]),
                    0 if i is None else int(e[i]),
                    special=value,
                )
            )
        bins.append(Bin(BinKind.MISSING, int((~present).sum()), int(y[~present].sum())))
        return _with_woe(bins, prior)

    # -- state ---------------------------------------------------------------

    def _set_state(self, kind: str, bins: list[Bin]) -> None:
        self.kind_ = kind
        self.bins_ = tuple(bins)
        self.woe_ = np.array([b.woe for b in bins], dtype=np.float64)
        regular = [b for b in bins if b.kind in (BinKind.RANGE, BinKind.CATEGORIES)]
        self.splits_ = np.array([b.upper for b in regular[:-1]], dtype=np.float64)
        self.category_bin_ = {c: i for i, b in enumerate(regular) for c in b.categories}
        self.specials_ = tuple(b.special for b in bins if b.kind is BinKind.SPECIAL)
        self.n_regular_ = len(regular)
        self.missing_bin_ = len(bins) - 1

    @classmethod
    def from_bins(
        cls,
        kind: str,
        bins: list[Bin],
        *,
        trend: str = "ascending",
        iv: float = float("nan"),
        **params: Any,
    ) -> MonotoneBinning:
        """A fitted binning rebuilt from its bins (as read from a model artefact)."""
        if not bins or bins[-1].kind is not BinKind.MISSING:
            raise ValueError("bins must end with the missing bin")
        specials = tuple(b.special for b in bins if b.kind is BinKind.SPECIAL)
        params.setdefault("special_values", specials)
        est = cls(kind=kind, **params)
        est._set_state(kind, list(bins))
        est.trend_ = trend
        est.iv_ = iv
        return est

    # -- applying ------------------------------------------------------------

    def transform_bins(self, x: Any) -> IntArray:
        """The bin index of every value (missing and unseen categories: the last bin)."""
        return self._bins_of({_COLUMN: x}, _COLUMN)

    def transform(self, x: Any) -> FloatArray:
        """The WoE of every value's bin."""
        return np.asarray(self.woe_[self.transform_bins(x)], dtype=np.float64)

    def _bins_of(self, X: Table, name: str) -> IntArray:
        check_is_fitted(self, "bins_")
        if self.kind_ == "numeric":
            x = numeric_values(X, name)
            out = np.searchsorted(self.splits_, x, side="left").astype(np.int64)
            for j, value in enumerate(self.specials_):
                out[x == float(value)] = self.n_regular_ + j  # type: ignore[arg-type]
            out[np.isnan(x)] = self.missing_bin_
            return out
        codes, cats = categorical_codes(X, name)
        special_index = {str(v): self.n_regular_ + j for j, v in enumerate(self.specials_)}
        lookup = [special_index.get(c, self.category_bin_.get(c, self.missing_bin_)) for c in cats]
        table = np.array([*lookup, self.missing_bin_], dtype=np.int64)
        return np.asarray(table[codes], dtype=np.int64)


def _serious_bins(x: FloatArray, y: IntArray, min_events: int) -> list[Bin]:
    """none | one | two or more (merged into one or more when thin or not worse)."""

    def counted(mask: Any) -> tuple[int, int]:
        return int(mask.sum()), int(y[mask].sum())

    (n0, e0), (n1, e1), (n2, e2) = counted(x <= 0), counted((x > 0) & (x <= 1)), counted(x > 1)
    rate1 = e1 / n1 if n1 else 0.0
    if n2 and e2 >= min_events and n1 and e2 / n2 > rate1:
        return [
            Bin(BinKind.RANGE, n0, e0, upper=0.0),
            Bin(BinKind.RANGE, n1, e1, lower=0.0, upper=1.0),
            Bin(BinKind.RANGE, n2, e2, lower=1.0),
        ]
    return [Bin(BinKind.RANGE, n0, e0, upper=0.0), Bin(BinKind.RANGE, n1 + n2, e1 + e2, lower=0.0)]


def _serious_woe(bins: list[Bin], prior: _merge.Prior, rate: float, strength: float) -> list[Bin]:
    """WoE with the record bins (all but "none" and missing) shrunk towards ``rate``."""
    out = _with_woe(bins, prior)
    base = np.log((1.0 - prior.rate) / prior.rate)
    for i in range(1, len(bins) - 1):
        b = bins[i]
        shrunk = (b.events + strength * rate) / (b.count + strength)
        woe = float(np.log((1.0 - shrunk) / shrunk) - base)
        out[i] = b.with_stats(b.count, b.events, woe)
    return out


def _with_woe(bins: list[Bin], prior: _merge.Prior) -> list[Bin]:
    e = np.array([b.events for b in bins], dtype=np.float64)
    n = np.array([b.count for b in bins], dtype=np.float64)
    w = _merge.woe(e, n, prior)
    return [b.with_stats(b.count, b.events, float(w[i])) for i, b in enumerate(bins)]
