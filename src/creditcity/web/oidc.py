"""Sign-in with the city's identity provider: OpenID Connect, authorization-code flow with PKCE.

    /sign-in/oidc            -> the provider's authorization endpoint (state, nonce, PKCE)
    /sign-in/oidc/callback   <- ?code&state; the code is exchanged for an ID token,
                                whose signature (RS256 or ES256, from the provider's JWKS),
                                issuer, audience, expiry and nonce are checked

The ID token's national-ID claim (``Settings.oidc_national_id_claim``) is
pseudonymised at once and never stored: the person is signed in as
``resident:<pseudonym>``. The flow's state, nonce and PKCE verifier travel in
a short-lived HMAC-signed cookie, so any worker can finish a flow another began.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from creditcity.config import Settings
from creditcity.domain.principals import DEFAULT_SCOPES, Principal, Role
from creditcity.domain.subjects import is_national_id, pseudonymise
from creditcity.errors import NotAuthorised, Problem

__all__ = ["FLOW_COOKIE", "Flow", "OidcClient"]

FLOW_COOKIE = "cc_oidc"
FLOW_SECONDS = 600
ALGORITHMS = ["RS256", "ES256"]
TIMEOUT = 10


@dataclass(frozen=True, slots=True)
class Flow:
    """One sign-in under way: where to send the person, and the cookie that remembers it."""

    redirect: str
    cookie: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def refused(message: str, problem: str) -> NotAuthorised:
    return NotAuthorised(message, problems=[Problem(problem, where="identity provider")])


class OidcClient:
    """The portal's side of the flow; endpoints and keys are read once and kept."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        material = f"creditcity-oidc|{settings.pseudonym_secret}".encode()
        self._key = hashlib.sha256(material).digest()
        self._config: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKSet | None = None
        self._jwks_at = 0.0

    def begin(self, redirect_uri: str) -> Flow:
        state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.oidc_client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid",
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        endpoint = self._endpoint("authorization_endpoint")
        payload = f"{state}|{nonce}|{verifier}|{int(time.time()) + FLOW_SECONDS}"
        return Flow(f"{endpoint}?{query}", f"{_b64(payload.encode())}.{self._sign(payload)}")

    def finish(self, cookie: str | None, code: str, state: str, redirect_uri: str) -> Principal:
        """The resident the provider signed in, after every check; NotAuthorised otherwise."""
        expected_state, nonce, verifier = self._flow(cookie)
        if not hmac.compare_digest(expected_state, state):
            raise refused("the sign-in did not start here", "state does not match")
        tokens = _post_form(
            self._endpoint("token_endpoint"),
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self.settings.oidc_client_id,
                "client_secret": self.settings.oidc_client_secret,
                "code_verifier": verifier,
            },
        )
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise refused("the identity provider sent no ID token", "no id_token")
        claims = self.verify(id_token, nonce)
        return self._principal(claims)

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims if it is signed by the provider, for us, current and ours."""
        try:
            header = jwt.get_unverified_header(id_token)
            key = self._signing_key(str(header.get("kid", "")))
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.settings.oidc_client_id,
                issuer=self.settings.oidc_issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as error:
            raise refused("the ID token is not valid", str(error)) from None
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise refused("the ID token is not valid", "nonce does not match")
        return claims

    def _principal(self, claims: dict[str, Any]) -> Principal:
        national_id = str(claims.get(self.settings.oidc_national_id_claim, ""))
        if not is_national_id(national_id):
            raise refused(
                "the identity provider did not say who you are",
                f"claim '{self.settings.oidc_national_id_claim}' holds no national ID",
            )
        subject = pseudonymise(national_id, self.settings.pseudonym_secret)
        return Principal(f"resident:{subject}", Role.RESIDENT, DEFAULT_SCOPES[Role.RESIDENT], "")

    def _flow(self, cookie: str | None) -> tuple[str, str, str]:
        encoded, _, signature = (cookie or "").partition(".")
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            state, nonce, verifier, until = payload.split("|")
        except (ValueError, UnicodeDecodeError):
            raise refused("the sign-in expired; start again", "no sign-in under way") from None
        if not hmac.compare_digest(signature, self._sign(payload)) or int(until) < time.time():
            raise refused("the sign-in expired; start again", "no sign-in under way")
        return state, nonce, verifier

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def _endpoint(self, name: str) -> str:
        configured = {
            "authorization_endpoint": self.settings.oidc_authorization_endpoint,
            "token_endpoint": self.settings.oidc_token_endpoint,
            "jwks_uri": self.settings.oidc_jwks,
        }[name]
        if configured:
            return configured
        if self._config is None:
            issuer = self.settings.oidc_issuer.rstrip("/")
            self._config = _get_json(f"{issuer}/.well-known/openid-configuration")
        found = self._config.get(name)
        if not isinstance(found, str):
            raise refused("the identity provider is not configured", f"no {name}")
        return found

    def _signing_key(self, kid: str) -> Any:
        for attempt in range(2):  # a kid we do not know: the provider rotated; read once more
            if self._jwks is None or attempt or time.monotonic() - self._jwks_at > 600:
                self._jwks, self._jwks_at = _load_jwks(self._endpoint("jwks_uri")), time.monotonic()
            for key in self._jwks.keys:
                if not kid or key.key_id == kid:
                    return key.key
        raise refused("the ID token is not valid", f"no key '{kid}' in the provider's JWKS")


def _load_jwks(where: str) -> jwt.PyJWKSet:
    if where.startswith(("https://", "http://")):
        return jwt.PyJWKSet.from_dict(_get_json(where))
    return jwt.PyJWKSet.from_dict(json.loads(Path(where).read_text(encoding="utf-8")))


def _get_json(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    return _read(request)


def _post_form(url: str, form: dict[str, str]) -> dict[str, Any]:
    body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    return _read(request)


def _read(request: urllib.request.Request) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            found = json.loads(answer.read(1_000_000))
    except (OSError, ValueError) as error:
        raise refused("the identity provider did not answer", str(error)) from None
    if not isinstance(found, dict):
        raise refused("the identity provider answered oddly", "not a JSON object")
    return found
