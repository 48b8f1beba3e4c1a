"""The service's edge: problem+json errors, body and rate limits, request ids, headers, metrics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from tests.support.api import KEYS, RESIDENT, give_score, keys_file, record, settings_for
from tests.support.problems import assert_problem

from creditcity.asgi import create_app
from creditcity.config import Settings
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.models import register_model
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.keystore import KeyStore


def _app(folder: Path, **overrides: Any) -> tuple[FastAPI, Settings]:
    url = f"sqlite:///{folder / 'edge.db'}"
    migrate(make_engine(url))
    give_score(make_engine(url), RESIDENT, 720)
    settings = settings_for(folder / "home").model_copy(update=overrides)
    return create_app(url, settings=settings, keys=keys_file(folder)), settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app, _ = _app(tmp_path)

    @app.get("/v1/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as running:
        yield running


def key(role: str, **more: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role], "X-Purpose": "test", **more}


def test_a_missing_or_unknown_key_is_a_401_that_says_how_to_authenticate(
    client: TestClient,
) -> None:
    for headers in ({}, {"X-API-Key": "nobody-issued-this-key-0000"}):
        answer = client.get("/v1/me/report", headers={**headers, "X-Purpose": "x"})
        body = assert_problem(answer, 401)
        assert body["type"].endswith("not-authenticated")
        assert answer.headers["www-authenticate"].startswith("APIKey")


def test_a_known_key_that_may_not_is_a_403_without_www_authenticate(client: TestClient) -> None:
    answer = client.get("/v1/operator/stats", headers=key("provider"))
    assert_problem(answer, 403)
    assert "www-authenticate" not in answer.headers


def test_every_kind_of_error_is_one_problem_json_shape(client: TestClient) -> None:
    provoked = [
        (client.get("/v1/nowhere"), 404),
        (client.delete("/v1/public/policy"), 405),
        (client.post("/v1/decisions", json={}, headers=key("provider")), 422),
        (
            client.post(
                "/v1/decisions",
                content=b'{"subject": "\xff\xfe"}',
                headers={**key("provider"), "Content-Type": "application/json"},
            ),
            422,
        ),
        (
            client.post(
                "/v1/decisions/abc123/outcome", json={"result": "lost"}, headers=key("provider")
            ),
            404,
        ),
        (client.post("/v1/decisions", content=b"x" * 40_000, headers=key("provider")), 413),
        (client.get("/v1/boom"), 500),
    ]
    for answer, status in provoked:
        assert_problem(answer, status)


def test_a_crash_answers_a_500_problem_without_a_traceback(client: TestClient) -> None:
    answer = client.get("/v1/boom")
    body = assert_problem(answer, 500)
    assert "Traceback" not in answer.text and "a bug" not in answer.text
    assert body["type"].endswith("internal")


def test_a_declared_body_over_the_limit_is_refused_before_the_key_is_checked(
    client: TestClient,
) -> None:
    answer = client.post("/v1/decisions", content=b"{" * 17_000)  # no key at all
    body = assert_problem(answer, 413)
    assert body["problems"][0]["field"] == "Content-Length"


def test_a_streamed_body_is_counted_and_refused_once_past_the_limit(client: TestClient) -> None:
    chunks = (b" " * 1024 for _ in range(64))  # chunked: no Content-Length
    answer = client.post(
        "/v1/decisions",
        content=chunks,
        headers={**key("provider"), "Content-Type": "application/json"},
    )
    assert_problem(answer, 413)


def test_records_accept_larger_bodies_than_decisions(tmp_path: Path) -> None:
    app, settings = _app(tmp_path)
    body = b"[" + b" " * 100_000 + b"]"
    with TestClient(app) as client:
        decisions = client.post("/v1/decisions", content=body, headers=key("provider"))
        records = client.post("/v1/records", content=body, headers=key("bank"))
    assert decisions.status_code == 413
    assert records.status_code == 200  # read and parsed: an empty batch
    assert settings.max_records_body_bytes > settings.max_decision_body_bytes


def test_a_key_past_its_role_s_rate_gets_429_with_retry_after(tmp_path: Path) -> None:
    app, _ = _app(tmp_path, rate_resident=1.0, rate_burst_seconds=2.0)
    with TestClient(app) as client:
        answers = [client.get("/v1/me/consents", headers=key("resident")) for _ in range(4)]
        provider = client.get("/v1/operator/stats", headers=key("operator"))
    assert [a.status_code for a in answers[:2]] == [200, 200]
    body = assert_problem(answers[-1], 429)
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert body["problems"][0]["field"] == "X-API-Key"
    assert provider.status_code == 200  # another key, another bucket


def test_an_address_that_sends_wrong_keys_is_throttled_even_with_a_right_one(
    tmp_path: Path,
) -> None:
    app, _ = _app(tmp_path, auth_failures_max=3, auth_failure_window_seconds=60)
    with TestClient(app) as client:
        wrong = [
            client.get("/v1/me/consents", headers={"X-API-Key": f"guess-{i:020d}"})
            for i in range(3)
        ]
        right = client.get("/v1/me/consents", headers=key("resident"))
    assert [a.status_code for a in wrong] == [401, 401, 401]
    assert_problem(right, 429)
    assert 1 <= int(right.headers["retry-after"]) <= 60


def test_a_request_id_is_taken_from_the_caller_or_made_and_always_returned(
    client: TestClient,
) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "trace-42.a"})
    assert given.headers["x-request-id"] == "trace-42.a"
    bad = client.get("/healthz", headers={"X-Request-ID": "no spaces <allowed>"})
    made = client.get("/healthz")
    assert bad.headers["x-request-id"] not in ("", "no spaces <allowed>")
    assert made.headers["x-request-id"] != client.get("/healthz").headers["x-request-id"]


def test_answers_carry_security_headers_and_personal_ones_are_not_stored(
    client: TestClient,
) -> None:
    personal = client.get("/v1/me/report", headers=key("resident"))
    public = client.get("/v1/public/policy")
    page = client.get("/me")
    for answer in (personal, public, page):
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
    assert personal.headers["cache-control"] == "no-store"
    assert page.headers["cache-control"] == "no-store"
    assert "no-store" not in public.headers.get("cache-control", "")


def test_the_api_docs_load_nothing_from_another_site(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text, path
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        assert client.get(f"/docs-assets/{asset}").status_code == 200


def test_metrics_parse_and_count_requests_by_route_template(client: TestClient) -> None:
    client.get(f"/v1/subjects/{RESIDENT}/score", headers=key("operator"))
    client.get("/v1/nowhere/at/all")
    asked = {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "bike"}
    assert client.post("/v1/decisions", json=asked, headers=key("provider")).status_code == 200
    client.post("/v1/records", json=[record("m-1"), record("m-2", amount=-1)], headers=key("bank"))
    text = client.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    requests = families["creditcity_http_requests"]
    routes = {s.labels["route"] for s in requests.samples}
    assert "/v1/subjects/{subject}/score" in routes and "<unmatched>" in routes
    assert not any(RESIDENT in r for r in routes)
    assert "creditcity_http_request_duration_seconds" in families
    assert families["creditcity_audit_chain_length"].samples[0].value >= 1
    assert "creditcity_rescoring_lag_seconds" in families
    decided = {s.labels["service"] for s in families["creditcity_decisions"].samples}
    assert "bike_deposit" in decided
    assert families["creditcity_decision_group_commit_size"].samples
    results = {s.labels["result"] for s in families["creditcity_ingested_records"].samples}
    assert {"accepted", "rejected"} <= results
    assert families["creditcity_up"].samples[0].value == 1


def test_healthz_answers_and_readyz_says_what_is_missing_until_all_is_there(
    tmp_path: Path,
) -> None:
    app, settings = _app(tmp_path)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        before = client.get("/readyz")
        with UnitOfWork(make_engine(f"sqlite:///{tmp_path / 'edge.db'}")) as uow:
            register_model(uow.conn, "m-test", "{}", activate=True)
            uow.commit()
        KeyStore.open(settings.home / "keys")
        after = client.get("/readyz")
    assert before.status_code == 503
    checks = before.json()["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not checks["model"]["ok"] and not checks["signing_key"]["ok"]
    assert after.status_code == 200 and after.json()["ready"] is True
