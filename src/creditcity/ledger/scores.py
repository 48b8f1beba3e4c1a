"""Stored scores: one row per subject per scoring run; the newest row is current.

History is kept (a person's report shows past scores); reads take the row
with the highest ``score_id`` for the subject. *The current scores of a city*
is one concept with one rule, kept here and nowhere else: a person belongs to
the city of their newest score row, so someone who moved counts in their new
city only (never in both, never in the old one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Select, func, insert, select

from creditcity.ledger.tables import scores

__all__ = [
    "EVERY_CITY",
    "StoredScore",
    "current_score",
    "current_score_counts",
    "current_score_values",
    "current_scores",
    "save_scores",
    "score_history",
]


class _EveryCity:
    """The city filter meaning "every person, whatever their city"."""

    def __repr__(self) -> str:
        return "EVERY_CITY"


EVERY_CITY = _EveryCity()
#: a city name, None for people scored without a city, or EVERY_CITY
CityFilter = str | None | _EveryCity


@dataclass(frozen=True, slots=True)
class StoredScore:
    subject: str
    score: int
    percentile: float
    as_of: date
    computed_at: datetime
    model_version: str
    city: str | None
    dimensions: dict[str, float]
    reasons: list[dict[str, Any]]


def save_scores(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Append score rows (keys: the columns of ``scores`` except ``score_id``)."""
    if rows:
        conn.execute(insert(scores), list(rows))


def _stored(row: Any) -> StoredScore:
    m = row._mapping
    return StoredScore(
        subject=m["subject"],
        score=int(m["score"]),
        percentile=float(m["percentile"]),
        as_of=m["as_of"],
        computed_at=m["computed_at"],
        model_version=m["model_version"],
        city=m["city"],
        dimensions=dict(m["dimensions"]),
        reasons=list(m["reasons"]),
    )


def current_score(conn: Connection, subject: str) -> StoredScore | None:
    row = conn.execute(
        select(scores)
        .where(scores.c.subject == subject)
        .order_by(scores.c.score_id.desc())
        .limit(1)
    ).first()
    return _stored(row) if row is not None else None


def score_history(conn: Connection, subject: str) -> list[StoredScore]:
    query = select(scores).where(scores.c.subject == subject).order_by(scores.c.score_id)
    return [_stored(r) for r in conn.execute(query)]


def _current(query: Select[Any], city: CityFilter) -> Select[Any]:
    """``query`` over scores narrowed to each person's newest row, in ``city``."""
    newest = select(func.max(scores.c.score_id)).group_by(scores.c.subject)
    query = query.where(scores.c.score_id.in_(newest))
    if city is EVERY_CITY:
        return query
    return query.where(scores.c.city.is_(None) if city is None else scores.c.city == city)


def current_scores(conn: Connection, city: CityFilter = EVERY_CITY) -> list[StoredScore]:
    """The newest score of every person of ``city`` (for stats, fairness and the demo)."""
    return [_stored(r) for r in conn.execute(_current(select(scores), city))]


def current_score_counts(conn: Connection, city: CityFilter = EVERY_CITY) -> list[tuple[int, int]]:
    """(score, how many people have it now), lowest first: :func:`current_score_values`
    counted in the database, so a distribution reads a few hundred rows, not everyone."""
    current = _current(select(scores.c.score), city).subquery()
    query = (
        select(current.c.score, func.count()).group_by(current.c.score).order_by(current.c.score)
    )
    return [(int(score), int(count)) for score, count in conn.execute(query)]


def current_score_values(conn: Connection, city: CityFilter = EVERY_CITY) -> np.ndarray[Any, Any]:
    """Just the numbers of :func:`current_scores` (percentiles, distributions)."""
    rows = conn.execute(_current(select(scores.c.score), city))
    return np.array([r[0] for r in rows], dtype=np.int64)
