"""Sign-in with the city's identity provider (OIDC code flow), against a provider made here.

The provider is a small HTTP server on a loopback port with its own keys
(RS256 and ES256), minting ID tokens in the test; nothing leaves the machine.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from sqlalchemy import Engine
from tests.support.api import NATIONAL_ID, RESIDENT, give_score, settings_for

from creditcity.asgi import create_app

CLIENT_ID = "creditcity-portal"


@dataclass
class Provider:
    """The city's identity provider, as far as the portal can tell."""

    issuer: str = ""
    rsa_key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    ec_key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    tokens: dict[str, str] = field(default_factory=dict)  # code -> id_token
    challenges: dict[str, str] = field(default_factory=dict)  # code -> PKCE challenge
    posted: list[dict[str, str]] = field(default_factory=list)

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa_key.public_key(), as_dict=True)
        ec_jwk = ECAlgorithm.to_jwk(self.ec_key.public_key(), as_dict=True)
        return {"keys": [{**rsa_jwk, "kid": "rsa-1", "use": "sig"}, {**ec_jwk, "kid": "ec-1"}]}

    def mint(self, nonce: str, *, alg: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "person-42",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "national_id": NATIONAL_ID,
            **claims,
        }
        key, kid = (self.rsa_key, "rsa-1") if alg == "RS256" else (self.ec_key, "ec-1")
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[Provider]:
    idp = Provider()

    class Handler(BaseHTTPRequestHandler):
        def _json(self, payload: dict[str, Any], status: int = 200) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": idp.issuer,
                        "authorization_endpoint": f"{idp.issuer}/authorize",
                        "token_endpoint": f"{idp.issuer}/token",
                        "jwks_uri": f"{idp.issuer}/jwks",
                    }
                )
            elif self.path == "/jwks":
                self._json(idp.jwks())
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            idp.posted.append(form)
            code = form.get("code", "")
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if code not in idp.tokens or challenge.decode() != idp.challenges.get(code):
                self._json({"error": "invalid_grant"}, 400)
                return
            self._json({"id_token": idp.tokens.pop(code), "token_type": "Bearer"})

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    idp.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield idp
    finally:
        server.shutdown()
        server.server_close()


def portal(db_url: str, tmp_path: Path, provider: Provider, **settings: str) -> TestClient:
    configured = settings_for(tmp_path / "home").model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": "client-secret-for-tests",
            **settings,
        }
    )
    return TestClient(create_app(db_url, settings=configured))


def begin(client: TestClient, provider: Provider) -> dict[str, str]:
    """Follow the portal to the provider; returns the authorization request's parameters."""
    answer = client.get("/sign-in/oidc", follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{provider.issuer}/authorize?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def callback(client: TestClient, provider: Provider, asked: dict[str, str], token: str) -> Any:
    provider.tokens["code-1"] = token
    provider.challenges["code-1"] = asked["code_challenge"]
    return client.get(
        "/sign-in/oidc/callback",
        params={"code": "code-1", "state": asked["state"]},
        follow_redirects=False,
    )


def test_a_resident_signs_in_with_the_citys_identity_provider(
    db_url: str, engine: Engine, tmp_path: Path, provider: Provider
) -> None:
    give_score(engine, RESIDENT, 700)
    with portal(db_url, tmp_path, provider) as client:
        assert 'data-signin="oidc"' in client.get("/sign-in").text
        asked = begin(client, provider)
        assert asked["client_id"] == CLIENT_ID and asked["code_challenge_method"] == "S256"
        answer = callback(client, provider, asked, provider.mint(asked["nonce"]))
        assert answer.status_code == 303 and answer.headers["location"].startswith("/me")
        assert 'data-score="700"' in client.get("/me").text  # the pseudonym of the national ID
    assert provider.posted[0]["client_secret"] == "client-secret-for-tests"
    assert provider.posted[0]["redirect_uri"] == "http://testserver/sign-in/oidc/callback"


def test_an_es256_token_checked_against_a_pinned_jwks_file_signs_in(
    db_url: str, engine: Engine, tmp_path: Path, provider: Provider
) -> None:
    pinned = tmp_path / "jwks.json"
    pinned.write_text(json.dumps(provider.jwks()), encoding="utf-8")
    with portal(db_url, tmp_path, provider, oidc_jwks=str(pinned)) as client:
        asked = begin(client, provider)
        token = provider.mint(asked["nonce"], alg="ES256")
        assert callback(client, provider, asked, token).status_code == 303


@pytest.mark.parametrize(
    "spoil",
    ["nonce", "audience", "issuer", "expired", "stranger_key", "no_national_id", "state"],
)
def test_an_id_token_that_fails_a_check_signs_nobody_in(
    db_url: str, engine: Engine, tmp_path: Path, provider: Provider, spoil: str
) -> None:
    with portal(db_url, tmp_path, provider) as client:
        asked = begin(client, provider)
        nonce, claims = asked["nonce"], {}
        if spoil == "nonce":
            nonce = "another-nonce"
        if spoil == "audience":
            claims = {"aud": "someone-else"}
        if spoil == "issuer":
            claims = {"iss": "https://evil.example"}
        if spoil == "expired":
            claims = {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}
        if spoil == "no_national_id":
            claims = {"national_id": ""}
        token = provider.mint(nonce, **claims)
        if spoil == "stranger_key":
            stranger = rsa.generate_private_key(65537, 2048)
            claims = jwt.decode(token, options={"verify_signature": False})
            token = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "rsa-1"})
        if spoil == "state":
            asked = {**asked, "state": "forged-state"}
        answer = callback(client, provider, asked, token)
        assert answer.status_code == 401
        assert "cc_session" not in client.cookies
