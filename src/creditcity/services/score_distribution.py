"""The operator's score distribution: the current score of each person, counted in bins.

A read of aggregates only (no one's file is shown). "Current" and "of a city"
follow the one rule in :mod:`creditcity.ledger.scores`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine

from creditcity.ledger.scores import EVERY_CITY, current_score_counts

__all__ = ["EDGES", "Distribution", "score_distribution"]

EDGES = tuple(range(350, 951, 25))


@dataclass(frozen=True, slots=True)
class Distribution:
    city: str | None
    counts: list[int]
    people: int
    median: float | None


def score_distribution(engine: Engine, city: str | None) -> Distribution:
    """Current scores of ``city`` (or of everyone) in 25-point bins from 350 to 950."""
    with engine.connect() as conn:
        found = current_score_counts(conn, EVERY_CITY if city is None else city)
    values = np.array([score for score, _ in found], dtype=np.int64)
    weights = np.array([count for _, count in found], dtype=np.int64)
    counts, _ = np.histogram(values, bins=np.array(EDGES), weights=weights)
    return Distribution(
        city, [int(c) for c in counts], int(weights.sum()), _median(values, weights)
    )


def _median(values: np.ndarray[Any, Any], weights: np.ndarray[Any, Any]) -> float | None:
    """The exact median of ``values`` repeated ``weights`` times (sorted, as the ledger
    returns them): the middle one, or the mean of the middle two."""
    people = int(weights.sum())
    if people == 0:
        return None
    ends = np.cumsum(weights)  # the 1-based rank of each value's last holder
    low = values[np.searchsorted(ends, (people + 1) // 2)]
    high = values[np.searchsorted(ends, people // 2 + 1)]
    return (float(low) + float(high)) / 2
