"""Tabular training: a scorecard from one CSV with a target column (e.g. German credit).

The order matters and is the contract: the file is checked, then every
feature column is checked against the charter *before* anything is fitted;
a forbidden column is refused by name with the ``--exclude`` that leaves it
out. Then repeated stratified k-fold cross-validation measures out-of-fold
AUC, the final model is fitted on all rows, and the artefact (JSON) and the
validation report (Markdown + PNG) are written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sklearn.base import clone
from sklearn.model_selection import RepeatedStratifiedKFold

from creditcity.config import Settings, get_settings
from creditcity.domain.charter_columns import ColumnScreen, screen_columns
from creditcity.errors import CharterViolation, InputRejected, Problem
from creditcity.scoring import metrics
from creditcity.scoring.artefact import ModelArtefact, file_sha256, make_version
from creditcity.scoring.report import ValidationSample, validation_figures, write_report
from creditcity.scoring.scorecard import Scorecard
from creditcity.scoring.spec import FeatureSpec
from creditcity.services.column_guard import categorical_values, read_data_dictionary

__all__ = ["TrainTableResult", "read_training_table", "train_table"]

_EVENT_WORDS = {"bad": 1, "good": 0, "1": 1, "0": 0, "true": 1, "false": 0}


@dataclass(frozen=True, slots=True)
class TrainTableResult:
    """What a tabular training run produced and measured."""

    artefact: str
    report: str
    version: str
    rows: int
    events: int
    features: list[str]
    excluded: list[str]
    dropped: list[str]
    auc_mean: float
    auc_std: float
    fold_aucs: list[float]
    n_splits: int
    n_repeats: int
    seed: int
    score_range: list[int]
    declared: list[dict[str, str | None]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_training_table(path: Path) -> pa.Table:
    """The CSV as an Arrow table; a missing, non-CSV, empty or unparsable file is rejected."""
    if not path.exists():
        raise InputRejected(
            f"training table {path} does not exist",
            problems=[Problem("no such file", where=str(path))],
        )
    if path.is_dir() or path.suffix.lower() != ".csv":
        raise InputRejected(
            f"training table {path} is not a CSV file",
            problems=[Problem("unsupported file", where=str(path), expected="a .csv file")],
        )
    if path.stat().st_size == 0:
        raise InputRejected(
            f"training table {path} is empty",
            problems=[
                Problem("empty file", where=str(path), expected="a header line and data rows")
            ],
        )
    try:
        table = pacsv.read_csv(path)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise InputRejected(
            f"training table {path} could not be read as CSV",
            problems=[Problem(str(error), where=str(path))],
        ) from None
    if table.num_rows == 0:
        raise InputRejected(
            f"training table {path} has a header but no rows",
            problems=[Problem("no data rows", where=str(path))],
        )
    return table


def _check_columns(
    table: pa.Table,
    path: Path,
    target: str,
    exclude: Sequence[str],
    dictionary: Mapping[str, str] | None = None,
) -> tuple[list[str], ColumnScreen]:
    """The feature columns after the target/exclude checks and the charter guard."""
    columns = list(table.column_names)
    problems = [
        Problem(f"no column '{name}'", where=str(path), field=name, expected=", ".join(columns))
        for name in [target, *exclude]
        if name not in columns
    ]
    problems += [
        Problem(
            f"the data dictionary declares '{name}', which {path.name} does not have",
            where=str(path),
            field=name,
            expected=", ".join(columns),
        )
        for name in dictionary or {}
        if name not in columns
    ]
    if problems:
        raise InputRejected(f"{path.name}: unknown column(s) named", problems=problems)
    features = [c for c in columns if c != target and c not in set(exclude)]
    screen = screen_columns(features, categorical_values(table.select(features)), dictionary)
    if screen.flags:
        listed = ", ".join(f.name for f in screen.flags)
        flags = " ".join(f"--exclude {f.name}" for f in screen.flags)
        raise CharterViolation(
            f"refusing to train on {path.name}: charter-forbidden column(s) {listed}. "
            f"Leave them out with: {flags} (or, for a false alarm, declare what the column "
            "holds with --columns FILE, one line 'NAME: what it holds')",
            problems=screen.problems(str(path)),
        )
    if not features:
        raise InputRejected(f"{path.name}: no feature columns are left to train on")
    return features, screen


def _declared(screen: ColumnScreen) -> list[dict[str, str | None]]:
    """The columns accepted on a stated meaning, as the validation record keeps them."""
    return [{"name": d.name, "meaning": d.meaning, "cleared": d.overrides} for d in screen.declared]


def _target(table: pa.Table, path: Path, target: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    """1 = the event ('bad' / 1), 0 = 'good' / 0; anything else is rejected with its rows."""
    column = pc.utf8_lower(pc.utf8_trim_whitespace(table.column(target).cast(pa.string())))
    values = column.to_pylist()
    mapped = [_EVENT_WORDS.get(v) if v is not None else None for v in values]
    bad_rows = [i + 2 for i, m in enumerate(mapped) if m is None]  # +2: header and 1-based
    if bad_rows:
        raise InputRejected(
            f"{path.name}: target column '{target}' has values that are neither good/bad nor 0/1",
            problems=[
                Problem(
                    f"value {values[r - 2]!r}",
                    where=f"{path}, line {r}",
                    field=target,
                    expected="good or bad (or 0 / 1, 1 = bad)",
                )
                for r in bad_rows
            ],
        )
    y = np.array(mapped, dtype=np.int64)
    if y.min() == y.max():
        raise InputRejected(
            f"{path.name}: target '{target}' holds one class only; "
            "training needs both good and bad outcomes"
        )
    return y


def _scorecard(settings: Settings) -> Scorecard:
    return Scorecard(
        base_score=settings.base_score,
        base_odds=settings.base_odds,
        pdo=settings.pdo,
        score_min=settings.score_min,
        score_max=settings.score_max,
    )


def _cross_validate(
    card: Scorecard, X: pa.Table, y: np.ndarray[Any, Any], n_splits: int, n_repeats: int, seed: int
) -> tuple[list[float], ValidationSample]:
    """Per-fold AUCs, and the first repeat's out-of-fold predictions (each row once)."""
    folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    aucs: list[float] = []
    scores = np.zeros(y.size, dtype=np.int64)
    proba = np.zeros(y.size, dtype=np.float64)
    for k, (train, test) in enumerate(folds.split(np.zeros(y.size), y)):
        fitted = clone(card).fit(X.take(train), y[train])
        p = fitted.predict_proba(X.take(test))[:, 1]
        aucs.append(metrics.auc(y[test], p))
        if k < n_splits:
            scores[test] = fitted.predict_score(X.take(test))
            proba[test] = p
    return aucs, ValidationSample(y=y, scores=scores, probability=proba)


def train_table(
    path: Path,
    target: str,
    *,
    exclude: Sequence[str] = (),
    columns: Path | None = None,
    out: Path = Path("models"),
    settings: Settings | None = None,
    n_splits: int = 5,
    n_repeats: int = 3,
    seed: int = 0,
) -> TrainTableResult:
    """Check, cross-validate, fit and write the artefact and report of a tabular scorecard."""
    settings = settings or get_settings()
    table = read_training_table(path)
    dictionary = read_data_dictionary(columns) if columns is not None else None
    features, screen = _check_columns(table, path, target, exclude, dictionary)
    y = _target(table, path, target)
    X = table.select(features)
    card = _scorecard(settings)
    if screen.declared:  # a declared meaning travels with the feature into the artefact
        meanings = {d.name: d.meaning for d in screen.declared}
        card.set_params(features=[FeatureSpec(n, meaning=meanings.get(n)) for n in features])
    aucs, sample = _cross_validate(card, X, y, n_splits, n_repeats, seed)
    final = clone(card).fit(X, y)
    created = datetime.now(UTC).replace(microsecond=0)
    sha = file_sha256(path)
    version = make_version(created, sha)
    train_scores = final.predict_score(X)
    cv: dict[str, Any] = {
        "auc_mean": float(np.mean(aucs)),
        "auc_std": float(np.std(aucs)),
        "fold_aucs": aucs,
        "n_splits": n_splits,
        "n_repeats": n_repeats,
        "seed": seed,
    }
    validation = {
        "cross_validation": cv,
        "out_of_fold": validation_figures(sample, train_scores),
        "source": path.name,
        "excluded": list(exclude),
        "declared_columns": _declared(screen),
    }
    artefact = ModelArtefact(
        final,
        version=version,
        created_at=created.isoformat(),
        training_sha256=sha,
        as_of=None,
        target=target,
        validation=validation,
    )
    stem = f"scorecard-{version}"
    artefact_path = artefact.save(out / f"{stem}.json")
    report_path = write_report(out, artefact, sample, train_scores, stem=stem)
    table_ = final.points_table_
    return TrainTableResult(
        artefact=str(artefact_path),
        report=str(report_path),
        version=version,
        rows=int(y.size),
        events=int(y.sum()),
        features=features,
        excluded=list(exclude),
        dropped=list(final.dropped_features_),
        auc_mean=cv["auc_mean"],
        auc_std=cv["auc_std"],
        fold_aucs=aucs,
        n_splits=n_splits,
        n_repeats=n_repeats,
        seed=seed,
        score_range=[table_.min_score, table_.max_score],
        declared=_declared(screen),
    )
