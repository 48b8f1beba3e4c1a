"""Reasons over HTTP follow ``Accept-Language``: the same stored facts in Chinese or English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.support.api import RESIDENT, Api, give_score, running_api

from creditcity.domain.reason_catalogue import Direction, ReasonFacts, code_for

HISTORY = ReasonFacts(
    code_for("history_length_months", "history_length", Direction.LOW),
    "history_length_months",
    "history_length",
    Direction.LOW,
    points_lost=31,
    points_gain=12,
    value=23.0,
    target=36.0,
)


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        give_score(running.engine, RESIDENT, 548, reasons=[HISTORY.to_dict()])
        yield running


def _score(api: Api, language: str | None) -> tuple[dict, str | None]:
    headers = api.headers("resident", "checking my score")
    if language is not None:
        headers["Accept-Language"] = language
    answer = api.client.get(f"/v1/subjects/{RESIDENT}/score", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json(), answer.headers.get("content-language")


def test_the_score_s_reasons_are_in_the_language_the_client_prefers(api: Api) -> None:
    zh, zh_language = _score(api, "zh-CN,zh;q=0.9,en;q=0.5")
    en, en_language = _score(api, "en-GB,en;q=0.9")
    assert (zh_language, en_language) == ("zh", "en")
    (reason_zh,) = zh["reasons"]
    (reason_en,) = en["reasons"]
    assert reason_zh["code"] == reason_en["code"] == "HL-HISTORY_LENGTH-LO"
    assert reason_zh["text"] == "信用历史23个月"
    assert reason_zh["advice"] == "信用历史随时间增长：满36个月可加12分"
    assert reason_en["text"] == "A history of 23 months"
    assert reason_en["advice"] == "Your history grows by itself: at 36 months it adds 12 points"


def test_without_a_known_language_the_reasons_are_in_english(api: Api) -> None:
    for header in (None, "fr-FR,de;q=0.8"):
        shown, language = _score(api, header)
        assert language == "en" and shown["reasons"][0]["text"] == "A history of 23 months"


def test_the_access_report_words_score_reasons_in_the_preferred_language(api: Api) -> None:
    headers = {**api.headers("resident", "checking my file"), "Accept-Language": "zh"}
    report = api.client.get("/v1/me/report", headers=headers).json()
    (reason,) = report["scores"]["current"]["reasons"]
    assert reason["text"] == "信用历史23个月" and reason["points_gain"] == 12
