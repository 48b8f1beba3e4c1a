"""POST /v1/records: a source's records through the file import's rules (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.support.api import RESIDENT, Api, record, running_api
from tests.support.decisions import count

from creditcity.ledger.tables import entries, subjects


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


def test_a_source_submits_records_and_they_land_on_the_person_s_file(api: Api) -> None:
    answer = api.post("/v1/records", "bank", [record("i-1"), record("i-2", days_late=12)])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "accepted": 2,
        "duplicate": 0,
        "rejected": 0,
        "rescored": 0,
        "problems": [],
    }
    assert count(api.engine, entries, entries.c.subject == RESIDENT) == 2
    assert count(api.engine, subjects, subjects.c.subject == RESIDENT) == 1


def test_sending_the_same_body_again_adds_nothing(api: Api) -> None:
    body = [record("i-1"), record("i-2")]
    assert api.post("/v1/records", "bank", body).json()["accepted"] == 2
    again = api.post("/v1/records", "bank", body)
    assert again.status_code == 200
    assert again.json()["accepted"] == 0 and again.json()["duplicate"] == 2
    assert count(api.engine, entries) == 2


def test_json_lines_are_accepted_as_well_as_an_array(api: Api) -> None:
    body = "\n".join(json.dumps(record(f"l-{i}")) for i in range(3)) + "\n"
    answer = api.client.post(
        "/v1/records",
        content=body.encode(),
        headers={**api.headers("bank"), "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 3


def test_bad_rows_are_reported_by_row_and_field_and_the_good_ones_are_kept(api: Api) -> None:
    body = [
        record("ok-1"),
        record("bad-1", amount=-5),
        record("bad-2", kind="loan_rumour"),
        record("bad-3", occurred_at="2999-01-01"),
    ]
    answer = api.post("/v1/records", "bank", body)
    assert answer.status_code == 422
    report = answer.json()
    assert report["type"] == "urn:creditcity:problem:input-rejected"
    assert (report["accepted"], report["rejected"]) == (1, 3)
    located = {(p["where"], p["field"]) for p in report["problems"]}
    assert {("body row 2", "amount"), ("body row 3", "kind"), ("body row 4", "occurred_at")} <= (
        located
    )
    assert count(api.engine, entries) == 1


def test_a_source_may_not_submit_as_another_source_and_nothing_is_stored(api: Api) -> None:
    body = [record("mine"), record("theirs", source="bank:east-lake")]
    answer = api.post("/v1/records", "bank", body)
    assert answer.status_code == 403
    assert answer.json()["problems"][0]["field"] == "source"
    assert count(api.engine, entries) == 0


def test_a_forbidden_or_unknown_column_refuses_the_whole_body(api: Api) -> None:
    answer = api.post("/v1/records", "bank", [record("x", gender="f")])
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["problems"]] == ["gender"]
    assert count(api.engine, entries) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"[1, 2", "not valid JSON"),
        (b'{"a": NaN}', "not valid JSON"),
        (b'{"a": 1', "not valid JSON"),
        (b"\xff\xfe[]", "not UTF-8"),
    ],
)
def test_a_body_that_is_not_records_is_a_422_saying_why(
    api: Api, body: bytes, message: str
) -> None:
    answer = api.client.post("/v1/records", content=body, headers=api.headers("bank"))
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]


def test_rows_that_are_not_objects_or_carry_odd_values_are_row_problems_not_crashes(
    api: Api,
) -> None:
    body = [42, record("big", amount=10**400), record("nested", ref={"a": [1]}, days_late=True)]
    answer = api.post("/v1/records", "bank", body)
    assert answer.status_code == 422
    assert answer.json()["rejected"] == 3
    fields = {(p["where"], p["field"]) for p in answer.json()["problems"]}
    assert ("body row 2", "amount") in fields and ("body row 3", "days_late") in fields


def test_a_provider_key_cannot_submit_records(api: Api) -> None:
    answer = api.post("/v1/records", "provider", [record("p")])
    assert answer.status_code == 403
    assert "records:write" in answer.json()["problems"][0]["message"]
