"""The decision fast lane answers ordinary requests itself and hands every other to the route.

The route stays the one definition of each error: what the lane passes on must
get exactly the route's answer, and nothing may be spent or decided twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from starlette.types import Receive, Scope, Send
from tests.support.api import KEYS, RESIDENT, give_score, keys_file, settings_for
from tests.support.problems import assert_problem

from creditcity.api.decision_lane import DecisionLane
from creditcity.api.schemas import DecisionPublic
from creditcity.asgi import create_app
from creditcity.ledger.db import migrate
from creditcity.ledger.tables import decisions

BODY = {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "bike rental"}


class Lane:
    """A running app whose lane's fallback (the FastAPI app) is watched."""

    def __init__(self, app: FastAPI, client: TestClient, engine: Engine) -> None:
        self.client, self.engine = client, engine
        client.get("/healthz")  # builds the middleware stack
        node: Any = app.middleware_stack
        while not isinstance(node, DecisionLane):
            node = node.app
        self.routed: list[str] = []
        inner = node.app

        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            self.routed.append(scope["path"])
            await inner(scope, receive, send)

        node.app = watched

    def ask(self, body: Any = BODY, role: str = "provider", **headers: str) -> Any:
        sent = {"X-API-Key": KEYS[role], **headers}
        return self.client.post("/v1/decisions", json=body, headers=sent)

    def decided(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())


def _lane(db_url: str, engine: Engine, folder: Path, **settings: Any) -> Iterator[Lane]:
    migrate(engine)
    give_score(engine, RESIDENT, 720)
    chosen = settings_for(folder / "home").model_copy(update=settings)
    app = create_app(db_url, settings=chosen, keys=keys_file(folder))
    with TestClient(app) as client:
        yield Lane(app, client, engine)


@pytest.fixture
def lane(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Lane]:
    yield from _lane(db_url, engine, tmp_path)


def test_an_ordinary_decision_is_answered_by_the_lane_in_the_published_shape(lane: Lane) -> None:
    answer = lane.ask(**{"Idempotency-Key": "lane-1"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert set(answer.json()) == set(DecisionPublic.model_fields)
    DecisionPublic.model_validate(answer.json())
    assert answer.json()["approved"] is True and answer.json()["score"] is None
    assert lane.routed == []
    again = lane.ask(**{"Idempotency-Key": "lane-1"})
    assert again.json()["decision_id"] == answer.json()["decision_id"]
    assert lane.decided() == 1


@pytest.mark.parametrize(
    ("role", "body", "headers", "status", "field"),
    [
        ("provider", {**BODY, "colour": "red"}, {}, 422, "colour"),
        ("provider", {**BODY, "amount": None}, {}, 422, "amount"),
        ("provider", BODY, {"Idempotency-Key": "x" * 129}, 422, "Idempotency-Key"),
        ("resident", BODY, {}, 403, "X-API-Key"),
        ("provider", BODY, {"X-API-Key": "guess-0123456789abcdef"}, 401, "X-API-Key"),
    ],
)
def test_an_unordinary_request_gets_the_route_s_own_answer_and_decides_nothing(
    lane: Lane, role: str, body: Any, headers: dict[str, str], status: int, field: str
) -> None:
    answer = lane.ask(body, role, **headers)
    problem = assert_problem(answer, status)
    assert any(p["field"].split(".")[0] == field for p in problem["problems"])
    assert lane.routed == ["/v1/decisions"]
    assert lane.decided() == 0


def test_a_body_that_is_not_declared_json_goes_to_the_route(lane: Lane) -> None:
    answer = lane.client.post(
        "/v1/decisions",
        content=b'{"subject": "x"}',
        headers={"X-API-Key": KEYS["provider"], "Content-Type": "text/plain"},
    )
    assert answer.status_code == 422
    assert lane.routed == ["/v1/decisions"]


def test_a_refusal_while_deciding_is_the_route_s_problem_answered_by_the_lane(lane: Lane) -> None:
    answer = lane.ask({**BODY, "service": "rental_deposit"})  # the bike operator does not run it
    problem = assert_problem(answer, 403)
    assert "rental_deposit" in problem["detail"] + str(problem["problems"])
    assert problem["instance"] == f"urn:creditcity:request:{answer.headers['x-request-id']}"
    assert lane.routed == []
    assert lane.decided() == 0


def test_each_request_spends_the_key_s_rate_once_whichever_way_it_goes(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    for lane in _lane(db_url, engine, tmp_path, rate_provider=1.0, rate_burst_seconds=3.0):
        first = lane.ask({**BODY, "colour": "red"})  # to the route: spends one there only
        answers = [lane.ask() for _ in range(3)]
        assert first.status_code == 422
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert lane.decided() == 2


def test_the_lane_s_answers_are_counted_under_the_route_template(lane: Lane) -> None:
    lane.ask()
    metrics = lane.client.get("/metrics").text
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("creditcity_http_requests_total{")
        and 'route="/v1/decisions"' in line
        and 'status="200"' in line
    ]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= 1
