"""Who may ask what, and retries: idempotency keys, services bound to keys, closing the loop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from tests.support.api import RESIDENT, Api, give_score, record, running_api

from creditcity.ledger.tables import decisions


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


def ask(api: Api, role: str = "provider", key: str | None = None, **body: Any) -> Any:
    asked = {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "bike"}
    headers = api.headers(role)
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post("/v1/decisions", json={**asked, **body}, headers=headers)


def stored(api: Api) -> int:
    with api.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())


def test_a_retry_with_the_same_key_gets_the_same_decision_and_decides_nothing_twice(
    api: Api,
) -> None:
    give_score(api.engine, RESIDENT, 720)
    first = ask(api, key="order-17")
    again = ask(api, key="order-17")
    assert first.status_code == again.status_code == 200
    assert again.json()["decision_id"] == first.json()["decision_id"]
    assert again.json() == first.json()
    assert stored(api) == 1


def test_the_same_key_with_a_different_request_is_refused_naming_the_header(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    assert ask(api, key="order-18").status_code == 200
    changed = ask(api, key="order-18", amount=50)
    assert changed.status_code == 422
    assert changed.json()["problems"][0]["field"] == "Idempotency-Key"
    assert stored(api) == 1


def test_requests_without_a_key_are_each_decided(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    assert ask(api).json()["decision_id"] != ask(api).json()["decision_id"]
    assert stored(api) == 2


def test_keys_belong_to_their_provider(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    mine = ask(api, key="shared-key").json()["decision_id"]
    theirs = ask(api, role="landlord", key="shared-key").json()["decision_id"]
    assert mine != theirs


def test_a_provider_asking_for_a_service_it_does_not_run_is_refused(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    answer = ask(api, service="rental_deposit", amount=1000)
    assert answer.status_code == 403
    assert answer.json()["problems"][0]["field"] == "service"
    assert stored(api) == 0


def test_the_numeric_score_is_shown_only_to_a_key_with_the_score_scope(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    answer = ask(api).json()
    assert answer["score"] is None
    assert answer["tier"] == "excellent" and answer["reasons"]


def test_an_outcome_retry_with_its_key_gets_the_first_answer(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    decision = ask(api).json()["decision_id"]
    path = f"/v1/decisions/{decision}/outcome"
    headers = {**api.headers("provider"), "Idempotency-Key": "return-1"}
    first = api.client.post(path, json={"result": "returned_on_time"}, headers=headers)
    again = api.client.post(path, json={"result": "returned_on_time"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["idempotency_key"] == first.json()["idempotency_key"]
    assert again.json()["duplicate"] is False  # the first answer, not a second report
    other = api.client.post(path, json={"result": "lost"}, headers=headers)
    assert other.status_code == 422


def test_another_provider_can_neither_report_nor_see_the_outcome(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    decision = ask(api).json()["decision_id"]
    path = f"/v1/decisions/{decision}/outcome"
    answer = api.post(path, "landlord", {"result": "returned_on_time"})
    assert answer.status_code == 404


def test_an_outcome_answer_shows_only_the_provider_s_own_exposure(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    ask(api, role="landlord", service="rental_deposit", amount=2000)
    mine = ask(api).json()["decision_id"]
    ask(api, amount=50)
    outcome = api.post(f"/v1/decisions/{mine}/outcome", "provider", {"result": "lost"}).json()
    assert outcome["exposure"] == {"bike_deposit": "149.00"}


def test_a_record_from_another_source_citing_a_decision_never_closes_it(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    decision = ask(api, role="landlord", amount=299).json()["decision_id"]
    returned = record(
        "forged-return", kind="borrowing_returned", ref=decision, item="bike", amount=None
    )
    submitted = api.post("/v1/records", "bike_source", [returned])
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["accepted"] == 1
    # the deposit stays owed: the landlord's next bike decision finds the limit used up
    assert ask(api, role="landlord", amount=10).json()["approved"] is False
    closing = api.post(f"/v1/decisions/{decision}/outcome", "landlord", {"result": "lost"})
    assert closing.status_code == 200, closing.text
    assert closing.json()["released"] is False
