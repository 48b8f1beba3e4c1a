"""Demo residents for the demo keys file: a few scored people across the score range."""

from __future__ import annotations

from sqlalchemy import Engine, select

from creditcity.ledger.tables import scores

__all__ = ["demo_residents"]


def demo_residents(engine: Engine, count: int = 5, sample: int = 5000) -> list[str]:
    """Up to ``count`` recently scored people, from the best score down to the lowest."""
    query = (
        select(scores.c.subject, scores.c.score).order_by(scores.c.score_id.desc()).limit(sample)
    )
    with engine.connect() as conn:
        latest: dict[str, int] = {}
        for subject, score in conn.execute(query):
            latest.setdefault(str(subject), int(score))  # newest first: keep the newest
    ranked = sorted(latest, key=lambda s: (-latest[s], s))
    if len(ranked) <= count:
        return ranked
    step = (len(ranked) - 1) / (count - 1)
    return [ranked[round(i * step)] for i in range(count)]
