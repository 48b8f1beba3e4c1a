"""What the city publishes about its model: the active points table, read from the registry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from creditcity.errors import NotFound, Problem
from creditcity.ledger.models import active_model
from creditcity.ledger.unit_of_work import UnitOfWork

__all__ = ["DimensionRange", "active_scorecard", "dimension_ranges"]


def active_scorecard(engine: Engine) -> dict[str, Any]:
    """The active model's artefact: scale, base points, every feature's bins and points."""
    with UnitOfWork(engine) as uow:
        found = active_model(uow.conn)
    if found is None:
        raise NotFound(
            "no active model yet",
            problems=[
                Problem(
                    "nothing has been trained, so there is no points table to publish",
                    field="model",
                    expected="the operator runs 'creditcity train' first",
                )
            ],
        )
    document: dict[str, Any] = json.loads(found[1])
    return document


@dataclass(frozen=True, slots=True)
class DimensionRange:
    """The fewest and most points a dimension can give under a model."""

    low: int
    high: int


def dimension_ranges(scorecard: dict[str, Any]) -> dict[str, DimensionRange]:
    """Per dimension: sums of each feature's worst and best bin points."""
    low: dict[str, int] = {}
    high: dict[str, int] = {}
    for feature in scorecard.get("features", []):
        points = [int(b["points"]) for b in feature.get("bins", [])]
        if not points:
            continue
        key = str(feature.get("dimension") or "unassigned")
        low[key] = low.get(key, 0) + min(points)
        high[key] = high.get(key, 0) + max(points)
    return {k: DimensionRange(low[k], high[k]) for k in low}
