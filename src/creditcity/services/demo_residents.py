"""Demo residents for the demo keys: a few scored people across the score range."""

from __future__ import annotations

from sqlalchemy import Engine

from creditcity.ledger.scores import current_scores

__all__ = ["demo_residents"]


def demo_residents(engine: Engine, count: int = 5) -> list[str]:
    """Up to ``count`` currently scored people, from the best score down to the lowest."""
    with engine.connect() as conn:
        latest = {s.subject: s.score for s in current_scores(conn)}
    ranked = sorted(latest, key=lambda s: (-latest[s], s))
    if len(ranked) <= count:
        return ranked
    step = (len(ranked) - 1) / (count - 1)
    return [ranked[round(i * step)] for i in range(count)]
