"""Scoring use cases: train a scorecard from the ledger, rescore people, read a score.

One feature definition (:mod:`creditcity.features`) serves training, batch
rescoring and live rescoring, so what a model learned from is exactly what it
is applied to (no train/serve skew; a test compares live and batch scores).
Batch rescoring walks the ledger in slices of pseudonyms, spills each
slice's results to Parquet, and ranks people within their city only once
every slice is scored, so memory stays bounded by one slice.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, func, select

from creditcity.config import Settings
from creditcity.errors import InputRejected, NotFound, Problem
from creditcity.features.definitions import FEATURES
from creditcity.features.engine import compute_features
from creditcity.ledger import models as model_store
from creditcity.ledger.db import analyse
from creditcity.ledger.entries import live_entries_arrow
from creditcity.ledger.exclusions import consent_table, disputed_table
from creditcity.ledger.models import active_version, model_artefact
from creditcity.ledger.scores import save_scores
from creditcity.ledger.tables import entries, subjects
from creditcity.scoring.artefact import ModelArtefact
from creditcity.scoring.batch import explain_batch
from creditcity.scoring.scorecard import Scorecard
from creditcity.scoring.snapshot import snapshot_rows
from creditcity.scoring.spec import FeatureSpec
from creditcity.services.score_reference import forget, reference_for

ENTRIES_PER_SLICE = 2_000_000


@dataclass(frozen=True, slots=True)
class ScoreRun:
    """What a rescoring run did."""

    model_version: str
    as_of: date
    scored: int
    thin_file: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model_version": self.model_version,
            "as_of": self.as_of.isoformat(),
            "scored": self.scored,
            "thin_file": self.thin_file,
            "seconds": self.seconds,
        }
        return out


def feature_specs() -> list[FeatureSpec]:
    """The scorecard's view of the feature registry (reasons: the reason catalogue)."""
    return [
        FeatureSpec(f.name, dimension=f.dimension, kind="numeric", serious=f.serious, trend=f.trend)
        for f in FEATURES.values()
    ]


def one_sided_features() -> list[str]:
    return [f.name for f in FEATURES.values() if f.one_sided]


def new_scorecard(settings: Settings) -> Scorecard:
    return Scorecard(
        features=feature_specs(),
        one_sided=one_sided_features(),
        # Finer bins than the estimator's defaults: a city has tens of thousands of
        # people per model, so a bin of 3% with 2 defaults is still evidence. The top
        # and the clean files then spread instead of sharing a few coarse bins (a mass
        # of a third of the city on one score moves together across a tier edge on a
        # refit). A serious record's bin is held to the pooled rate of serious records
        # by 20 pseudo-people: 17 people with a fraudulent credential and no default
        # yet are too few to price it as safe. Measured in docs/benchmarks.md
        # ("Finer bins, four years").
        max_bins=8,
        min_bin_share=0.03,
        min_bin_events=2,
        serious_strength=20.0,
        base_score=settings.base_score,
        base_odds=settings.base_odds,
        pdo=settings.pdo,
        score_min=settings.score_min,
        score_max=settings.score_max,
    )


#: parsed scorecards by (database, version): a version's artefact never changes once stored
_SCORECARDS: dict[tuple[str, str], Scorecard] = {}
_KEPT_SCORECARDS = 8
_SCORECARDS_LOCK = threading.Lock()


#: how long a live rescore trusts this process's reading of the active version
ACTIVE_RECHECK_SECONDS = 5.0
#: per database: (active version, monotonic time read, in-process activations then)
_ACTIVE: dict[str, tuple[str, float, int]] = {}


def _active_version(conn: Connection, database: str) -> str | None:
    """The active version, reread when this process activated one or every few seconds.

    A live rescore runs after every record and outcome and asked the database
    each time (a tenth of a record submission's time in the worker under
    ``bench_soak --only records``). A model activated by another process (the
    command line) is therefore picked up within :data:`ACTIVE_RECHECK_SECONDS`;
    one activated here, at once. The score rows say which version made them.
    """
    now = time.monotonic()
    with _SCORECARDS_LOCK:
        known = _ACTIVE.get(database)
    if (
        known is not None
        and known[2] == model_store.activations
        and now - known[1] < ACTIVE_RECHECK_SECONDS
    ):
        return known[0]
    seen = model_store.activations
    version = active_version(conn)
    if version is not None:
        with _SCORECARDS_LOCK:
            _ACTIVE[database] = (version, now, seen)
    return version


def load_active(conn: Connection) -> tuple[str, Scorecard]:
    """The active version and its scorecard, parsed once per version in this process.

    A live rescore runs after every record and outcome, and it read and
    parsed the stored artefact every time; now each asks only which version
    is active, and that only every few seconds (:func:`_active_version`).
    """
    database = conn.engine.url.render_as_string(hide_password=True)
    version = _active_version(conn, database)
    key = (database, version or "")
    with _SCORECARDS_LOCK:
        kept = _SCORECARDS.get(key)
    if version is not None and kept is not None:
        return version, kept
    if version is None:
        raise NotFound(
            "no active model",
            problems=[
                Problem(
                    "nothing has been trained yet",
                    field="model",
                    expected="run 'creditcity train --outcomes PATH --as-of DATE' first",
                )
            ],
        )
    text = model_artefact(conn, version)
    card = ModelArtefact.from_json(text, where=f"model {version}").scorecard
    with _SCORECARDS_LOCK:  # rescores run on several threads at once
        if len(_SCORECARDS) >= _KEPT_SCORECARDS:
            _SCORECARDS.pop(next(iter(_SCORECARDS)))
        _SCORECARDS[key] = card
    return version, card


def ledger_features(
    conn: Connection,
    as_of: date,
    people: Collection[str] | None = None,
    subject_range: tuple[str, str] | None = None,
) -> pa.Table:
    """Features of the given people (or of a slice, or of everyone) from the live ledger."""
    live = live_entries_arrow(conn, people, subject_range=subject_range)
    # a live rescore reads only its people's disputes and consents, not the city's
    return compute_features(
        live,
        as_of=as_of,
        disputed=disputed_table(conn, people),
        consents=consent_table(conn, people),
    )


def _home_cities(conn: Connection, people: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for start in range(0, len(people), 5000):
        part = people[start : start + 5000]
        query = select(subjects.c.subject, subjects.c.home_city).where(subjects.c.subject.in_(part))
        found.update({str(s): c for s, c in conn.execute(query)})
    return found


def _slices(conn: Connection) -> list[tuple[str, str]]:
    """Ranges of pseudonyms holding about ENTRIES_PER_SLICE entries each."""
    total = int(conn.execute(select(func.count()).select_from(entries)).scalar_one())
    count = max(1, min(256, -(-total // ENTRIES_PER_SLICE)))
    edges = [f"p_{int(256 * i / count):02x}" for i in range(count)] + ["p_~"]
    edges[0] = "p_"
    return list(pairwise(edges))


def _rows(card: Scorecard, features: pa.Table) -> pa.Table:
    """Score, dimensions and reasons of every row of ``features`` (JSON text columns)."""
    batch = explain_batch(card, features)
    keys = batch.dimension_keys
    dims = [
        json.dumps({"base": batch.base, **dict(zip(keys, map(int, row), strict=True)), **_clip(c)})
        for row, c in zip(batch.dimension_points, batch.clips.tolist(), strict=True)
    ]
    reasons = [json.dumps(batch.reasons(row), ensure_ascii=False) for row in range(len(dims))]
    return pa.table(
        {
            "subject": features.column("subject"),
            "score": pa.array(batch.scores, pa.int64()),
            "dimensions": pa.array(dims, pa.string()),
            "reasons": pa.array(reasons, pa.string()),
        }
    )


def _clip(points: int) -> dict[str, int]:
    """The range clip beside the dimensions, so they add up to the score (absent when 0)."""
    return {"clip": points} if points else {}


def _percentiles(
    scored: np.ndarray[Any, Any], reference: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Mid-rank percentile of each score among ``reference`` (share below + half the ties)."""
    return _ranked(scored, np.sort(reference))


def _ranked(scored: np.ndarray[Any, Any], ordered: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """:func:`_percentiles` against a reference already sorted (sorted once, used many times)."""
    below = np.searchsorted(ordered, scored, side="left")
    upto = np.searchsorted(ordered, scored, side="right")
    return np.round(100.0 * (below + upto) / (2.0 * max(1, ordered.size)), 2)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def rescore(
    engine: Engine,
    *,
    subjects: Collection[str] | None = None,
    as_of: date | None = None,
    progress: Any | None = None,
) -> ScoreRun:
    """Rescore some people (live, after their file changed) or everyone (batch)."""
    day = as_of or date.today()
    from creditcity.services.disputes import sweep, sweep_if_due

    # overdue disputes are upheld (in the ledger) before anyone is scored
    if subjects is None:
        sweep(engine)
        return _rescore_all(engine, day, progress)
    sweep_if_due(engine)
    return _rescore_people(engine, sorted(set(subjects)), day)


def _rescore_people(engine: Engine, people: list[str], day: date) -> ScoreRun:
    started = _now()
    with engine.begin() as conn:
        version, card = load_active(conn)
        features = ledger_features(conn, day, people)
        rows = _rows(card, features)
        cities = _home_cities(conn, rows.column("subject").to_pylist())
        ranks = _live_percentiles(engine, conn, rows, cities)
        save_scores(conn, _records(rows, cities, version, day, ranks))
    return ScoreRun(
        version, day, rows.num_rows, len(people) - rows.num_rows, (_now() - started).total_seconds()
    )


def _live_percentiles(
    engine: Engine, conn: Connection, rows: pa.Table, cities: dict[str, str | None]
) -> np.ndarray[Any, Any]:
    """Rank new scores against the current scores of each person's city (as this worker
    last read them, :mod:`creditcity.services.score_reference`); a city with no one
    scored yet ranks its first people among themselves."""
    scores_now = rows.column("score").to_numpy()
    out = np.zeros(rows.num_rows)
    people = rows.column("subject").to_pylist()
    for city in set(cities.get(p) for p in people):
        mask = np.array([cities.get(p) == city for p in people])
        reference = reference_for(engine, conn, city)
        out[mask] = (
            reference.rank(scores_now[mask])
            if reference.people
            else _percentiles(scores_now[mask], scores_now[mask])
        )
    return out


def _records(
    rows: pa.Table,
    cities: dict[str, str | None],
    version: str,
    day: date,
    percentiles: np.ndarray[Any, Any],
) -> list[dict[str, Any]]:
    computed = _now()
    return [
        {
            "subject": s,
            "as_of": day,
            "computed_at": computed,
            "model_version": version,
            "score": int(score),
            "percentile": float(pct),
            "city": cities.get(s),
            "dimensions": json.loads(dims),
            "reasons": json.loads(reasons),
        }
        for s, score, dims, reasons, pct in zip(
            rows.column("subject").to_pylist(),
            rows.column("score").to_pylist(),
            rows.column("dimensions").to_pylist(),
            rows.column("reasons").to_pylist(),
            percentiles.tolist(),
            strict=True,
        )
    ]


def _rescore_all(engine: Engine, day: date, progress: Any | None) -> ScoreRun:
    started = _now()
    with tempfile.TemporaryDirectory(prefix="creditcity-score-") as tmp:
        spills, version = _score_slices(engine, day, Path(tmp), progress)
        by_city = _city_distributions(spills)
        scored = 0
        for spill in spills:
            rows = pq.read_table(spill)
            cities = dict(
                zip(
                    rows.column("subject").to_pylist(), rows.column("city").to_pylist(), strict=True
                )
            )
            pct = _batch_percentiles(rows, by_city)
            with engine.begin() as conn:
                save_scores(conn, _records(rows, cities, version, day, pct))
            scored += rows.num_rows
    analyse(engine, "scores")  # the servers' catch-up reads plan on what is there now
    forget(engine)  # live ranks in this process start again from the new distribution
    return ScoreRun(version, day, scored, 0, (_now() - started).total_seconds())


def _score_slices(
    engine: Engine, day: date, folder: Path, progress: Any | None
) -> tuple[list[Path], str]:
    spills = []
    with engine.connect() as conn:
        version, card = load_active(conn)
        slices = _slices(conn)
        for index, subject_range in enumerate(slices):
            features = ledger_features(conn, day, subject_range=subject_range)
            if features.num_rows:
                rows = _rows(card, features)
                cities = _home_cities(conn, rows.column("subject").to_pylist())
                rows = rows.append_column(
                    "city",
                    pa.array(
                        [cities.get(s) for s in rows.column("subject").to_pylist()], pa.string()
                    ),
                )
                spill = folder / f"slice-{index:03d}.parquet"
                pq.write_table(rows, spill)
                spills.append(spill)
            if progress:
                progress(index + 1, len(slices))
    return spills, version


def _city_distributions(spills: list[Path]) -> dict[str | None, np.ndarray[Any, Any]]:
    table = (
        pa.concat_tables([pq.read_table(s, columns=["city", "score"]) for s in spills])
        if spills
        else pa.table({"city": pa.array([], pa.string()), "score": pa.array([], pa.int64())})
    )
    cities = np.array(table.column("city").to_pylist(), dtype=object)
    values = table.column("score").to_numpy()
    return {c: values[cities == c] for c in set(cities.tolist())}


def _batch_percentiles(
    rows: pa.Table, by_city: dict[str | None, np.ndarray[Any, Any]]
) -> np.ndarray[Any, Any]:
    cities = np.array(rows.column("city").to_pylist(), dtype=object)
    values = rows.column("score").to_numpy()
    out = np.zeros(rows.num_rows)
    for city in set(cities.tolist()):
        mask = cities == city
        out[mask] = _percentiles(values[mask], by_city[city])
    return out


def rescorer(engine: Engine, as_of: date | None = None) -> Callable[[frozenset[str]], int]:
    """The after-commit handler that rescores the people a write touched; returns how many.

    Before any model is trained it does nothing: records are kept and the
    first ``score`` run covers them. :mod:`creditcity.bootstrap` subscribes it.
    """

    def handler(people: frozenset[str]) -> int:
        if not people:
            return 0
        try:
            return rescore(engine, subjects=set(people), as_of=as_of).scored
        except NotFound:
            return 0

    return handler


def score_snapshot(
    entries_path: Path,
    *,
    as_of: date,
    artefact_path: Path,
    out: Path,
    partitioned: bool = False,
    progress: Any | None = None,
) -> ScoreRun:
    """Country scale: score a Parquet export of live entries straight to a Parquet of scores.

    Used where the ledger lives elsewhere (a warehouse export) and for the batch
    benchmark. Columns: subject, score, percentile (among everyone scored),
    base, one column per dimension, clip (base + dimensions + clip = score),
    reason_codes.
    Sentences are rendered from the model artefact when a score is read, not
    stored per person here.

    ``partitioned``: ``entries_path`` is a directory whose Parquet files each
    hold every entry of their subjects (an export partitioned by subject).
    Each file is then scored on its own and spilled, and percentiles are
    added once all are scored, so memory is bounded by one partition rather
    than by the country.
    """
    from creditcity.features.schema import empty_consents, empty_disputed

    started = _now()
    artefact = ModelArtefact.load(artefact_path)
    parts = _partitions(entries_path) if partitioned else [entries_path]
    with tempfile.TemporaryDirectory(prefix="creditcity-snapshot-") as tmp:
        spills: list[Path | pa.Table] = []
        for index, part in enumerate(parts):
            features = compute_features(
                part,
                as_of=as_of,
                disputed=empty_disputed(),
                consents=empty_consents(),
                ordered=False,
            )
            rows = snapshot_rows(artefact.scorecard, features)
            if len(parts) == 1:  # one part: nothing to wait for, nothing to spill
                spills.append(rows)
            else:
                spill = Path(tmp) / f"part-{index:05d}.parquet"
                pq.write_table(rows, spill)
                spills.append(spill)
            if progress:
                progress(index + 1, len(parts))
        scored = _write_with_percentiles(spills, out)
    return ScoreRun(artefact.version, as_of, scored, 0, (_now() - started).total_seconds())


def _partitions(folder: Path) -> list[Path]:
    parts = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    if not parts:
        raise InputRejected(
            "no partitions to score",
            problems=[
                Problem(
                    f"'{folder}' is not a directory of Parquet files",
                    where=str(folder),
                    field="--partitioned",
                    expected="a directory whose .parquet files each hold whole subjects",
                )
            ],
        )
    return parts


def _write_with_percentiles(spills: list[Path | pa.Table], out: Path) -> int:
    """Append each spill to ``out`` with every score's percentile among all of them."""

    def read(spill: Path | pa.Table, columns: list[str] | None = None) -> pa.Table:
        return spill if isinstance(spill, pa.Table) else pq.read_table(spill, columns=columns)

    everyone = np.sort(
        np.concatenate([read(s, ["score"]).column("score").to_numpy() for s in spills])
    )
    writer: pq.ParquetWriter | None = None
    try:
        for spill in spills:
            rows = read(spill)
            pct = _ranked(rows.column("score").to_numpy(), everyone)
            rows = rows.add_column(2, "percentile", pa.array(pct, pa.float32()))
            if writer is None:
                writer = pq.ParquetWriter(out, rows.schema)
            writer.write_table(rows)
    finally:
        if writer is not None:
            writer.close()
    return int(everyone.size)
