"""Keys, scopes, stated purposes and bad bodies: who may call what, and how refusals read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from tests.support.api import OTHER, RESIDENT, Api, give_score, running_api

from creditcity.errors import InputRejected
from creditcity.ledger.audit import chain
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.key_file import read_keys_file


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


def test_public_routes_answer_without_a_key(api: Api) -> None:
    assert api.get("/v1/public/policy", None).json()["tiers"][0]["min_score"] == 350
    assert api.get("/.well-known/jwks.json", None).json()["keys"][0]["kty"] == "OKP"
    assert "/v1/decisions" in api.get("/openapi.json", None).json()["paths"]


def test_a_request_without_a_key_is_refused_naming_the_header(api: Api) -> None:
    answer = api.client.get(f"/v1/subjects/{RESIDENT}/score", headers={"X-Purpose": "x"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("APIKey")
    body = answer.json()
    assert body["type"] == "urn:creditcity:problem:not-authenticated"
    assert body["problems"][0]["field"] == "X-API-Key"


def test_an_unknown_key_is_refused(api: Api) -> None:
    answer = api.client.post(
        "/v1/decisions", json={}, headers={"X-API-Key": "not-a-key-of-anyone-at-all"}
    )
    assert answer.status_code == 401
    assert answer.json()["detail"] == "unknown API key"


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("post", "/v1/decisions", "resident"),
        ("post", "/v1/decisions", "bank"),
        ("get", "/v1/operator/stats", "provider"),
        ("get", "/v1/me/report", "bank"),
        ("get", "/v1/me/report", "operator"),
        ("post", "/v1/records", "operator"),
    ],
)
def test_a_key_without_the_route_s_scope_is_refused(
    api: Api, method: str, path: str, role: str
) -> None:
    headers = api.headers(role, "a purpose")
    answer = api.client.request(method.upper(), path, json=[], headers=headers)
    assert answer.status_code == 403
    assert "lacks the scope" in answer.json()["problems"][0]["message"]


def test_a_resident_reads_their_own_score_and_not_another_s(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    give_score(api.engine, OTHER, 640)
    own = api.get(f"/v1/subjects/{RESIDENT}/score", "resident")
    assert own.status_code == 200 and own.json()["score"] == 720
    assert api.get(f"/v1/subjects/{OTHER}/score", "resident").status_code == 403
    assert api.get(f"/v1/subjects/{OTHER}/score", "provider").status_code == 403


def test_every_read_of_a_person_states_a_purpose(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    for path in (f"/v1/subjects/{RESIDENT}/score", "/v1/operator/stats"):
        answer = api.get(path, "operator", purpose=None)
        assert answer.status_code == 422, path
        problem = answer.json()["problems"][0]
        assert problem["field"] == "X-Purpose" and "purpose is required" in answer.json()["detail"]
    assert api.get("/v1/me/report", "resident", purpose=None).status_code == 422
    assert api.get("/v1/me/report", "resident", purpose="   ").status_code == 422


def test_the_stated_purpose_is_what_the_person_s_audit_log_shows(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    headers = {**api.headers("operator"), "X-Purpose": quote("租房申请审核 tenancy check")}
    assert api.client.get(f"/v1/subjects/{RESIDENT}/score", headers=headers).status_code == 200
    by_query = api.client.get(
        f"/v1/subjects/{RESIDENT}/score?purpose=fraud+review", headers=api.headers("operator")
    )
    assert by_query.status_code == 200
    with UnitOfWork(api.engine) as uow:
        events = [r.event for r in chain(uow.conn, RESIDENT)]
    assert [(e.actor, e.role, e.purpose) for e in events] == [
        ("operator:office", "operator", "租房申请审核 tenancy check"),
        ("operator:office", "operator", "fraud review"),
    ]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"subject", "service", "amount", "purpose"}),
        ({"subject": RESIDENT, "service": "bike_deposit", "amount": 99}, {"purpose"}),
        (
            {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "p", "x": 1},
            {"x"},
        ),
        ({"subject": RESIDENT, "service": "bike_deposit", "amount": [1], "purpose": "p"}, None),
        ({"subject": "", "service": "bike_deposit", "amount": 1, "purpose": "p"}, {"subject"}),
    ],
)
def test_a_bad_decision_body_is_a_422_naming_each_field(
    api: Api, body: dict[str, object], fields: set[str] | None
) -> None:
    answer = api.post("/v1/decisions", "provider", body)
    assert answer.status_code == 422
    named = {p["field"].split(".")[0] for p in answer.json()["problems"]}
    assert named == (fields or {"amount"})
    assert all(p["where"] == "request body" for p in answer.json()["problems"])


def test_a_body_that_is_not_json_is_a_422(api: Api) -> None:
    answer = api.client.post(
        "/v1/decisions",
        content=b"{not json",
        headers={**api.headers("provider"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "not valid JSON" in answer.json()["problems"][0]["message"]


def test_a_keys_file_with_mistakes_is_refused_listing_every_one(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        '[[keys]]\nprincipal = "bank:west-lake"\nrole = "banker"\nkey = "0123456789abcdefgh"\n'
        '[[keys]]\nprincipal = "resident:bob"\nrole = "resident"\nkey = "short"\n'
        '[[keys]]\nprincipal = "creditcity:x"\nrole = "source"\nsha256 = "00"\nscopes = ["all"]\n',
        encoding="utf-8",
    )
    with pytest.raises(InputRejected) as caught:
        read_keys_file(path)
    fields = sorted((p.where.rsplit("#", 1)[1], p.field) for p in caught.value.problems)
    assert fields == [
        ("1", "role"),
        ("2", "key"),
        ("2", "principal"),
        ("3", "principal"),
        ("3", "scopes"),
        ("3", "sha256"),
    ]
