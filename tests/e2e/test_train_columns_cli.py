"""``train --table CSV --columns FILE``: the data dictionary settles the charter check."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

CLI = str(Path(sys.executable).with_name("creditcity"))


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A renamed sex column (``a1``, values M/F), a false alarm, and real signal."""
    rng = np.random.default_rng(1)
    n = 300
    late = rng.integers(0, 5, n)
    bad = rng.random(n) < 1 / (1 + np.exp(-(late - 2.0)))
    path = tmp_path_factory.mktemp("data") / "loans.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a1", "family_loan_balance", "late_payments", "bad"])
        for i in range(n):
            sex = "M" if rng.random() < 0.5 else "F"
            writer.writerow([sex, int(rng.gamma(2, 900)), int(late[i]), int(bad[i])])
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "train", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_the_refusal_names_values_and_names_and_says_how_to_declare_a_false_alarm(
    table: Path, tmp_path: Path
) -> None:
    result = run("--table", str(table), "--target", "bad", "--out", str(tmp_path), "--json")
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["error"] == "CharterViolation"
    assert sorted(p["field"] for p in body["problems"]) == ["a1", "family_loan_balance"]
    assert "--columns FILE" in body["message"]
    assert not list(tmp_path.iterdir())


def test_with_a_dictionary_the_declared_column_trains_and_is_kept_in_the_artefact(
    table: Path, tmp_path: Path
) -> None:
    dictionary = tmp_path / "columns.txt"
    dictionary.write_text(
        "family_loan_balance: outstanding balance of a household mortgage, in yuan\n"
        "late_payments: payments more than 30 days late in the last year\n",
        encoding="utf-8",
    )
    out = tmp_path / "models"
    args = ["--table", str(table), "--target", "bad", "--exclude", "a1", "--out", str(out)]
    result = run(*args, "--columns", str(dictionary), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [d["name"] for d in summary["declared"]] == ["family_loan_balance", "late_payments"]
    artefact = json.loads(Path(summary["artefact"]).read_text(encoding="utf-8"))
    declared = artefact["validation"]["declared_columns"]
    assert declared[0]["cleared"] == "marital or family status"


def test_a_dictionary_naming_a_column_the_table_lacks_is_rejected(
    table: Path, tmp_path: Path
) -> None:
    dictionary = tmp_path / "columns.txt"
    dictionary.write_text("late_paymnets: typo\n", encoding="utf-8")
    result = run("--table", str(table), "--target", "bad", "--columns", str(dictionary), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["problems"][0]["field"] == "late_paymnets"
