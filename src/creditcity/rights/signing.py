"""Signing and opening the city's JWTs (certificates, revocation lists) with Ed25519.

Opening is the part that must be strict, because the verifier is a landlord
or a matchmaking site working offline against a JWKS file: every token is
checked in this order, and the first failure is reported with the part of
the token it concerns (``Problem.field``):

1. ``token``  three segments of canonical base64url (so that no byte can change unseen)
2. ``alg``    exactly ``EdDSA``: ``none``, HMAC (``HS*``) and every other algorithm are refused
3. ``typ``    the document type the caller expects (a revocation list is no certificate)
4. ``kid``    names a key in the JWKS, which must be an Ed25519 public key
5. ``signature`` matches that key
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jwt
from jwt.exceptions import DecodeError, InvalidSignatureError, PyJWKError, PyJWTError

from creditcity.errors import Problem, VerificationFailed
from creditcity.rights.keystore import KeyStore, b64url

if TYPE_CHECKING:
    from jwt.types import Options

__all__ = ["ALGORITHM", "open_signed", "reject", "sign"]

ALGORITHM = "EdDSA"

#: Every claim check is done by the callers with their own ``now``; PyJWT checks the signature.
_SIGNATURE_ONLY: Options = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
}


def reject(what: str, field: str, reason: str, expected: str = "") -> VerificationFailed:
    """The error for a rejected token: the reason in the message, the token part in ``field``."""
    return VerificationFailed(
        f"{what} rejected: {reason}",
        problems=[Problem(message=reason, where=what, field=field, expected=expected)],
    )


def sign(keystore: KeyStore, payload: Mapping[str, Any], *, typ: str) -> str:
    """A compact JWS of ``payload`` signed with the active key, its ``kid`` in the header."""
    kid, key = keystore.signing_key()
    return jwt.encode(dict(payload), key, algorithm=ALGORITHM, headers={"kid": kid, "typ": typ})


def open_signed(
    token: str, jwks: Mapping[str, Any], *, typ: str, what: str
) -> tuple[str, dict[str, Any]]:
    """The ``kid`` and claims of a token whose signature verifies against ``jwks``.

    Raises :class:`VerificationFailed` naming the first check that failed
    (see the module docstring). Claims are returned unchecked: the caller
    knows which claims its document type needs.
    """
    token = token.strip()
    header = _header(token, what)
    alg = header.get("alg")
    if alg is None:
        raise reject(what, "alg", "the header names no algorithm", expected=ALGORITHM)
    if alg != ALGORITHM:
        shown = "none (unsigned)" if str(alg).lower() == "none" else repr(alg)
        raise reject(what, "alg", f"algorithm {shown} is not accepted", expected="EdDSA")
    if header.get("typ") != typ:
        raise reject(
            what, "typ", f"this is a {header.get('typ')!r} token, not a {what}", expected=typ
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise reject(what, "kid", "the header names no key id", expected="a kid from the JWKS")
    key = _key(jwks, kid, what)
    try:
        claims = jwt.decode(token, key=key, algorithms=[ALGORITHM], options=_SIGNATURE_ONLY)
    except InvalidSignatureError:
        raise reject(
            what,
            "signature",
            f"the signature does not match key {kid}: the token "
            "was changed after signing, or signed by another key",
        ) from None
    except DecodeError as error:
        raise reject(what, "token", f"the claims are unreadable ({error})") from None
    if not isinstance(claims, dict):
        raise reject(what, "token", "the claims are not a JSON object")
    return kid, claims


def _header(token: str, what: str) -> dict[str, Any]:
    segments = token.split(".")
    if (
        len(segments) != 3
        or not all(_canonical_b64url(s) for s in segments[:2])
        or (segments[2] and not _canonical_b64url(segments[2]))
    ):
        raise reject(
            what,
            "token",
            "malformed: not three base64url segments joined by '.'",
            expected="a compact JWT (header.claims.signature)",
        )
    try:
        header = json.loads(base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4)))
    except (ValueError, binascii.Error):
        header = None
    if not isinstance(header, dict):
        raise reject(what, "token", "malformed: the header is not a JSON object")
    return header


def _canonical_b64url(segment: str) -> bool:
    """True when ``segment`` is the one base64url spelling of its bytes (no padding bits set)."""
    try:
        decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (ValueError, binascii.Error):
        return False
    return bool(segment) and b64url(decoded) == segment


def _key(jwks: Mapping[str, Any], kid: str, what: str) -> jwt.PyJWK:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise reject(what, "kid", "the JWKS holds no key list", expected='{"keys": [...]}')
    for entry in keys:
        if isinstance(entry, Mapping) and entry.get("kid") == kid:
            try:
                return jwt.PyJWK(dict(entry), algorithm=ALGORITHM)
            except (PyJWKError, PyJWTError) as error:
                raise reject(
                    what, "kid", f"key {kid} in the JWKS is not an Ed25519 public key ({error})"
                ) from None
    known = ", ".join(str(k.get("kid")) for k in keys if isinstance(k, Mapping)) or "none"
    raise reject(
        what,
        "kid",
        f"signed by unknown key {kid}: not in the JWKS (known: {known}); "
        "fetch the city's current JWKS",
        expected="a kid from the JWKS",
    )
