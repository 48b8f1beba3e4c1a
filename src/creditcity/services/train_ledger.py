"""Ledger training: a scorecard from ledger features as of a date and outcome labels.

The outcomes file names people (national ID or pseudonym) and whether they
defaulted in the 12 months after ``as_of``; nothing else in it is used. A
file that also carries group labels or charter-forbidden columns is refused,
so such attributes cannot drift into a model by accident.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sklearn.base import clone
from sqlalchemy import Engine

from creditcity.config import Settings, get_settings
from creditcity.domain.charter import ensure_allowed
from creditcity.domain.policy import Policy
from creditcity.domain.subjects import pseudonymise
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.db import make_engine
from creditcity.ledger.models import register_model
from creditcity.rights.fairness import refuse_group_labels_in_training
from creditcity.scoring.artefact import ModelArtefact, file_sha256, make_version
from creditcity.scoring.report import ValidationSample, write_report
from creditcity.scoring.scorecard import Scorecard
from creditcity.services.decide import policy_for
from creditcity.services.scoring import ledger_features, new_scorecard
from creditcity.services.train_table import _cross_validate, read_training_table
from creditcity.services.train_validation import later_sample, validation_report

ID_COLUMNS = ("national_id", "subject")
LABEL = "defaulted"
AS_OF = "as_of"


@dataclass(frozen=True, slots=True)
class LedgerTrainResult:
    version: str
    artefact: str
    report: str
    as_of: str
    people: int
    events: int
    unmatched: int
    auc_mean: float
    auc_std: float
    dropped: list[str]
    active: bool = True
    validation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _read(path: Path) -> pa.Table:
    if path.suffix.lower() in (".parquet", ".pq") and path.is_file():
        try:
            return pq.read_table(path)
        except (pa.ArrowException, OSError) as error:
            raise InputRejected(
                f"{path.name} is not a readable Parquet file",
                problems=[Problem(str(error), where=str(path))],
            ) from None
    return read_training_table(path)


def read_outcomes(path: Path, secret: str) -> pa.Table:
    """(subject, defaulted, as_of) from a Parquet or CSV outcomes file, after the guards.

    ``as_of`` is null for every row when the file has no such column.
    """
    table = _read(path)
    columns = table.column_names
    refuse_group_labels_in_training(columns, what=f"outcomes file {path.name}")
    ensure_allowed(columns, what=f"outcomes file {path.name}", fix="remove the column '{name}'")
    unknown = [c for c in columns if c not in (*ID_COLUMNS, LABEL, AS_OF)]
    id_column = next((c for c in ID_COLUMNS if c in columns), None)
    if unknown or id_column is None or LABEL not in columns:
        raise InputRejected(
            f"{path.name}: not an outcomes file",
            problems=[
                Problem(
                    f"columns are {columns}",
                    where=str(path),
                    expected=(
                        "national_id (or subject), defaulted (true/false or 1/0) and "
                        "optionally as_of (the date the 12-month window starts); nothing else"
                    ),
                )
            ],
        )
    ids = [str(v) for v in table.column(id_column).to_pylist()]
    people = ids if id_column == "subject" else [pseudonymise(i, secret) for i in ids]
    labels = (
        pc.cast(table.column(LABEL), pa.bool_())
        if not pa.types.is_boolean(table.column(LABEL).type)
        else table.column(LABEL)
    )
    return pa.table(
        {
            "subject": pa.array(people, pa.string()),
            LABEL: labels,
            AS_OF: _dates(table, path),
        }
    )


def _dates(table: pa.Table, path: Path) -> pa.Array:
    if AS_OF not in table.column_names:
        return pa.nulls(table.num_rows, pa.date32())
    column = table.column(AS_OF)
    try:
        return pc.cast(column, pa.date32()).combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputRejected(
            f"{path.name}: the as_of column does not hold dates",
            problems=[
                Problem(f"type {column.type}", where=str(path), field=AS_OF, expected="2026-06-30")
            ],
        ) from None


def vintages(labels: pa.Table, as_of: date | None, path: Path) -> tuple[date, date | None]:
    """(training date, later out-of-time date or None) for an outcomes table.

    Without ``as_of`` the training date is the file's earliest ``as_of``; the
    latest later date, if any, is the out-of-time sample.
    """
    days = sorted({d for d in labels.column(AS_OF).to_pylist() if d is not None})
    if as_of is None and not days:
        raise InputRejected(
            f"{path.name} has no as_of column, so the feature date is unknown",
            problems=[
                Problem(
                    "no as_of dates in the outcomes file",
                    where=str(path),
                    field=AS_OF,
                    expected="pass --as-of DATE, or add an as_of column to the file",
                )
            ],
        )
    train = as_of if as_of is not None else days[0]
    if days and train not in days:
        raise InputRejected(
            f"{path.name} has no outcomes as of {train}",
            problems=[
                Problem(
                    f"the file's as_of dates are {', '.join(map(str, days))}",
                    where=str(path),
                    field="--as-of",
                    expected="one of those dates, or leave --as-of out to train on the earliest",
                )
            ],
        )
    later = [d for d in days if d > train]
    return train, (later[-1] if later else None)


def _vintage(labels: pa.Table, day: date | None) -> pa.Table:
    """The (subject, defaulted) rows of one as_of date (every row when the file has none)."""
    column = labels.column(AS_OF)
    rows = (
        labels
        if column.null_count == labels.num_rows
        else labels.filter(pc.equal(column, pa.scalar(day, pa.date32())))
    )
    return rows.select(["subject", LABEL])


def _labelled(features: pa.Table, labels: pa.Table, path: Path) -> pa.Table:
    joined = features.join(labels, "subject", join_type="inner")
    if joined.num_rows < 50 or pc.sum(joined.column(LABEL)).as_py() in (0, None):
        raise InputRejected(
            "too few labelled people to train",
            problems=[
                Problem(
                    f"{joined.num_rows} people of {labels.num_rows} have both ledger records "
                    "and an outcome (and at least one must have defaulted)",
                    where=str(path),
                    expected="outcomes for people whose records are in the ledger",
                )
            ],
        )
    return joined


def _xy(joined: pa.Table) -> tuple[pa.Table, np.ndarray[Any, Any]]:
    y = np.asarray(joined.column(LABEL).to_numpy(zero_copy_only=False), dtype=np.int64)
    return joined.drop_columns(["subject", LABEL]), y


def train_from_ledger(
    outcomes_path: Path,
    as_of: date | None,
    *,
    database_url: str,
    out: Path = Path("models"),
    settings: Settings | None = None,
    activate: bool = True,
) -> LedgerTrainResult:
    """Fit on the training vintage, validate in and out of time, register; activate if it passes.

    A model that fails the policy's activation gate is registered (so
    ``model show`` explains it) but not activated, and :class:`InputRejected`
    names every threshold it missed; the previous model stays active.
    """
    settings = settings or get_settings()
    labels = read_outcomes(outcomes_path, settings.pseudonym_secret)
    train_day, later_day = vintages(labels, as_of, outcomes_path)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        features = ledger_features(conn, train_day)
        later_features = ledger_features(conn, later_day) if later_day else None
    training = _vintage(labels, train_day)
    X, y = _xy(_labelled(features, training, outcomes_path))
    card = new_scorecard(settings)
    aucs, sample = _cross_validate(card, X, y, 5, 1, 0)
    final = clone(card).fit(X, y)
    cv: dict[str, Any] = {
        "auc_mean": float(np.mean(aucs)),
        "auc_std": float(np.std(aucs)),
        "fold_aucs": aucs,
        "n_splits": 5,
        "n_repeats": 1,
        "seed": 0,
    }
    policy = policy_for(settings)
    later, later_population = _out_of_time(final, labels, later_day, later_features, policy)
    validation = validation_report(
        table=final.points_table_,
        policy=policy,
        cv=cv,
        y=y,
        oof_scores=sample.scores,
        population_scores=final.predict_score(features.drop_columns(["subject"])),
        later=later,
        later_population=later_population,
    )
    created = datetime.now(UTC).replace(microsecond=0)
    sha = file_sha256(outcomes_path)
    artefact = ModelArtefact(
        final,
        version=make_version(created, sha),
        created_at=created.isoformat(),
        training_sha256=sha,
        as_of=train_day.isoformat(),
        target=LABEL,
        validation=validation,
    )
    result = _register(engine, artefact, out, sample, final.predict_score(X), activate)
    return LedgerTrainResult(
        version=artefact.version,
        artefact=result[0],
        report=result[1],
        as_of=train_day.isoformat(),
        people=int(y.size),
        events=int(y.sum()),
        unmatched=training.num_rows - int(y.size),
        auc_mean=cv["auc_mean"],
        auc_std=cv["auc_std"],
        dropped=list(final.dropped_features_),
        active=result[2],
        validation=validation,
    )


def _out_of_time(
    final: Scorecard,
    labels: pa.Table,
    day: date | None,
    features: pa.Table | None,
    policy: Policy,
) -> tuple[dict[str, Any] | None, np.ndarray[Any, Any] | None]:
    """The later vintage's figures and the scores of everyone on file at that date."""
    if day is None or features is None:
        return None, None
    population = final.predict_score(features.drop_columns(["subject"]))
    joined = features.join(_vintage(labels, day), "subject", join_type="inner")
    X, y = _xy(joined)
    if not 0 < int(y.sum()) < y.size:
        return None, population
    scaling = final.points_table_.scaling
    scores = final.predict_score(X)
    figures = later_sample(day.isoformat(), y, scores, population, policy, scaling)
    return figures, population


def _register(
    engine: Engine,
    artefact: ModelArtefact,
    out: Path,
    sample: ValidationSample,
    train_scores: np.ndarray[Any, Any],
    activate: bool,
) -> tuple[str, str, bool]:
    """Write artefact and report, register the version, activate it if the gate passed."""
    stem = f"scorecard-{artefact.version}"
    artefact_path = artefact.save(out / f"{stem}.json")
    report_path = write_report(out, artefact, sample, train_scores, stem=stem)
    gate = artefact.validation["gate"]
    live = activate and bool(gate["passed"])
    with engine.begin() as conn:
        register_model(conn, artefact.version, artefact.to_json(), activate=live)
    if activate and not live:
        raise InputRejected(
            f"model {artefact.version} failed the activation gate and was not activated; "
            "the previous model stays active ('creditcity model show "
            f"{artefact.version}' has its validation)",
            problems=[
                Problem(reason, field="model_gate", expected="a model that meets the policy")
                for reason in gate["failures"]
            ],
        )
    return str(artefact_path), str(report_path), live
