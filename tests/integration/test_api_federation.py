"""The federation routes: the feed answers peers only; the operator sees refusals by reason."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from tests.support.api import running_api, settings_for
from tests.support.federation import FEDERATION_SECRET, Node, court, peer

from creditcity.rights.federation_tokens import sign_request
from creditcity.services.federation import keystore_for
from creditcity.services.federation_exchange import receive_batches, serve_feed


def test_the_feed_refuses_a_request_without_a_peer_s_signature(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    with running_api(db_url, engine, tmp_path) as api:
        unsigned = api.client.get("/v1/federation/batches?after=0")
        assert unsigned.status_code == 403
        assert "signed by the peer city" in unsigned.json()["detail"]
        stranger = Node("shanghai", f"sqlite:///{tmp_path / 'sh.db'}", tmp_path / "home-s")
        token = sign_request(keystore_for(stranger.settings), "shanghai", "hangzhou")
        refused = api.client.get(
            "/v1/federation/batches", headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 403
        assert "'shanghai' is not a peer of hangzhou" in refused.json()["detail"]


def test_a_peer_gets_the_feed_and_the_operator_sees_the_refusal_counted(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    with running_api(db_url, engine, tmp_path) as api:
        home = Node("hangzhou", db_url, tmp_path / "home")  # the API's city: same home, keys
        other = Node("suzhou", f"sqlite:///{tmp_path / 'sz.db'}", tmp_path / "home-z")
        peer(home, other, tmp_path)
        token = sign_request(keystore_for(other.settings), "suzhou", "hangzhou")
        answer = api.client.get(
            "/v1/federation/batches", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200 and answer.json()["city"] == "hangzhou"
        stale = sign_request(keystore_for(other.settings), "suzhou", "beijing")
        assert (
            api.client.get(
                "/v1/federation/batches", headers={"Authorization": f"Bearer {stale}"}
            ).status_code
            == 403
        )
        shown = api.get("/v1/operator/federation/peers", "operator").json()
        assert [p["city"] for p in shown["peers"]] == ["suzhou"]
        assert shown["peers"][0]["refused"] == {"unknown_peer": 1}
        assert api.get("/v1/operator/federation/peers", "resident").status_code == 403


def test_a_stranger_whose_first_contact_is_a_decision_is_restricted_by_a_peer_s_judgment(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    home = Node("hangzhou", db_url, tmp_path / "home")  # the API's city: same home, keys
    court_city = Node("suzhou", f"sqlite:///{tmp_path / 'sz.db'}", tmp_path / "home-z")
    peer(home, court_city, tmp_path)
    court_city.ingest([court("320503198807074321", "J-9")], tmp_path, "judgment")
    token = sign_request(keystore_for(home.settings), "hangzhou", "suzhou")
    batches = serve_feed(court_city.engine, court_city.settings, token, 0)["batches"]
    assert receive_batches(home.engine, home.settings, "suzhou", batches).pending == 1
    federated = settings_for(tmp_path / "home").model_copy(
        update={"federation_secret": FEDERATION_SECRET}
    )
    with running_api(db_url, engine, tmp_path, settings=federated) as api:
        body = {"service": "rental_deposit", "amount": 1300, "purpose": "flat in Xihu"}
        answer = api.post("/v1/decisions", "landlord", {"subject": "320503198807074321", **body})
    assert answer.status_code == 200 and answer.json()["approved"] is False
    assert [r["record_ref"] for r in answer.json()["restrictions"]] == ["J-9"]
