"""Binding a certificate to the person who shows it, without putting them in it.

A certificate names no one: not the national ID, not the pseudonym (the key
to the person's file, and the same on every certificate, so verifiers could
link them). Left at that, a certificate is a bearer token anyone could pass
on. So a holder may ask for it to be *bound*: the certificate then carries
``hid``, a salted SHA-256 commitment to their national ID, and the holder
alone receives the random salt (the "holder code"). Shown the ID card and
given the code, a verifier recomputes the commitment; without the code the
token reveals nothing about who holds it, and two certificates of the same
person do not match. The verifier learns nothing the ID card did not show.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from creditcity.rights.keystore import b64url

__all__ = ["HolderBinding", "HolderProof", "bind_holder", "matches"]


@dataclass(frozen=True, slots=True)
class HolderBinding:
    """What binding produces: ``commitment`` goes into the token, ``code`` to the holder only."""

    commitment: str
    code: str


@dataclass(frozen=True, slots=True)
class HolderProof:
    """What the holder shows a verifier: the ID on their card and the holder code."""

    national_id: str
    code: str


def _commit(national_id: str, code: str) -> str:
    # The ID is normalised the way it is printed (Chinese IDs may end in 'x' or 'X').
    data = code.encode("ascii") + b":" + national_id.strip().upper().encode("utf-8")
    return b64url(hashlib.sha256(data).digest())


def bind_holder(national_id: str) -> HolderBinding:
    """A fresh commitment to ``national_id`` with a random 128-bit code."""
    code = secrets.token_urlsafe(16)
    return HolderBinding(commitment=_commit(national_id, code), code=code)


def matches(commitment: str, proof: HolderProof) -> bool:
    """True when ``proof`` opens ``commitment`` (compared in constant time)."""
    try:
        candidate = _commit(proof.national_id, proof.code.strip())
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(candidate, commitment)
