"""``creditcity policy check FILE``: exit 0 with a summary, or 1 with every problem's line."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

CLI = str(Path(sys.executable).with_name("creditcity"))
DEFAULT = files("creditcity.domain").joinpath("default_policy.toml").read_text(encoding="utf-8")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "policy", "check", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_checking_the_default_policy_prints_its_tiers_services_and_restrictions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT, encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    assert "OK, version 2026-11-01" in result.stdout
    assert "excellent    700-950" in result.stdout
    assert "rental_deposit" in result.stdout and "home_delivery from good" in result.stdout
    assert "unpaid_court_judgment: on court_judgment" in result.stdout


def test_the_json_summary_is_machine_readable(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT, encoding="utf-8")
    result = run(str(path), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True and summary["version"] == "2026-11-01"
    assert len(summary["services"]) == 9 and len(summary["tiers"]) == 5


def test_a_bad_policy_exits_1_listing_every_problem_with_its_line(tmp_path: Path) -> None:
    text = DEFAULT.replace('trigger = "proven_fraud"', 'trigger = "loan_default"').replace(
        "min_score = 600", "min_score = 605"
    )
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    trigger_line = lines.index('trigger = "loan_default"') + 1
    band_line = lines.index("min_score = 605") + 1
    result = run(str(path))
    assert result.returncode == 1
    assert f"bad.toml, line {band_line}" in result.stderr
    assert "scores 600-604 are in no tier" in result.stderr
    assert f"bad.toml, line {trigger_line}" in result.stderr
    assert "'loan_default', which is not adjudicated" in result.stderr


def test_a_bad_policy_reports_its_problems_as_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(DEFAULT.replace("expires_after_days = 1826", "expires_after_days = inf", 1))
    result = run(str(path), "--json")
    assert result.returncode == 1
    body = json.loads(result.stdout)
    (problem,) = body["problems"]
    assert body["error"] == "PolicyError"
    assert problem["field"] == "restrictions[0].expires_after_days"
    assert problem["where"].endswith(
        f"line {DEFAULT.splitlines().index('expires_after_days = 1826') + 1}"
    )
