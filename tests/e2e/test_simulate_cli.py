"""``creditcity simulate``: writes three Parquet files, refuses bad arguments with exit 2,
and writes records that ``creditcity ingest`` loads as they are.

Each range check is unit-tested on the spec; here one of each path (Typer's
own range check, date parsing, the spec) proves the exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

CLI = str(Path(sys.executable).with_name("creditcity"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=False)


def test_simulate_writes_the_three_files_and_a_json_summary(tmp_path: Path) -> None:
    out = tmp_path / "city"
    result = run(
        "simulate", "--residents", "500", "--years", "2", "--seed", "5", "--out", str(out), "--json"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["residents"] == 500 and summary["years"] == 2 and summary["seed"] == 5
    assert summary["as_of"] == "2026-06-30"
    records = pq.read_table(out / "records.parquet")
    assert summary["records"] == records.num_rows > 500
    assert pq.read_table(out / "residents.parquet").num_rows == 500
    assert pq.read_table(out / "outcomes.parquet").num_rows == 2 * 500  # two vintages
    assert sorted(p.name for p in out.iterdir()) == [
        "outcomes.parquet",
        "records.parquet",
        "residents.parquet",
    ]
    assert "simulating" not in result.stderr, "--json must turn the progress bar off"


def test_the_human_summary_names_the_counts_and_files(tmp_path: Path) -> None:
    result = run("simulate", "--residents", "50", "--out", str(tmp_path), "--as-of", "2025-12-31")
    assert result.returncode == 0, result.stderr
    assert "wrote 50 residents" in result.stdout
    assert "3 years to 2025-12-31" in result.stdout
    assert str(tmp_path / "records.parquet") in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--residents", "0"], "--residents"),
        (["--residents", "10", "--as-of", "30/06/2026"], "not a date"),
        (["--residents", "10", "--as-of", "2999-01-01", "--json"], "in the future"),
    ],
)
def test_bad_arguments_are_usage_errors_with_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run("simulate", *args, "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert message in result.stdout + result.stderr
    assert not (tmp_path / "x").exists()


def test_an_output_path_that_is_a_file_is_rejected_with_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory", encoding="utf-8")
    result = run("simulate", "--residents", "10", "--out", str(blocker), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["problems"][0]["field"] == "out"


def test_ingest_loads_the_simulated_records_as_they_are(tmp_path: Path) -> None:
    out = tmp_path / "city"
    assert run("simulate", "--residents", "100", "--seed", "9", "--out", str(out)).returncode == 0
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    first = run("ingest", str(out / "records.parquet"), "--database-url", url, "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads(first.stdout)
    rows = pq.read_metadata(out / "records.parquet").num_rows
    assert (report["accepted"], report["rejected"]) == (rows, 0)
    again = json.loads(
        run("ingest", str(out / "records.parquet"), "--database-url", url, "--json").stdout
    )
    assert (again["accepted"], again["duplicate"]) == (0, rows)
