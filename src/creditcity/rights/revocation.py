"""Revoked certificates: a register kept by the city, a signed list for verifiers.

A holder who shared a certificate and changed their mind revokes it by its
``jti``. The city keeps the revoked ids in a register (``revoked.json`` next to
its keys) and publishes them as a JWT (``typ`` :data:`REVOCATION_TYPE`,
claims ``iss``, ``city``, ``iat``, ``revoked``: the sorted list of ids) signed
with the same keys as certificates, so a verifier can hold the list offline
and trust it as far as it trusts the JWKS. The list says when it was made
(``iat``); how fresh a list a verifier demands is the verifier's choice.

Checking that the person revoking a ``jti`` is the one it was issued to is
the caller's job (the issuing service knows who received which certificate);
the register only records the revocation.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from creditcity.errors import InputRejected, Problem
from creditcity.rights._clock import CLOCK_SKEW, moment
from creditcity.rights.keystore import KeyStore
from creditcity.rights.signing import open_signed, reject, sign

__all__ = [
    "REVOCATION_TYPE",
    "RevocationList",
    "RevocationRegister",
    "read_revocation_list",
    "sign_revocation_list",
]

REVOCATION_TYPE = "creditcity-revocations+jwt"
_WHAT = "revocation list"
_JTI = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True, slots=True)
class RevocationList:
    """The revoked certificate ids a verifier holds, and when the city listed them."""

    jtis: frozenset[str]
    issued_at: datetime
    city: str = ""


def sign_revocation_list(
    keystore: KeyStore, jtis: Iterable[str], *, city: str, now: datetime | None = None
) -> str:
    """The revocation list as a JWT signed with the city's active key."""
    claims = {
        "iss": f"creditcity:{city}",
        "city": city,
        "iat": int(moment(now).timestamp()),
        "revoked": sorted(set(jtis)),
    }
    return sign(keystore, claims, typ=REVOCATION_TYPE)


def read_revocation_list(
    token: str, jwks: Mapping[str, Any], *, now: datetime | None = None
) -> RevocationList:
    """Verify a signed revocation list against ``jwks`` and return its ids."""
    _, claims = open_signed(token, jwks, typ=REVOCATION_TYPE, what=_WHAT)
    revoked = claims.get("revoked")
    issued = claims.get("iat")
    if not isinstance(revoked, list) or not all(isinstance(j, str) for j in revoked):
        raise reject(_WHAT, "revoked", "malformed: 'revoked' is not a list of ids")
    if type(issued) is not int:
        raise reject(_WHAT, "iat", "malformed: 'iat' is not a whole number")
    issued_at = datetime.fromtimestamp(issued, UTC)
    if issued_at > moment(now) + CLOCK_SKEW:
        raise reject(_WHAT, "iat", f"made in the future ({issued_at.isoformat()})")
    return RevocationList(frozenset(revoked), issued_at, str(claims.get("city", "")))


class RevocationRegister:
    """The city's register of revoked certificate ids, a JSON file in the key directory."""

    FILE = "revoked.json"

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / self.FILE

    def revoke(self, jti: str, *, now: datetime | None = None) -> bool:
        """Record ``jti`` as revoked; False if it already was (revoking twice is harmless)."""
        if not _JTI.match(jti):
            raise InputRejected(
                "not a certificate id",
                problems=[
                    Problem(
                        message=f"{jti[:80]!r} is not a jti",
                        field="jti",
                        expected="the 'jti' printed when the certificate was issued",
                    )
                ],
            )
        entries = self._entries()
        if any(e["jti"] == jti for e in entries):
            return False
        entries.append({"jti": jti, "revoked_at": moment(now).isoformat()})
        self._write(entries)
        return True

    def jtis(self) -> frozenset[str]:
        return frozenset(e["jti"] for e in self._entries())

    def _entries(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
            entries = body["revoked"]
            if not isinstance(entries, list):
                raise ValueError("'revoked' is not a list")
            return [{"jti": str(e["jti"]), "revoked_at": str(e["revoked_at"])} for e in entries]
        except (ValueError, KeyError, TypeError) as error:
            raise InputRejected(
                "the revocation register is damaged",
                problems=[
                    Problem(
                        message=str(error),
                        where=str(self.path),
                        expected='{"revoked": [{"jti": ..., "revoked_at": ...}]}',
                    )
                ],
            ) from error

    def _write(self, entries: list[dict[str, str]]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_name(self.FILE + ".tmp")
        temporary.write_text(json.dumps({"revoked": entries}, indent=2), encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
