"""Portal sessions and form protection: who is signed in, and whether a form came from here.

A session is a row on the server (:mod:`creditcity.services.sessions`); the
``cc_session`` cookie holds only its random token. Every form carries a token
bound to the browser (the ``cc_form`` cookie) and to the session, and every
post must come from the portal's own origin (the ``Origin`` header, or the
``Referer`` when a browser sends no Origin): a page on another site can
neither sign a person in to an account of its choosing nor act in their
session. Cookies are ``Secure`` when the portal is served over HTTPS
(``Settings.cookie_secure``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from creditcity.config import Settings
from creditcity.domain.principals import Principal
from creditcity.services import sessions

__all__ = ["COOKIE", "FORM_COOKIE", "Sessions"]

COOKIE = "cc_session"
FORM_COOKIE = "cc_form"


class Sessions:
    """The portal's door to sessions: start, look up and end them; make and check form tokens."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        material = f"creditcity-portal-forms|{settings.pseudonym_secret}".encode()
        self._key = hashlib.sha256(material).digest()

    async def principal(self, token: str | None) -> Principal | None:
        if not token:
            return None
        return await run_in_threadpool(sessions.session_principal, self.engine, token)

    async def start(self, principal: Principal, key_id: str | None) -> str:
        hours = self.settings.session_hours
        return await run_in_threadpool(
            lambda: sessions.start_session(self.engine, principal, key_id=key_id, hours=hours)
        )

    async def end(self, token: str | None) -> None:
        await run_in_threadpool(sessions.end_session, self.engine, token)

    @property
    def lifetime(self) -> int:
        return int(self.settings.session_hours * 3600)

    # forms

    @staticmethod
    def browser_token(request: Request) -> tuple[str, bool]:
        """The browser's form cookie, or a new one (True: it must be set on the response)."""
        found = request.cookies.get(FORM_COOKIE)
        if found and 20 <= len(found) <= 64:
            return found, False
        return secrets.token_urlsafe(24), True

    def form_token(self, browser: str, session: str | None) -> str:
        payload = f"form|{browser}|{session or ''}".encode()
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()

    def form_ok(self, request: Request, token: str | None) -> bool:
        """True if the form carries this browser's and session's token and came from here."""
        browser = request.cookies.get(FORM_COOKIE)
        if not browser or not token or not self.same_origin(request):
            return False
        expected = self.form_token(browser, request.cookies.get(COOKIE))
        return hmac.compare_digest(expected, token)

    def same_origin(self, request: Request) -> bool:
        """The post came from the portal's own origin (or one the settings trust).

        Browsers send ``Origin`` on every cross-origin post; a post with neither
        Origin nor Referer comes from a program, which still needs the form token.
        """
        sent = request.headers.get("origin")
        if sent is None and (referer := request.headers.get("referer")):
            parts = urlsplit(referer)
            sent = f"{parts.scheme}://{parts.netloc}"
        if sent is None:
            return True
        own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        return sent in (own, *self.settings.trusted_origins)

    # cookies

    def secure(self, request: Request) -> bool:
        mode = self.settings.cookie_secure
        return mode == "always" or (mode == "auto" and request.url.scheme == "https")

    def set_cookie(
        self, response: Response, request: Request, name: str, value: str, max_age: int
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self.secure(request),
            path="/",
        )
