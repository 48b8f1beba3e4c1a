"""Subjects are pseudonyms: a keyed HMAC of the national ID.

Raw national IDs never reach storage or logs: they are turned into a
pseudonym at the edge (file import, CLI argument, HTTP body) with the
deployment's secret, so a leaked database cannot be joined to other data by ID.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from creditcity.errors import InputRejected, Problem

PSEUDONYM_PREFIX = "p_"
_PSEUDONYM = re.compile(r"^p_[0-9a-f]{32}$")
_NATIONAL_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{4,31}$")
NATIONAL_ID_FORM = "5 to 32 letters, digits or '-' (e.g. 330106199001011234)"


def is_pseudonym(text: str) -> bool:
    return bool(_PSEUDONYM.match(text))


def is_national_id(text: str) -> bool:
    return bool(_NATIONAL_ID.match(text)) and not is_pseudonym(text)


def pseudonymise(national_id: str, secret: str) -> str:
    """The subject's pseudonym; the same ID and secret always give the same one."""
    digest = hmac.new(secret.encode(), national_id.strip().encode(), hashlib.sha256)
    return PSEUDONYM_PREFIX + digest.hexdigest()[:32]


def resolve_subject(identifier: str, secret: str) -> str:
    """Accept a pseudonym as is, or pseudonymise a national ID; reject anything else."""
    text = identifier.strip()
    if is_pseudonym(text):
        return text
    if is_national_id(text):
        return pseudonymise(text, secret)
    raise InputRejected(
        "not a subject",
        problems=[
            Problem(
                message=f"'{identifier[:40]}' is neither a national ID nor a pseudonym",
                field="subject",
                expected=f"a national ID ({NATIONAL_ID_FORM}) or a pseudonym 'p_' + 32 hex",
            )
        ],
    )
