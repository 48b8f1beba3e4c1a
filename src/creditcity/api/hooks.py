"""After a write that changes a person's file, rescore them with the active model."""

from __future__ import annotations

from sqlalchemy import Engine

from creditcity.errors import NotFound
from creditcity.services.disputes import OnChange
from creditcity.services.scoring import rescore

__all__ = ["rescore_hook", "rescore_people"]


def rescore_people(engine: Engine, people: set[str]) -> int:
    """How many were rescored: none before any model is trained (the next score run will)."""
    if not people:
        return 0
    try:
        rescore(engine, subjects=people)
    except NotFound:
        return 0
    return len(people)


def rescore_hook(engine: Engine) -> OnChange:
    def hook(people: set[str]) -> None:
        rescore_people(engine, people)

    return hook
