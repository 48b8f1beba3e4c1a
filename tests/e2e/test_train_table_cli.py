"""``creditcity train --table CSV --target COL``: charter refusal first, then CV, artefact, report.

The table here has the German credit header (the real file is not shipped
with the tests) and synthetic rows with a known signal.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from creditcity.domain.charter import forbidden_category
from creditcity.errors import InputRejected
from creditcity.scoring import ModelArtefact
from creditcity.services.train_table import read_training_table

CLI = str(Path(sys.executable).with_name("creditcity"))

GERMAN_HEADER = [
    "status_of_existing_checking_account",
    "duration_in_month",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings_account_and_bonds",
    "present_employment_since",
    "installment_rate_in_percentage_of_disposable_income",
    "personal_status_and_sex",
    "other_debtors_or_guarantors",
    "present_residence_since",
    "property",
    "age_in_years",
    "other_installment_plans",
    "housing",
    "number_of_existing_credits_at_this_bank",
    "job",
    "number_of_people_being_liable_to_provide_maintenance_for",
    "telephone",
    "foreign_worker",
    "creditability",
]
FORBIDDEN = ["personal_status_and_sex", "age_in_years", "job", "foreign_worker"]


def _exclude(names: list[str]) -> list[str]:
    return [arg for name in names for arg in ("--exclude", name)]


@pytest.fixture(scope="module")
def german_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(0)
    n = 400
    status = rng.choice(["... < 0 DM", "0 <= ... < 200 DM", "no checking account"], n)
    duration = rng.choice([6, 12, 18, 24, 36, 48], n)
    history = rng.choice(["critical account", "existing credits paid back duly", "delay"], n)
    logit = (
        -1.0
        + 0.03 * duration
        + np.where(status == "... < 0 DM", 1.0, 0.0)
        - np.where(status == "no checking account", 1.0, 0.0)
        + np.where(history == "delay", 0.6, 0.0)
    )
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    rows = []
    for i in range(n):
        row = {name: str(int(rng.integers(1, 5))) for name in GERMAN_HEADER}
        row.update(
            status_of_existing_checking_account=str(status[i]),
            duration_in_month=str(duration[i]),
            credit_history=str(history[i]),
            purpose=str(rng.choice(["car (new)", "radio/television", "education"])),
            credit_amount=str(int(rng.gamma(2, 1500))),
            personal_status_and_sex="male : single",
            job="skilled employee",
            foreign_worker="yes",
            age_in_years=str(rng.integers(19, 75)),
            creditability="bad" if bad[i] else "good",
        )
        rows.append(row)
    path = tmp_path_factory.mktemp("data") / "germancredit.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=GERMAN_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "train", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_forbidden_columns_are_refused_before_training_naming_each_and_its_exclude(
    german_like: Path, tmp_path: Path
) -> None:
    result = run("--table", str(german_like), "--target", "creditability", "--out", str(tmp_path))
    assert result.returncode == 1
    for name in FORBIDDEN:
        assert f"--exclude {name}" in result.stderr
    assert not list(tmp_path.iterdir())  # nothing was trained or written


def test_the_charter_flags_exactly_the_four_forbidden_german_credit_columns() -> None:
    flagged = [name for name in GERMAN_HEADER if forbidden_category(name) is not None]
    assert sorted(flagged) == sorted(FORBIDDEN)


def test_with_the_forbidden_columns_excluded_it_trains_and_writes_artefact_and_report(
    german_like: Path, tmp_path: Path
) -> None:
    out = tmp_path / "models"
    result = run(
        "--table",
        str(german_like),
        "--target",
        "creditability",
        "--out",
        str(out),
        *_exclude(FORBIDDEN),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == 400 and len(summary["fold_aucs"]) == 15
    assert summary["auc_mean"] > 0.6 and summary["auc_std"] > 0
    assert (summary["n_splits"], summary["n_repeats"], summary["seed"]) == (5, 3, 0)
    artefact = ModelArtefact.load(Path(summary["artefact"]))
    assert artefact.target == "creditability" and len(artefact.training_sha256) == 64
    names = {f.name for f in artefact.scorecard.points_table_.features}
    assert names.isdisjoint(FORBIDDEN)
    report = Path(summary["report"]).read_text(encoding="utf-8")
    assert "Out-of-fold AUC" in report and "## Points table" in report
    assert len(list(out.glob("*.png"))) == 2


def test_an_unknown_target_column_is_rejected_with_exit_1(german_like: Path) -> None:
    result = run("--table", str(german_like), "--target", "outcome", "--json")
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["error"] == "InputRejected" and body["problems"][0]["field"] == "outcome"


def test_table_and_outcomes_together_are_a_usage_error_with_exit_2(german_like: Path) -> None:
    result = run(
        "--table", str(german_like), "--target", "creditability", "--outcomes", "outcomes.parquet"
    )
    assert result.returncode == 2 and "not both" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("table.parquet", "a,b\n1,2\n", "not a CSV"),
        ("absent.csv", None, "does not exist"),
        ("empty.csv", "", "is empty"),
        ("header.csv", "a,b\n", "no rows"),
    ],
)
def test_missing_non_csv_and_empty_tables_are_rejected(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputRejected, match=message):
        read_training_table(path)
