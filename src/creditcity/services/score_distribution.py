"""The operator's score distribution: the current score of each person, counted in bins.

A read of aggregates only (no one's file is shown). "Current" and "of a city"
follow the one rule in :mod:`creditcity.ledger.scores`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from creditcity.ledger.scores import EVERY_CITY, current_score_values

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
        values = current_score_values(conn, EVERY_CITY if city is None else city)
    counts, _ = np.histogram(values, bins=np.array(EDGES))
    median = float(np.median(values)) if values.size else None
    return Distribution(city, [int(c) for c in counts], int(values.size), median)
