"""Credit certificates: a signed statement of a person's tier, and nothing more.

A certificate is a JWT (``alg`` EdDSA, header ``kid`` and ``typ``
:data:`CERTIFICATE_TYPE`) signed with the city's active key. Its claims are
exactly :data:`CLAIMS`:

- ``tier`` and ``city``: what the person chose to show. Never a score, a
  dimension, a record or a reason code: a landlord needs the tier, not the file.
- ``iss`` (``creditcity:<city>``), ``iat``, ``exp`` (at most
  :data:`~creditcity.rights.keystore.MAX_CERTIFICATE_TTL` later), ``jti``
  (random, for revocation).
- ``aud`` (optional): the one verifier it is for, e.g. ``landlord:anju``.
  Another verifier, or one who does not say who they are, is refused.
- ``hid`` (optional): a commitment binding it to the holder's ID card, see
  :mod:`creditcity.rights.holder`. No subject or pseudonym is ever included.

:func:`verify` works offline from a JWKS document (and, if the verifier holds
one, a signed revocation list) and raises
:class:`~creditcity.errors.VerificationFailed` whose message says why and
whose ``problems[0].field`` names the failing part: ``token`` (malformed),
``alg``, ``typ``, ``kid`` (unknown key), ``signature``, ``claims``, ``exp``
(expired), ``iat``, ``aud`` (wrong audience), ``jti`` (revoked), ``hid``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from creditcity.errors import InputRejected, Problem
from creditcity.rights._clock import CLOCK_SKEW, moment
from creditcity.rights.holder import HolderBinding, HolderProof, matches
from creditcity.rights.keystore import MAX_CERTIFICATE_TTL, KeyStore
from creditcity.rights.revocation import RevocationList, read_revocation_list
from creditcity.rights.signing import open_signed, reject, sign

__all__ = [
    "CERTIFICATE_TYPE",
    "CLAIMS",
    "DEFAULT_TTL",
    "CertificateClaims",
    "issue_certificate",
    "issuer_for",
    "verify",
]

CERTIFICATE_TYPE = "creditcity-certificate+jwt"
CLAIMS = frozenset({"iss", "city", "tier", "iat", "exp", "jti", "aud", "hid"})
DEFAULT_TTL = timedelta(days=30)
_WHAT = "certificate"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")


@dataclass(frozen=True, slots=True)
class CertificateClaims:
    """What a verified certificate says; ``holder_checked`` is True only when an ID was matched."""

    tier: str
    city: str
    issuer: str
    issued_at: datetime
    expires_at: datetime
    audience: str | None
    jti: str
    kid: str
    holder_bound: bool
    holder_checked: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "city": self.city,
            "issuer": self.issuer,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "audience": self.audience,
            "jti": self.jti,
            "kid": self.kid,
            "holder_bound": self.holder_bound,
            "holder_checked": self.holder_checked,
        }


def issuer_for(city: str) -> str:
    return f"creditcity:{city}"


def issue_certificate(
    keystore: KeyStore,
    *,
    tier: str,
    city: str,
    audience: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
    holder: HolderBinding | None = None,
) -> str:
    """Sign a certificate of ``tier`` in ``city``, valid for ``ttl`` from ``now``.

    The caller looks the tier up from the person's current score; nothing
    else about the person may be passed in, by design of this signature.
    """
    _check_names(tier=tier, city=city, audience=audience)
    if not timedelta(0) < ttl <= MAX_CERTIFICATE_TTL:
        raise InputRejected(
            "certificate lifetime out of range",
            problems=[
                Problem(
                    message=f"ttl {ttl} is not allowed",
                    field="ttl",
                    expected=f"more than 0 and at most {MAX_CERTIFICATE_TTL.days} days",
                )
            ],
        )
    issued = int(moment(now).timestamp())
    claims: dict[str, Any] = {
        "iss": issuer_for(city),
        "city": city,
        "tier": tier,
        "iat": issued,
        "exp": issued + int(ttl.total_seconds()),
        "jti": secrets.token_urlsafe(16),
    }
    if audience is not None:
        claims["aud"] = audience
    if holder is not None:
        claims["hid"] = holder.commitment
    return sign(keystore, claims, typ=CERTIFICATE_TYPE)


def _check_names(**names: str | None) -> None:
    problems = [
        Problem(
            message=f"{value!r} is not a valid {name}",
            field=name,
            expected="1-64 letters, digits or _ . : @ - (e.g. 'A', 'landlord:anju')",
        )
        for name, value in names.items()
        if value is not None and not _NAME.match(value)
    ]
    if problems:
        raise InputRejected("certificate fields rejected", problems=problems)


def verify(
    token: str,
    jwks: Mapping[str, Any],
    *,
    audience: str | None = None,
    revocations: RevocationList | str | None = None,
    now: datetime | None = None,
    holder: HolderProof | None = None,
) -> CertificateClaims:
    """The claims of ``token`` if it is a valid certificate for this verifier, now.

    ``audience`` is who the verifier is; ``revocations`` a signed revocation
    list (read and verified against the same ``jwks`` if given as text);
    ``holder`` the ID and holder code shown, checked against ``hid``.
    """
    at = moment(now)
    kid, raw = open_signed(token, jwks, typ=CERTIFICATE_TYPE, what=_WHAT)
    claims = _typed_claims(raw)
    _check_time(claims, at)
    _check_audience(claims.get("aud"), audience)
    if revocations is not None:
        if isinstance(revocations, str):
            revocations = read_revocation_list(revocations, jwks, now=at)
        if claims["jti"] in revocations.jtis:
            raise reject(
                _WHAT,
                "jti",
                f"revoked by its holder (jti {claims['jti']}, per the "
                f"revocation list of {revocations.issued_at.isoformat()})",
            )
    checked = _check_holder(claims.get("hid"), holder)
    return CertificateClaims(
        tier=claims["tier"],
        city=claims["city"],
        issuer=claims["iss"],
        issued_at=datetime.fromtimestamp(claims["iat"], UTC),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        audience=claims.get("aud"),
        jti=claims["jti"],
        kid=kid,
        holder_bound="hid" in claims,
        holder_checked=checked,
    )


def _typed_claims(raw: dict[str, Any]) -> dict[str, Any]:
    extra = sorted(set(raw) - CLAIMS)
    if extra:
        raise reject(
            _WHAT,
            "claims",
            f"carries claims beyond tier and validity: {', '.join(extra)}",
            expected=", ".join(sorted(CLAIMS)),
        )
    for name, kind in (
        ("iss", str),
        ("city", str),
        ("tier", str),
        ("jti", str),
        ("iat", int),
        ("exp", int),
        ("aud", str),
        ("hid", str),
    ):
        optional = name in ("aud", "hid")
        if (name not in raw and not optional) or (name in raw and type(raw[name]) is not kind):
            raise reject(
                _WHAT,
                "token",
                f"malformed: claim '{name}' is missing or not "
                f"{'a string' if kind is str else 'a whole number'}",
            )
    if raw["iss"] != issuer_for(raw["city"]):
        raise reject(
            _WHAT,
            "claims",
            f"issuer {raw['iss']!r} does not match city {raw['city']!r}",
            expected=issuer_for(raw["city"]),
        )
    return raw


def _check_time(claims: Mapping[str, Any], at: datetime) -> None:
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    issued = datetime.fromtimestamp(claims["iat"], UTC)
    if expires <= at:
        raise reject(
            _WHAT, "exp", f"expired at {expires.isoformat()}; ask the holder for a new certificate"
        )
    if issued > at + CLOCK_SKEW:
        raise reject(
            _WHAT,
            "iat",
            f"issued in the future ({issued.isoformat()}): "
            "the issuer's or the verifier's clock is wrong",
        )
    if expires - issued > MAX_CERTIFICATE_TTL:
        raise reject(
            _WHAT,
            "exp",
            f"valid for {expires - issued}, longer than any "
            f"certificate may be ({MAX_CERTIFICATE_TTL.days} days)",
        )


def _check_audience(issued_for: str | None, verifier: str | None) -> None:
    if issued_for is None or issued_for == verifier:
        return
    if verifier is None:
        raise reject(
            _WHAT,
            "aud",
            f"issued only for {issued_for!r}; a verifier must say "
            "who it is (--audience) and be that one",
            expected=issued_for,
        )
    raise reject(
        _WHAT,
        "aud",
        f"issued for {issued_for!r}, not for {verifier!r}",
        expected=f"a certificate issued for {verifier!r} or for any verifier",
    )


def _check_holder(commitment: str | None, proof: HolderProof | None) -> bool:
    if proof is None:
        return False
    if commitment is None:
        raise reject(
            _WHAT,
            "hid",
            "the certificate is not bound to a holder, so no ID can be checked against it",
        )
    if not matches(commitment, proof):
        raise reject(
            _WHAT, "hid", "the ID and holder code shown do not match the holder it was issued to"
        )
    return True
