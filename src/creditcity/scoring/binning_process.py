"""Monotone binning of many columns at once: the ``BinningProcess`` of creditcity.

Input ``X`` is a :class:`pyarrow.Table` or a mapping of column name to 1-D
numpy array (see :mod:`creditcity.scoring._columns`). Each column is counted
once with vectorised numpy (quantiles, ``searchsorted``, ``bincount``); the
merge solver then works on at most ``max_prebins`` counts. Columns are
independent, so with ``n_jobs > 1`` they are fitted on threads (numpy's
sort and search release the GIL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from creditcity.scoring._columns import (
    FloatArray,
    IntArray,
    Table,
    column_names,
    n_rows,
    numeric_values,
    target_vector,
)
from creditcity.scoring.binning import MonotoneBinning

__all__ = ["BinningProcess"]


class BinningProcess(BaseEstimator):  # type: ignore[misc]
    """Fit one :class:`MonotoneBinning` per column; transform to a WoE matrix.

    ``variables``: the columns to bin (default: every column of ``X``).
    ``kinds`` / ``special_values``: per-column overrides (``'numeric'`` /
    ``'categorical'``; values that get a bin of their own). ``trends``: per-column
    directions overriding ``trend``. ``serious``:
    columns counting serious records (catalogue bins, see
    :class:`MonotoneBinning`). The other
    parameters are those of :class:`MonotoneBinning`, shared by every column.
    Learned: ``feature_names_in_``, ``binnings_``, ``iv_``.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "variables": [list, tuple, None],
        "kinds": [dict, None],
        "special_values": [dict, None],
        "trends": [dict, None],
        "trend": [StrOptions({"auto", "ascending", "descending"})],
        "max_bins": [Interval(Integral, 1, None, closed="left")],
        "max_prebins": [Interval(Integral, 2, None, closed="left")],
        "min_bin_share": [Interval(Real, 0.0, 0.5, closed="both")],
        "woe_smoothing": [Interval(Real, 0.0, None, closed="left")],
        "n_jobs": [Interval(Integral, 1, None, closed="left")],
        "serious": [list, tuple, set, frozenset],
        "min_bin_events": [Interval(Integral, 0, None, closed="left")],
        "serious_strength": [Interval(Real, 0.0, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        variables: Sequence[str] | None = None,
        kinds: Mapping[str, str] | None = None,
        special_values: Mapping[str, tuple[float | str, ...]] | None = None,
        trends: Mapping[str, str] | None = None,
        trend: str = "auto",
        max_bins: int = 6,
        max_prebins: int = 20,
        min_bin_share: float = 0.05,
        woe_smoothing: float = 1.0,
        n_jobs: int = 1,
        serious: Sequence[str] | frozenset[str] = (),
        min_bin_events: int = 5,
        serious_strength: float | None = None,
    ) -> None:
        self.variables = variables
        self.kinds = kinds
        self.special_values = special_values
        self.trends = trends
        self.trend = trend
        self.max_bins = max_bins
        self.max_prebins = max_prebins
        self.min_bin_share = min_bin_share
        self.woe_smoothing = woe_smoothing
        self.n_jobs = n_jobs
        self.serious = serious
        self.min_bin_events = min_bin_events
        self.serious_strength = serious_strength

    def _binning_for(self, name: str, serious_prior: float | None = None) -> MonotoneBinning:
        return MonotoneBinning(
            kind=(self.kinds or {}).get(name, "auto"),
            trend=(self.trends or {}).get(name, self.trend),
            max_bins=self.max_bins,
            max_prebins=self.max_prebins,
            min_bin_share=self.min_bin_share,
            special_values=tuple((self.special_values or {}).get(name, ())),
            woe_smoothing=self.woe_smoothing,
            serious=name in self.serious,
            min_bin_events=self.min_bin_events,
            serious_prior=serious_prior if name in self.serious else None,
            serious_strength=self.serious_strength,
        )

    def _serious_prior(self, X: Table, names: list[str], y: IntArray) -> float | None:
        """The default rate of everyone with at least one serious record (None if nobody)."""
        serious = [n for n in names if n in self.serious]
        if not serious:
            return None
        anyone = np.zeros(y.size, dtype=bool)
        for name in serious:
            anyone |= np.nan_to_num(numeric_values(X, name), nan=0.0) > 0
        if not anyone.any() or y[anyone].sum() == 0:
            return None
        return float(y[anyone].mean())

    def fit(self, X: Table, y: Any) -> BinningProcess:
        """Bin every selected column of ``X`` against 0/1 ``y``; returns ``self``."""
        self._validate_params()
        names = list(self.variables) if self.variables is not None else column_names(X)
        target = target_vector(y, n_rows(X))
        pooled = self._serious_prior(X, names, target)

        def fit_one(name: str) -> MonotoneBinning:
            return self._binning_for(name, pooled)._fit_column(X, name, target)

        if self.n_jobs > 1 and len(names) > 1:
            with ThreadPoolExecutor(max_workers=int(self.n_jobs)) as pool:
                fitted = list(pool.map(fit_one, names))
        else:
            fitted = [fit_one(name) for name in names]
        self.feature_names_in_ = np.array(names, dtype=object)
        self.binnings_ = dict(zip(names, fitted, strict=True))
        self.iv_ = {name: b.iv_ for name, b in self.binnings_.items()}
        return self

    def transform_bins(self, X: Table) -> IntArray:
        """Bin index per row and feature, shape ``(n_rows, n_features)``."""
        check_is_fitted(self, "binnings_")
        n = n_rows(X)
        out = np.empty((n, len(self.binnings_)), dtype=np.int64)
        for j, (name, binning) in enumerate(self.binnings_.items()):
            out[:, j] = binning._bins_of(X, name)
        return out

    def transform(self, X: Table) -> FloatArray:
        """WoE per row and feature, shape ``(n_rows, n_features)``."""
        bins = self.transform_bins(X)
        out = np.empty(bins.shape, dtype=np.float64)
        for j, binning in enumerate(self.binnings_.values()):
            out[:, j] = binning.woe_[bins[:, j]]
        return out

    def fit_transform(self, X: Table, y: Any) -> FloatArray:
        return self.fit(X, y).transform(X)
