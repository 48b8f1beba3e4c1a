"""The rights of the person from the command line: report, dispute, consent, purge, audit."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.support.rights import NATIONAL_ID, OTHER_ID, SECRET, SUBJECT, save_score

from creditcity.ledger.audit import record_access
from creditcity.ledger.db import make_engine

CLI = Path(sys.executable).with_name("creditcity")
RECORDS = """source,idempotency_key,national_id,kind,occurred_at,city,ref,amount,days_late
bank:west-lake,k1,{id},loan_instalment_paid,2026-01-05,hangzhou,L1,500,0
bank:west-lake,k2,{id},loan_instalment_paid,2026-02-05,hangzhou,L1,500,45
bank:west-lake,s1,{id},monthly_spending,2026-02-28,hangzhou,,3200,
traffic_police:hz,f1,{id},traffic_fine_overdue,2018-01-01,hangzhou,F1,200,
"""


def run(home: Path, *args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CREDITCITY_HOME": str(home),
        "CREDITCITY_CITY": "hangzhou",
        "CREDITCITY_PSEUDONYM_SECRET": SECRET,
        "CREDITCITY_DATABASE_URL": f"sqlite:///{db or home / 'city.db'}",
    }
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, env=env, timeout=120)


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A city with one resident's records imported and a stored score."""
    home = tmp_path_factory.mktemp("rights")
    (home / "records.csv").write_text(RECORDS.format(id=NATIONAL_ID))
    imported = run(home, "ingest", str(home / "records.csv"), "--json")
    assert ok_json(imported)["accepted"] == 4
    engine = make_engine(f"sqlite:///{home / 'city.db'}")
    save_score(engine, SUBJECT, 760, date(2026, 5, 1))
    with engine.begin() as conn:
        for n in range(3):
            record_access(
                conn,
                actor="bike_operator:hellobike",
                role="provider",
                purpose="bike deposit",
                action="decide",
                subject=SUBJECT,
                detail={"n": n},
            )
    engine.dispose()
    return home


def _entry(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in report["records"] if r["idempotency_key"] == key)


def test_a_resident_reads_their_whole_file_as_json_and_as_a_web_page(city: Path) -> None:
    page = city / "report.html"
    report = ok_json(run(city, "report", NATIONAL_ID, "--json", "--html", str(page)))

    assert report["subject"] == SUBJECT
    assert {r["idempotency_key"] for r in report["records"]} >= {"k1", "k2", "s1", "f1"}
    assert _entry(report, "f1")["excluded"][0]["code"] == "expired"
    assert _entry(report, "s1")["excluded"][0]["code"] == "no-consent"
    assert report["scores"]["current"]["score"] == 760
    assert report["accesses"][-1]["action"] == "report.generated"
    assert report["accesses"][-1]["purpose"] == "subject access"
    text = page.read_text(encoding="utf-8")
    assert "个人信用报告" in text and "Who accessed your file" in text


def test_a_dispute_is_opened_listed_and_resolved_once(city: Path) -> None:
    report = ok_json(run(city, "report", NATIONAL_ID, "--json"))
    late = _entry(report, "k2")["entry_id"]
    opened = ok_json(
        run(
            city, "dispute", "open", NATIONAL_ID, str(late), "--statement", "paid on time", "--json"
        )
    )
    assert opened["status"] == "pending"

    listed = ok_json(run(city, "dispute", "list", NATIONAL_ID, "--status", "pending", "--json"))
    assert [d["dispute_id"] for d in listed] == [opened["dispute_id"]]

    neither = run(city, "dispute", "resolve", str(opened["dispute_id"]), "--note", "x")
    assert neither.returncode == 2, "choosing neither --upheld nor --rejected is a usage error"
    rejected = ok_json(
        run(
            city,
            "dispute",
            "resolve",
            str(opened["dispute_id"]),
            "--rejected",
            "--note",
            "bank records confirm 45 days",
            "--json",
        )
    )
    assert rejected["status"] == "rejected"
    again = run(city, "dispute", "resolve", str(opened["dispute_id"]), "--upheld", "--note", "y")
    assert again.returncode == 1
    assert "already closed" in again.stderr


def test_consent_is_granted_withdrawn_listed_and_refused_for_a_court(city: Path) -> None:
    granted = ok_json(run(city, "consent", "grant", NATIONAL_ID, "bank:west-lake", "--json"))
    assert granted["active"] == ["bank:west-lake"]
    refused = run(city, "consent", "grant", NATIONAL_ID, "court:xihu")
    assert refused.returncode == 1
    assert "a court submits no voluntary records" in refused.stderr
    ok_json(run(city, "consent", "withdraw", NATIONAL_ID, "bank:west-lake", "--json"))
    listed = run(city, "consent", "list", NATIONAL_ID)
    assert listed.returncode == 0
    assert "active consents: none" in listed.stdout
    assert "Statutory records" in listed.stdout


def test_purge_blanks_the_expired_fine_and_says_how_many(city: Path) -> None:
    purged = ok_json(run(city, "purge", "--as-of", "2026-06-01", "--json"))
    assert purged["kinds"] == {"traffic_fine_overdue": 1}
    assert purged["cutoffs"]["traffic_fine_overdue"] == {"all": "2021-06-02"}


def test_audit_verify_passes_then_names_the_first_broken_seq_after_tampering(
    city: Path, tmp_path: Path
) -> None:
    assert "audit log intact" in run(city, "audit", "verify").stdout
    copy = tmp_path / "tampered.db"
    with sqlite3.connect(city / "city.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")

    broken = run(city, "audit", "verify", "--json", db=copy)

    assert broken.returncode == 1
    verdict = json.loads(broken.stdout)
    assert (verdict["intact"], verdict["first_broken_seq"], verdict["kind"]) == (False, 2, "edited")
    assert "BROKEN at seq 2" in run(city, "audit", "verify", db=copy).stdout


def test_the_fairness_audit_reads_a_group_file_and_reports_per_group(city: Path) -> None:
    groups = city / "groups.csv"
    groups.write_text(f"national_id,group\n{NATIONAL_ID},north\n{OTHER_ID},south\n")
    plot = city / "fairness.png"
    args = ("--groups", str(groups), "--min-group", "1", "--plot", str(plot), "--json")
    report = ok_json(run(city, "audit", "fairness", *args))
    decisions, policy = report["decisions"], report["policy"]
    assert [(g["group"], g["count"]) for g in decisions["groups"]] == [("north", 1)]
    assert decisions["flagged"] == []
    assert policy["groups"] == {"north": 1, "south": 1}  # the unscored resident counts too
    assert policy["unscored"] == {"north": 0, "south": 1}
    assert plot.read_bytes().startswith(b"\x89PNG")
    text = run(city, "audit", "fairness", "--groups", str(groups), "--min-group", "1").stdout
    assert "eligibility by policy" in text and "impact ratio" in text


def test_a_certificate_is_issued_from_the_stored_score_and_a_thin_file_is_refused(
    city: Path,
) -> None:
    issued = ok_json(run(city, "certificate", "issue", NATIONAL_ID, "--json"))
    assert issued["tier"] and issued["score_as_of"] == "2026-05-01"
    thin = run(city, "certificate", "issue", OTHER_ID)
    assert thin.returncode == 1
    assert "thin file" in thin.stderr
