"""A small synthetic credit table with a known risk structure, for fast scorecard tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from creditcity.domain.catalogue import Dimension
from creditcity.scoring import FeatureSpec

SPECS = (
    FeatureSpec(
        "late_30_12m",
        Dimension.PAYMENT_HISTORY,
        kind="numeric",
        code="LATE",
        reason="{value} instalments paid 30–59 days late in the last 12 months",
    ),
    FeatureSpec(
        "utilisation",
        Dimension.OBLIGATIONS_CAPACITY,
        reason="balances are {value} of credit limits",
    ),
    FeatureSpec(
        "history_months",
        Dimension.HISTORY_LENGTH,
        special_values=(-1.0,),
        reason="oldest obligation is {value} months old",
    ),
    FeatureSpec(
        "new_obligations_6m",
        Dimension.NEW_OBLIGATIONS,
        reason="{value} new obligations opened in the last 6 months",
    ),
    FeatureSpec("housing", Dimension.OBLIGATIONS_CAPACITY, kind="categorical"),
    FeatureSpec(
        "shared_savings", Dimension.OBLIGATIONS_CAPACITY, reason="shared savings of {value} yuan"
    ),
)


def make_table(n: int = 4000, seed: int = 0) -> tuple[dict[str, Any], np.ndarray[Any, Any]]:
    """Columns as a dict of numpy arrays, and 0/1 outcomes (1 = default)."""
    rng = np.random.default_rng(seed)
    late = rng.poisson(0.6, n).astype(np.float64)
    util = rng.uniform(0.0, 1.4, n)
    util[rng.random(n) < 0.1] = np.nan
    history = rng.integers(1, 240, n).astype(np.float64)
    history[rng.random(n) < 0.05] = -1.0
    new6 = rng.poisson(0.8, n).astype(np.float64)
    housing = rng.choice(
        np.array(["own", "rent", "free", "boat"], dtype=object), n, p=[0.55, 0.3, 0.14, 0.01]
    )
    savings = rng.gamma(2.0, 5000.0, n)
    savings[rng.random(n) < 0.5] = np.nan  # half the people do not share it
    logit = (
        -1.2
        + 0.8 * late
        + 1.2 * np.nan_to_num(util, nan=0.7)
        - 0.006 * np.maximum(history, 0)
        + 0.25 * new6
        + np.where(housing == "rent", 0.4, 0.0)
        - 0.00005 * np.nan_to_num(savings, nan=10_000.0)
    )
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    columns = {
        "late_30_12m": late,
        "utilisation": util,
        "history_months": history,
        "new_obligations_6m": new6,
        "housing": housing,
        "shared_savings": savings,
    }
    return columns, y
