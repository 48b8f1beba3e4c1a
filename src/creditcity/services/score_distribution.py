"""The operator's score distribution: the newest score of each person, counted in bins.

A read of aggregates only (no one's file is shown); it belongs with the other
city figures in :mod:`creditcity.services.stats` and lives here until it moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, func, select

from creditcity.ledger.tables import scores

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
    newest = select(func.max(scores.c.score_id)).group_by(scores.c.subject)
    query = select(scores.c.score).where(scores.c.score_id.in_(newest))
    if city is not None:
        query = query.where(scores.c.city == city)
    with engine.connect() as conn:
        values = np.array([row[0] for row in conn.execute(query)], dtype=np.int64)
    counts, _ = np.histogram(values, bins=np.array(EDGES))
    median = float(np.median(values)) if values.size else None
    return Distribution(city, [int(c) for c in counts], int(values.size), median)
