"""Ledger training: a scorecard from ledger features as of a date and outcome labels.

The outcomes file names people (national ID or pseudonym) and whether they
defaulted in the 12 months after ``as_of``; nothing else in it is used. A
file that also carries group labels or charter-forbidden columns is refused,
so such attributes cannot drift into a model by accident.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sklearn.base import clone

from creditcity.config import Settings, get_settings
from creditcity.domain.charter import ensure_allowed
from creditcity.domain.subjects import pseudonymise
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.db import make_engine
from creditcity.ledger.models import register_model
from creditcity.rights.fairness import refuse_group_labels_in_training
from creditcity.scoring.artefact import ModelArtefact, file_sha256, make_version
from creditcity.scoring.report import write_report
from creditcity.services.scoring import ledger_features, new_scorecard
from creditcity.services.train_table import _cross_validate, read_training_table

ID_COLUMNS = ("national_id", "subject")
LABEL = "defaulted"
IGNORED = ("as_of",)


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
    """(subject, defaulted) from a Parquet or CSV outcomes file, after the guards."""
    table = _read(path)
    columns = table.column_names
    refuse_group_labels_in_training(columns, what=f"outcomes file {path.name}")
    ensure_allowed(columns, what=f"outcomes file {path.name}", fix="remove the column '{name}'")
    unknown = [c for c in columns if c not in (*ID_COLUMNS, LABEL, *IGNORED)]
    id_column = next((c for c in ID_COLUMNS if c in columns), None)
    if unknown or id_column is None or LABEL not in columns:
        raise InputRejected(
            f"{path.name}: not an outcomes file",
            problems=[
                Problem(
                    f"columns are {columns}",
                    where=str(path),
                    expected=(
                        "national_id (or subject) and defaulted (true/false or 1/0); nothing else"
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
    return pa.table({"subject": pa.array(people, pa.string()), LABEL: labels})


def train_from_ledger(
    outcomes_path: Path,
    as_of: date,
    *,
    database_url: str,
    out: Path = Path("models"),
    settings: Settings | None = None,
    activate: bool = True,
) -> LedgerTrainResult:
    """Features as of ``as_of`` joined to outcomes; 5-fold CV, fit on all, register, activate."""
    settings = settings or get_settings()
    outcomes = read_outcomes(outcomes_path, settings.pseudonym_secret)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        features = ledger_features(conn, as_of)
    joined = features.join(outcomes, "subject", join_type="inner")
    if joined.num_rows < 50 or pc.sum(joined.column(LABEL)).as_py() in (0, None):
        raise InputRejected(
            "too few labelled people to train",
            problems=[
                Problem(
                    f"{joined.num_rows} people of {outcomes.num_rows} have both ledger records "
                    "and an outcome (and at least one must have defaulted)",
                    where=str(outcomes_path),
                    expected="outcomes for people whose records are in the ledger",
                )
            ],
        )
    y = np.asarray(joined.column(LABEL).to_numpy(zero_copy_only=False), dtype=np.int64)
    X = joined.drop_columns(["subject", LABEL])
    card = new_scorecard(settings)
    aucs, sample = _cross_validate(card, X, y, 5, 1, 0)
    final = clone(card).fit(X, y)
    created = datetime.now(UTC).replace(microsecond=0)
    sha = file_sha256(outcomes_path)
    version = make_version(created, sha)
    auc_mean, auc_std = float(np.mean(aucs)), float(np.std(aucs))
    cv = {
        "auc_mean": auc_mean,
        "auc_std": auc_std,
        "fold_aucs": aucs,
        "n_splits": 5,
        "n_repeats": 1,
        "seed": 0,
    }
    artefact = ModelArtefact(
        final,
        version=version,
        created_at=created.isoformat(),
        training_sha256=sha,
        as_of=as_of.isoformat(),
        target=LABEL,
        validation={"cross_validation": cv, "people": int(y.size)},
    )
    stem = f"scorecard-{version}"
    artefact_path = artefact.save(out / f"{stem}.json")
    report_path = write_report(out, artefact, sample, final.predict_score(X), stem=stem)
    with engine.begin() as conn:
        register_model(conn, version, artefact.to_json(), activate=activate)
    return LedgerTrainResult(
        version=version,
        artefact=str(artefact_path),
        report=str(report_path),
        as_of=as_of.isoformat(),
        people=int(y.size),
        events=int(y.sum()),
        unmatched=outcomes.num_rows - joined.num_rows,
        auc_mean=auc_mean,
        auc_std=auc_std,
        dropped=list(final.dropped_features_),
    )
