"""Portal sessions: a signed cookie naming the principal, and a CSRF token bound to it.

The cookie holds ``role|principal id|expiry`` and an HMAC over them; the key
is derived from the keys file's fingerprint and the deployment secret, so
changing any API key ends every session, and a cookie cannot be forged
without the keys. Forms carry a token derived from the cookie: a page on
another site cannot post to the portal as the person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from creditcity.domain.principals import Principal, Role
from creditcity.services.keyring import KeyRing

__all__ = ["COOKIE", "LIFETIME", "Sessions"]

COOKIE = "cc_session"
LIFETIME = 8 * 3600


class Sessions:
    def __init__(self, keyring: KeyRing, secret: str) -> None:
        self.keyring = keyring
        material = f"creditcity-portal|{keyring.fingerprint}|{secret}".encode()
        self._key = hashlib.sha256(material).digest()

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()[:40]

    def issue(self, principal: Principal, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + LIFETIME)
        payload = f"{principal.role}|{principal.id}|{expires}".encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._sign(payload)

    def principal(self, cookie: str | None, *, now: float | None = None) -> Principal | None:
        """The signed-in principal, if the cookie is genuine, unexpired and its key still valid."""
        if not cookie or "." not in cookie or len(cookie) > 400:
            return None
        encoded, signature = cookie.rsplit(".", 1)
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            role, principal_id, expires = payload.decode().split("|")
        except (ValueError, UnicodeDecodeError):
            return None
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        if int(expires) < (now or time.time()) or role not in Role.__members__.values():
            return None
        return self.keyring.principal(principal_id, Role(role))

    def csrf(self, cookie: str | None) -> str:
        return self._sign(b"csrf|" + (cookie or "").encode())

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie and token) and hmac.compare_digest(self.csrf(cookie), token or "")
