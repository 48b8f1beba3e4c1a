"""Who may call what: every route of the served app, for every role, against one matrix.

The routes are enumerated from the app itself, so a route added without a row
here fails :func:`test_every_route_of_the_app_has_a_row_in_the_matrix`; a row
whose route is gone fails too. API routes are called with each role's key
(allowed: anything but 401/403; refused: 401 without a key, 403 with a known
one). Portal pages are checked signed out (private ones send you to sign in or
refuse). Then the probes across people: a resident reaching for another
resident's file, a provider for another provider's decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.support.api import (
    KEYS,
    OTHER,
    OTHER_ID,
    RESIDENT,
    give_score,
    keys_file,
    record,
    settings_for,
)

from creditcity.asgi import create_app
from creditcity.ledger.tables import entries
from creditcity.ledger.unit_of_work import UnitOfWork

ANYONE = "anyone"
NOBODY_BY_KEY = "peer cities only"  # federation: a token signed by a peer, not an API key
SIGNED_IN = "signed in"
ROLES = ("anonymous", "bank", "provider", "resident", "operator")

#: (method, path template) -> the roles whose key is let through (or ANYONE / NOBODY_BY_KEY)
API: dict[tuple[str, str], frozenset[str] | str] = {
    ("GET", "/openapi.json"): ANYONE,
    ("GET", "/healthz"): ANYONE,
    ("GET", "/readyz"): ANYONE,
    ("GET", "/metrics"): ANYONE,
    ("GET", "/docs"): ANYONE,
    ("GET", "/redoc"): ANYONE,
    ("GET", "/docs-assets"): ANYONE,
    ("GET", "/v1/public/scorecard"): ANYONE,
    ("GET", "/v1/public/policy"): ANYONE,
    ("GET", "/.well-known/jwks.json"): ANYONE,
    ("POST", "/v1/records"): frozenset({"bank"}),
    ("POST", "/v1/decisions"): frozenset({"provider"}),
    ("POST", "/v1/decisions/{decision_id}/outcome"): frozenset({"provider"}),
    ("GET", "/v1/subjects/{subject}/score"): frozenset({"resident", "operator"}),
    ("GET", "/v1/me/report"): frozenset({"resident"}),
    ("POST", "/v1/me/disputes"): frozenset({"resident"}),
    ("GET", "/v1/me/consents"): frozenset({"resident"}),
    ("POST", "/v1/me/consents"): frozenset({"resident"}),
    ("POST", "/v1/me/certificates"): frozenset({"resident"}),
    ("GET", "/v1/operator/stats"): frozenset({"operator"}),
    ("GET", "/v1/operator/disputes"): frozenset({"operator"}),
    ("POST", "/v1/operator/disputes/{dispute_id}/resolution"): frozenset({"operator"}),
    ("GET", "/v1/operator/federation/peers"): frozenset({"operator"}),
    ("GET", "/v1/federation/batches"): NOBODY_BY_KEY,
    ("GET", "/v1/federation/checkpoints"): NOBODY_BY_KEY,
}
#: portal pages: open to anyone, or only once signed in (sessions, not keys)
PORTAL: dict[tuple[str, str], str] = {
    ("GET", "/"): ANYONE,
    ("GET", "/scorecard"): ANYONE,
    ("GET", "/policy"): ANYONE,
    ("GET", "/sign-in"): ANYONE,
    ("POST", "/sign-in"): ANYONE,
    # (no /sign-in/demo: it exists only in the app ``creditcity demo`` serves)
    ("GET", "/sign-in/oidc"): ANYONE,
    ("GET", "/sign-in/oidc/callback"): ANYONE,
    ("POST", "/sign-out"): ANYONE,
    ("GET", "/static"): ANYONE,
    ("GET", "/me"): SIGNED_IN,
    ("GET", "/me/report"): SIGNED_IN,
    ("GET", "/me/file"): SIGNED_IN,
    ("GET", "/me/dispute"): SIGNED_IN,
    ("POST", "/me/dispute"): SIGNED_IN,
    ("GET", "/me/consents"): SIGNED_IN,
    ("POST", "/me/consents"): SIGNED_IN,
    ("GET", "/me/certificate"): SIGNED_IN,
    ("POST", "/me/certificate"): SIGNED_IN,
    ("POST", "/me/certificate/revoke"): SIGNED_IN,
    # a landlord or matchmaking site checks a certificate without signing in
    ("GET", "/verify"): ANYONE,
    ("POST", "/verify"): ANYONE,
    ("GET", "/operator"): SIGNED_IN,
    ("POST", "/operator/disputes/{dispute_id}"): SIGNED_IN,
    ("POST", "/operator/fairness"): SIGNED_IN,
    ("GET", "/operator/model"): SIGNED_IN,
    ("POST", "/operator/model/activate"): SIGNED_IN,
    ("GET", "/operator/restrictions"): SIGNED_IN,
}
#: Mounts answer every method; these are the ones the matrix calls them with
_MOUNTS = {"/docs-assets": "/docs-assets/swagger-ui.css", "/static": None}
_VALUES = {"{subject}": RESIDENT, "{decision_id}": "abc123", "{dispute_id}": "1"}


def _concrete(path: str) -> str:
    for name, value in _VALUES.items():
        path = path.replace(name, value)
    return path


def _routes(app: object) -> set[tuple[str, str]]:
    found = set()
    for context in iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        methods = getattr(context, "methods", None) or {"GET"}
        found |= {(m, context.path) for m in methods if m != "HEAD"}
    return found


@pytest.fixture
def client(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    give_score(engine, RESIDENT, 720)
    give_score(engine, OTHER, 640)
    settings = settings_for(tmp_path / "home").model_copy(
        update={"rate_resident": 0, "rate_source": 0, "rate_operator": 0, "rate_provider": 0}
    )
    app = create_app(db_url, settings=settings, keys=keys_file(tmp_path))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as running:
        yield running


def test_every_route_of_the_app_has_a_row_in_the_matrix(client: TestClient) -> None:
    routes = _routes(client.app)
    rows = set(API) | set(PORTAL)
    assert routes - rows == set(), "new routes: add them to the authorization matrix"
    assert rows - routes == set(), "routes gone: remove their rows from the matrix"


def _call(client: TestClient, method: str, path: str, role: str) -> int:
    headers = {"X-Purpose": "authorization matrix"}
    if role != "anonymous":
        headers["X-API-Key"] = KEYS[role]
    target = _MOUNTS.get(path, path) if path in _MOUNTS else _concrete(path)
    if target is None:
        return 200  # a folder of files: nothing to authorise
    body = {} if method == "POST" else None
    return client.request(method, target, json=body, headers=headers).status_code


@pytest.mark.parametrize("role", ROLES)
def test_each_api_route_lets_through_exactly_the_roles_of_its_row(
    client: TestClient, role: str
) -> None:
    wrong = []
    for (method, path), allowed in sorted(API.items()):
        status = _call(client, method, path, role)
        if allowed == ANYONE or (isinstance(allowed, frozenset) and role in allowed):
            ok = status not in (401, 403, 500)  # /readyz may say 503: not ready, not refused
        elif role == "anonymous" and allowed != NOBODY_BY_KEY:
            ok = status == 401
        else:
            ok = status in (401, 403)
        if not ok:
            wrong.append((method, path, role, status))
    assert wrong == []


def test_private_portal_pages_are_closed_to_someone_signed_out(client: TestClient) -> None:
    wrong = []
    for (method, path), who in sorted(PORTAL.items()):
        status = _call(client, method, path, "anonymous")
        ok = status < 500 if who == ANYONE else status in (303, 401, 403)
        if not ok:
            wrong.append((method, path, status))
    assert wrong == []


def test_a_resident_cannot_reach_another_resident_s_file(client: TestClient) -> None:
    mine = {"X-API-Key": KEYS["resident"], "X-Purpose": "curious"}
    assert client.get(f"/v1/subjects/{OTHER}/score", headers=mine).status_code == 403
    bank = {"X-API-Key": KEYS["bank"]}
    theirs = record("other-1", national_id=OTHER_ID)
    assert client.post("/v1/records", json=[theirs], headers=bank).status_code == 200
    with UnitOfWork(client.app.state.runtime.engine) as uow:  # type: ignore[attr-defined]
        entry_id = uow.conn.execute(
            select(entries.c.entry_id).where(entries.c.subject == OTHER)
        ).scalar_one()
    disputed = client.post(
        "/v1/me/disputes", json={"entry_id": entry_id, "statement": "not mine"}, headers=mine
    )
    assert disputed.status_code == 404, "whether an entry exists in another file is not said"
    report = client.get("/v1/me/report", headers=mine).json()
    assert entry_id not in {r["entry_id"] for r in report["records"]}


def test_a_provider_cannot_reach_another_provider_s_decision_or_services(
    client: TestClient,
) -> None:
    bike = {"X-API-Key": KEYS["provider"]}
    landlord = {"X-API-Key": KEYS["landlord"]}
    asked = {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "bike"}
    decision = client.post("/v1/decisions", json=asked, headers=bike)
    assert decision.status_code == 200
    decision_id = decision.json()["decision_id"]
    outcome = {"result": "lost"}
    probe = client.post(f"/v1/decisions/{decision_id}/outcome", json=outcome, headers=landlord)
    assert probe.status_code == 404, "another provider's decision is not even confirmed"
    not_theirs = {**asked, "service": "power_bank_deposit"}
    assert client.post("/v1/decisions", json=not_theirs, headers=landlord).status_code == 403
    own = client.post(f"/v1/decisions/{decision_id}/outcome", json=outcome, headers=bike)
    assert own.status_code == 200
