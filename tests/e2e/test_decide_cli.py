"""``creditcity decide / outcome / stats`` as a provider and an operator run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from creditcity.domain.subjects import pseudonymise
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.scores import save_scores

CLI = str(Path(sys.executable).with_name("creditcity"))
SECRET = "e2e-decide-secret"
NATIONAL_ID = "330106199001011234"


def run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREDITCITY_PSEUDONYM_SECRET": SECRET}
    return subprocess.run(
        [CLI, *args, "--database-url", db],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'city.db'}"


def test_a_thin_file_borrows_a_power_bank_loses_it_and_the_loop_closes_once(db: str) -> None:
    asked = run(
        db,
        "decide",
        NATIONAL_ID,
        "power_bank_deposit",
        "--amount",
        "99",
        "--purpose",
        "phone charging",
        "--provider",
        "power_bank_operator:jiedian",
        "--json",
    )
    assert asked.returncode == 0, asked.stderr
    answer = as_json(asked)
    assert answer["approved"] is True and answer["thin_file"] is True
    assert answer["subject"] == pseudonymise(NATIONAL_ID, SECRET)
    assert answer["waived_amount"] == "99" and answer["record_kind"] == "deposit_waived"
    lost = run(db, "outcome", answer["decision_id"], "--result", "lost", "--json")
    again = run(db, "outcome", answer["decision_id"], "--result", "lost", "--json")
    assert lost.returncode == 0 and again.returncode == 0, lost.stderr + again.stderr
    assert as_json(lost)["duplicate"] is False and as_json(again)["duplicate"] is True
    assert as_json(lost)["kind"] == "borrowing_lost"
    figures = run(db, "stats", "--json")
    assert figures.returncode == 0, figures.stderr
    stats = as_json(figures)
    assert stats["deposits_waived"]["total"] == "99.00"
    assert stats["exposure"]["by_service"] == {"power_bank_deposit": "99.00"}
    assert stats["loss_rate_by_tier"]["thin_file"] == {"lost": 1, "closed": 1, "rate": 1.0}


def test_a_decline_is_an_answer_with_its_reasons_and_exit_0(db: str) -> None:
    subject = pseudonymise(NATIONAL_ID, SECRET)
    engine = make_engine(db)
    migrate(engine)
    with engine.begin() as conn:
        save_scores(
            conn,
            [
                {
                    "subject": subject,
                    "as_of": date.today(),
                    "computed_at": datetime.now(UTC),
                    "model_version": "m-e2e",
                    "score": 560,
                    "percentile": 0.3,
                    "city": "hangzhou",
                    "dimensions": {},
                    "reasons": [{"code": "PH-LATE-30", "text": "Late bills"}],
                }
            ],
        )
    engine.dispose()
    result = run(db, "decide", subject, "bike_deposit", "--amount", "99", "--purpose", "ride")
    assert result.returncode == 0, result.stderr
    assert "DECLINED bike_deposit" in result.stdout and "tier fair, score 560" in result.stdout
    assert "TIER-TOO-LOW" in result.stdout and "PH-LATE-30: Late bills" in result.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("bike_deposit", "--amount", "300", "--purpose", "ride"), "amount"),
        (("hoverboard_deposit", "--amount", "30", "--purpose", "ride"), "service"),
        (("bike_deposit", "--amount", "30", "--purpose", " "), "purpose"),
    ],
)
def test_bad_input_exits_1_naming_the_field(db: str, args: tuple[str, ...], field: str) -> None:
    result = run(db, "decide", NATIONAL_ID, *args, "--json")
    assert result.returncode == 1
    assert [p["field"] for p in as_json(result)["problems"]] == [field]


def test_a_bad_subject_or_missing_purpose_is_refused(db: str) -> None:
    bad_subject = run(db, "decide", "???", "bike_deposit", "--amount", "9", "--purpose", "x")
    assert bad_subject.returncode == 1 and "neither a national ID" in bad_subject.stderr
    no_purpose = run(db, "decide", NATIONAL_ID, "bike_deposit", "--amount", "9")
    assert no_purpose.returncode == 2


def test_an_outcome_for_an_unknown_decision_or_result_exits_1(db: str) -> None:
    unknown = run(db, "outcome", "0" * 32, "--result", "lost")
    assert unknown.returncode == 1 and "no decision" in unknown.stderr
    bad = run(db, "outcome", "0" * 32, "--result", "stolen", "--json")
    assert bad.returncode == 1 and as_json(bad)["problems"][0]["field"] == "result"
