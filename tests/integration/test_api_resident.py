"""The resident's and the operator's routes over HTTP: report, disputes, consents,
certificates, figures, the disputes queue, and the public documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.support.api import OTHER_ID, RESIDENT, Api, give_score, record, running_api

from creditcity.ledger.audit import chain
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.certificates import verify


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


def _file(api: Api) -> dict:
    answer = api.get("/v1/me/report", "resident", purpose="checking my file")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_resident_s_report_lists_their_records_and_who_looked(api: Api) -> None:
    api.post("/v1/records", "bank", [record("r-1"), record("r-2", national_id=OTHER_ID)])
    report = _file(api)
    assert report["subject"] == RESIDENT
    assert [r["idempotency_key"] for r in report["records"]] == ["r-1"]
    assert report["records"][0]["basis"] == "contract" and report["records"][0]["counts"]
    assert report["accesses"][-1]["actor"] == f"resident:{RESIDENT}"
    html = api.client.get(
        "/v1/me/report?format=html&purpose=print", headers=api.headers("resident")
    )
    assert html.status_code == 200 and "loan_instalment_paid" in html.text


def test_a_resident_disputes_their_own_record_and_not_someone_else_s(api: Api) -> None:
    api.post("/v1/records", "bank", [record("r-1"), record("o-1", national_id=OTHER_ID)])
    (mine,) = [r["entry_id"] for r in _file(api)["records"]]
    opened = api.post("/v1/me/disputes", "resident", {"entry_id": mine, "statement": "paid"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "pending" and opened.json()["subject"] == RESIDENT
    assert not _file(api)["records"][0]["counts"]
    theirs = api.post("/v1/me/disputes", "resident", {"entry_id": mine + 1, "statement": "x"})
    assert theirs.status_code == 404
    twice = api.post("/v1/me/disputes", "resident", {"entry_id": mine, "statement": "again"})
    assert twice.status_code == 409


def test_the_operator_sees_the_queue_and_resolves_a_dispute(api: Api) -> None:
    api.post("/v1/records", "bank", [record("r-1")])
    (entry,) = [r["entry_id"] for r in _file(api)["records"]]
    dispute = api.post("/v1/me/disputes", "resident", {"entry_id": entry, "statement": "paid"})
    dispute_id = dispute.json()["dispute_id"]
    queue = api.get("/v1/operator/disputes?status=pending", "operator", purpose="daily queue")
    assert [d["dispute_id"] for d in queue.json()] == [dispute_id]
    resolved = api.post(
        f"/v1/operator/disputes/{dispute_id}/resolution",
        "operator",
        {"upheld": True, "note": "the bank confirms it was paid"},
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "upheld"
    again = api.post(
        f"/v1/operator/disputes/{dispute_id}/resolution",
        "operator",
        {"upheld": False, "note": "no"},
    )
    assert again.status_code == 409


def test_consent_is_granted_and_withdrawn_only_for_voluntary_sources(api: Api) -> None:
    granted = api.post(
        "/v1/me/consents", "resident", {"source": "card_issuer:unionpay", "action": "grant"}
    )
    assert granted.status_code == 200 and granted.json()["active"] == ["card_issuer:unionpay"]
    withdrawn = api.post(
        "/v1/me/consents", "resident", {"source": "card_issuer:unionpay", "action": "withdraw"}
    )
    assert withdrawn.json()["active"] == [] and withdrawn.json()["changed"]
    court = api.post(
        "/v1/me/consents", "resident", {"source": "court:west-lake", "action": "withdraw"}
    )
    assert court.status_code == 422 and court.json()["problems"][0]["field"] == "source"
    listed = api.get("/v1/me/consents", "resident", purpose="my consents")
    assert [e["action"] for e in listed.json()["events"]] == ["grant", "withdraw"]


def test_a_certificate_states_the_tier_and_verifies_against_the_published_keys(
    api: Api,
) -> None:
    thin = api.post("/v1/me/certificates", "resident", {})
    assert thin.status_code == 404 and "thin file" in thin.json()["detail"]
    give_score(api.engine, RESIDENT, 720)
    issued = api.post(
        "/v1/me/certificates", "resident", {"audience": "landlord:anju", "ttl_days": 7}
    )
    assert issued.status_code == 200, issued.text
    jwks = api.get("/.well-known/jwks.json", None).json()
    claims = verify(issued.json()["token"], jwks, audience="landlord:anju")
    assert claims.tier == "excellent" and claims.city == "hangzhou"
    too_long = api.post("/v1/me/certificates", "resident", {"ttl_days": 400})
    assert too_long.status_code == 422 and too_long.json()["problems"][0]["field"] == "ttl_days"


def test_the_operator_s_figures_are_read_with_a_purpose_that_is_logged(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    body = {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "ride"}
    assert api.post("/v1/decisions", "provider", body).status_code == 200
    figures = api.get("/v1/operator/stats", "operator", purpose="monthly report")
    assert figures.status_code == 200
    assert figures.json()["deposits_waived"]["by_service"] == {"bike_deposit": "99.00"}
    with UnitOfWork(api.engine) as uow:
        logged = [r.event for r in chain(uow.conn) if r.event.action == "stats.read"]
    assert [(e.actor, e.purpose) for e in logged] == [("operator:office", "monthly report")]


def test_the_points_table_is_public_once_a_model_is_trained(api: Api) -> None:
    answer = api.get("/v1/public/scorecard", None)
    assert answer.status_code == 404
    assert "no active model" in answer.json()["detail"]
