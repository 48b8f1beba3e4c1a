"""``creditcity show SUBJECT --lang zh|en``: the reasons in the language asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from creditcity.domain.reason_catalogue import Direction, ReasonFacts, code_for
from creditcity.domain.subjects import pseudonymise
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.scores import save_scores

CLI = str(Path(sys.executable).with_name("creditcity"))
SECRET = "e2e-show-secret"
NATIONAL_ID = "330106199001011234"
LATE = ReasonFacts(
    code_for("late_30_59_days_12m", "payment_history", Direction.HIGH),
    "late_30_59_days_12m",
    "payment_history",
    Direction.HIGH,
    points_lost=40,
    points_gain=25,
    value=2.0,
    target=1.0,
)
CARDS = ReasonFacts(
    code_for("card_outstanding_total", "obligations_capacity", Direction.HIGH),
    "card_outstanding_total",
    "obligations_capacity",
    Direction.HIGH,
    points_lost=12,
    points_gain=7,
    value=83653.1,
    target=20000.0,
)


def run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREDITCITY_PSEUDONYM_SECRET": SECRET}
    return subprocess.run(
        [CLI, "show", NATIONAL_ID, *args, "--database-url", db],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    engine = make_engine(url)
    migrate(engine)
    row = {
        "subject": pseudonymise(NATIONAL_ID, SECRET),
        "as_of": date.today(),
        "computed_at": datetime.now(UTC),
        "model_version": "m-e2e",
        "score": 548,
        "percentile": 20.0,
        "city": "hangzhou",
        "dimensions": {"payment_history": 100},
        "reasons": [LATE.to_dict(), CARDS.to_dict()],
    }
    with engine.begin() as conn:
        save_scores(conn, [row])
    engine.dispose()
    return url


def test_show_in_chinese_words_every_reason_and_what_would_raise_the_score(db: str) -> None:
    result = run(db, "--lang", "zh")
    assert result.returncode == 0, result.stderr
    assert "PH-LATE_MODERATE_RECENT-HI 近12个月有2次还款逾期30–59天" in result.stdout
    assert "近12个月不超过1次可加25分" in result.stdout
    assert "信用卡欠款余额¥83,653；把信用卡余额还到¥20,000以内，可加7分。" in result.stdout


def test_show_in_english_as_json_carries_codes_words_and_the_points_to_gain(db: str) -> None:
    result = run(db, "--lang", "en", "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["lang"] == "en"
    late, cards = shown["reasons"]
    assert late["code"] == "PH-LATE_MODERATE_RECENT-HI" and late["points_gain"] == 25
    assert late["text"] == "2 payments 30–59 days late in the last 12 months"
    assert cards["text"] == "¥83,653 outstanding on cards"
    assert cards["advice"] == "Paying card balances down to at most ¥20,000 would add 7 points"


def test_show_in_a_language_without_a_catalogue_is_a_usage_error(db: str) -> None:
    result = run(db, "--lang", "fr")
    assert result.returncode == 2
    assert "zh" in result.stderr and "en" in result.stderr
