"""Stored scores: one row per subject per scoring run; the newest row is current.

History is kept (a person's report shows past scores); reads take the row
with the highest ``score_id`` for the subject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from creditcity.ledger.tables import scores


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


def current_scores(conn: Connection) -> list[StoredScore]:
    """The newest score of every subject (for decision caches, stats and fairness)."""
    newest = (
        select(scores.c.subject, func.max(scores.c.score_id).label("score_id"))
        .group_by(scores.c.subject)
        .subquery()
    )
    query = select(scores).join(newest, scores.c.score_id == newest.c.score_id)
    return [_stored(r) for r in conn.execute(query)]
