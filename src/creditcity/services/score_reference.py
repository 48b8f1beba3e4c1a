"""Each city's current score distribution, kept per process for live rescoring.

A live rescore ranks the people a write touched against the current scores of
their city. Reading those scores per write costs a pass over the whole city
and its score history (who is current is the newest row per person), so every
record and outcome paid O(city): the ten-minute soak slowed window by window
as the history grew. Here each worker keeps each city's distribution as
``(score, how many)`` counts and rereads it when it is older than
:data:`MAX_AGE_SECONDS`; one thread rereads while the others rank against the
copy they have. A live percentile is therefore up to that old (it is a
display figure: tiers, caps and decisions use the score itself), and the next
batch run ranks everyone exactly and drops the copies of this process.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from creditcity.ledger.scores import current_score_counts
from creditcity.scoring.percentiles import ranked_among_counts

__all__ = ["MAX_AGE_SECONDS", "ScoreReference", "forget", "reference_for"]

MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class ScoreReference:
    """A city's current scores as distinct values (ascending) and how many hold each."""

    values: np.ndarray[Any, Any]
    counts: np.ndarray[Any, Any]
    read_at: float

    @property
    def people(self) -> int:
        return int(self.counts.sum())

    def rank(self, scored: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return ranked_among_counts(scored, self.values, self.counts)


class _Cities:
    """One engine's references by city, with one reread in flight at a time."""

    def __init__(self) -> None:
        self.by_city: dict[str | None, ScoreReference] = {}
        self.rereading = threading.Lock()


_ENGINES: weakref.WeakKeyDictionary[Engine, _Cities] = weakref.WeakKeyDictionary()
_ENGINES_LOCK = threading.Lock()


def _cities(engine: Engine) -> _Cities:
    with _ENGINES_LOCK:
        found = _ENGINES.get(engine)
        if found is None:
            found = _ENGINES[engine] = _Cities()
        return found


def _read(conn: Connection, city: str | None, now: float) -> ScoreReference:
    pairs = current_score_counts(conn, city)
    return ScoreReference(
        np.array([score for score, _ in pairs], dtype=np.int64),
        np.array([count for _, count in pairs], dtype=np.int64),
        now,
    )


def reference_for(
    engine: Engine,
    conn: Connection,
    city: str | None,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> ScoreReference:
    """``city``'s distribution, reread through ``conn`` when missing, empty or stale.

    An empty city is reread every time (its first people are being scored and
    the read is cheap), so a city's first scores never freeze as its reference.
    """
    cities = _cities(engine)
    held = cities.by_city.get(city)
    if held is None or not held.people:
        return _keep(cities, city, _read(conn, city, clock()))
    if clock() - held.read_at < MAX_AGE_SECONDS:
        return held
    if not cities.rereading.acquire(blocking=False):
        return held  # another thread is rereading; this copy is at most one reread older
    try:
        return _keep(cities, city, _read(conn, city, clock()))
    finally:
        cities.rereading.release()


def _keep(cities: _Cities, city: str | None, fresh: ScoreReference) -> ScoreReference:
    cities.by_city[city] = fresh
    return fresh


def forget(engine: Engine) -> None:
    """Drop this process's references for ``engine`` (after a batch run ranked everyone)."""
    with _ENGINES_LOCK:
        _ENGINES.pop(engine, None)
