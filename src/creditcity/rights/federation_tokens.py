"""The three signed documents cities exchange, each an Ed25519 compact JWS with its own ``typ``.

* a **batch** of shareable records (``iss``, ``seq``, ``prev``, ``records``,
  ``disputes``, ``checkpoint``), signed by the city that publishes it;
* an **audit checkpoint** (``iss``, ``seq``, ``hash``, ``at``): the head of the
  city's audit chain when a batch was made; peers keep it, and since the
  city signed it, it cannot later disown it (see :mod:`creditcity.rights.witness`);
* a **request** for a feed (``iss``, ``aud``, ``iat``, ``exp``), by which the
  asking city proves who it is, so a feed answers only its peers.

Signature, algorithm, type and key id are checked by
:func:`creditcity.rights.signing.open_signed`; a failure becomes a
:class:`~creditcity.domain.federation.BatchRefused` with its reason.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature

from creditcity.domain.federation import (
    BATCH_TYPE,
    CHECKPOINT_TYPE,
    REQUEST_TYPE,
    BatchRefused,
    Refusal,
)
from creditcity.errors import Problem, VerificationFailed
from creditcity.rights._clock import CLOCK_SKEW, moment
from creditcity.rights.keystore import KeyStore
from creditcity.rights.signing import ALGORITHM, _header, _key, open_signed, reject, sign

__all__ = [
    "REQUEST_TTL",
    "claimed_issuer",
    "open_batch",
    "open_checkpoint",
    "open_request",
    "sign_batch",
    "sign_checkpoint",
    "sign_request",
]

#: how long a feed request token is good for
REQUEST_TTL = timedelta(minutes=2)


def sign_batch(keystore: KeyStore, claims: Mapping[str, Any]) -> str:
    return sign(keystore, claims, typ=BATCH_TYPE)


def sign_checkpoint(keystore: KeyStore, city: str, seq: int, head: str, at: datetime) -> str:
    """The signed head of ``city``'s audit chain: row ``seq`` had hash ``head`` at ``at``."""
    return sign(
        keystore,
        {"iss": city, "seq": seq, "hash": head, "at": moment(at).isoformat()},
        typ=CHECKPOINT_TYPE,
    )


def sign_request(keystore: KeyStore, city: str, peer: str, *, now: datetime | None = None) -> str:
    at = moment(now)
    return sign(
        keystore,
        {
            "iss": city,
            "aud": peer,
            "iat": int(at.timestamp()),
            "exp": int((at + REQUEST_TTL).timestamp()),
        },
        typ=REQUEST_TYPE,
    )


def _opened(token: str, jwks: Mapping[str, Any], typ: str, what: str) -> dict[str, Any]:
    try:
        return open_signed(token, jwks, typ=typ, what=what)[1]
    except VerificationFailed as error:
        raise BatchRefused(Refusal.SIGNATURE, error.message, problems=error.problems) from None


def open_batch(token: str, jwks: Mapping[str, Any], peer: str) -> dict[str, Any]:
    """The claims of a batch whose signature verifies against ``peer``'s JWKS.

    The same checks as :func:`~creditcity.rights.signing.open_signed` (shape,
    ``alg`` EdDSA only, ``typ``, ``kid``, signature), but the Ed25519
    signature is checked with ``cryptography`` directly: PyJWT inspects a
    megabyte batch one character at a time in Python, which was a third of
    the exchange's time.
    """
    what = f"batch from {peer}"
    try:
        return _open_ed25519(token.strip(), jwks, what)
    except VerificationFailed as error:
        raise BatchRefused(Refusal.SIGNATURE, error.message, problems=error.problems) from None


def _open_ed25519(token: str, jwks: Mapping[str, Any], what: str) -> dict[str, Any]:
    header = _header(token, what)
    if header.get("alg") != ALGORITHM:
        raise reject(what, "alg", f"algorithm {header.get('alg')!r} is not accepted", ALGORITHM)
    if header.get("typ") != BATCH_TYPE:
        raise reject(what, "typ", f"this is a {header.get('typ')!r} token", expected=BATCH_TYPE)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise reject(what, "kid", "the header names no key id", expected="a kid from the JWKS")
    public = _key(jwks, kid, what).key
    signing_input, _, signature = token.rpartition(".")
    try:
        public.verify(_b64decode(signature), signing_input.encode("ascii"))
    except (InvalidSignature, ValueError, binascii.Error):
        raise reject(
            what,
            "signature",
            f"the signature does not match key {kid}: the batch was changed after "
            "signing, or signed by another key",
        ) from None
    claims = json.loads(_b64decode(signing_input.partition(".")[2]))
    if not isinstance(claims, dict):
        raise reject(what, "token", "the claims are not a JSON object")
    return claims


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def open_checkpoint(token: str, jwks: Mapping[str, Any], city: str) -> dict[str, Any]:
    """The claims of ``city``'s signed audit checkpoint (``seq``, ``hash``, ``at``)."""
    claims = _opened(token, jwks, CHECKPOINT_TYPE, f"audit checkpoint of {city}")
    if claims.get("iss") != city or not isinstance(claims.get("seq"), int):
        raise BatchRefused(
            Refusal.SIGNATURE,
            f"audit checkpoint refused: it is not a checkpoint of {city}",
            problems=[Problem(repr(claims.get("iss")), f"checkpoint of {city}", "iss", city)],
        )
    return claims


def open_request(
    token: str, peers: Mapping[str, Mapping[str, Any]], me: str, *, now: datetime | None = None
) -> str:
    """The peer city that signed a feed request addressed to ``me``; refused otherwise.

    ``peers`` maps each known city to its JWKS. An unknown city, a token for
    another city, or an expired token raises :class:`BatchRefused`.
    """
    what = "federation request"
    claimed = claimed_issuer(token)
    if claimed not in peers:
        raise BatchRefused(
            Refusal.UNKNOWN_PEER,
            f"federation request refused: {claimed!r} is not a peer of {me}; "
            f"add it with `creditcity federation peers add {claimed} URL --jwks FILE`",
            problems=[Problem(f"city {claimed!r}", what, "iss", "a city in the peers list")],
        )
    claims = _opened(token, peers[claimed], REQUEST_TYPE, what)
    at = moment(now)
    if claims.get("aud") != me:
        raise BatchRefused(
            Refusal.UNKNOWN_PEER,
            f"federation request refused: it is addressed to {claims.get('aud')!r}, not {me}",
            problems=[Problem(repr(claims.get("aud")), what, "aud", me)],
        )
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp + CLOCK_SKEW.total_seconds() < at.timestamp():
        raise BatchRefused(
            Refusal.SIGNATURE,
            "federation request refused: the token has expired; sign a fresh one",
            problems=[Problem(f"exp {exp!r}", what, "exp", "a time in the future")],
        )
    return claimed


def claimed_issuer(token: str) -> str:
    """The ``iss`` a token claims, read before we know whose key to check it with (unverified)."""
    import jwt

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return ""
    return str(claims.get("iss", "")) if isinstance(claims, dict) else ""
