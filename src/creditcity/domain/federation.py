"""Federation rules: what crosses between cities, under which name, and when a batch is refused.

Only records of :data:`~creditcity.domain.catalogue.SHAREABLE_KINDS`
(court judgments and their satisfaction, proven fraud, credential fraud)
and retractions of them ever leave a city; consent-based records, scores and
every other kind stay home. A person travels under a *federation pseudonym*:
a keyed hash of the national ID with the secret every city of the federation
shares (``CREDITCITY_FEDERATION_SECRET``), distinct from each city's local
pseudonym key, so no city can join another's local pseudonyms.

A city publishes its shareable records as signed batches numbered 1, 2, 3...
Each batch names its issuer (``iss``), its number (``seq``) and the hash of
the batch before it (``prev``); a receiver accepts batch ``n`` from a peer
only when it holds batch ``n - 1`` and its hash, so a gap, a replay and a
rewritten feed are each refused (:func:`check_sequence`) before anything is
stored. Record contents are checked by :func:`record_problems`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, FIELD_TYPES, SHAREABLE_KINDS
from creditcity.errors import Problem, VerificationFailed

__all__ = [
    "BATCH_TYPE",
    "CHECKPOINT_TYPE",
    "FEDERATION_PREFIX",
    "REQUEST_TYPE",
    "BatchRefused",
    "Refusal",
    "WireRecord",
    "batch_hash",
    "check_sequence",
    "federation_pseudonym",
    "is_federation_pseudonym",
    "local_key",
    "parse_wire",
    "record_problems",
    "wire_record",
]

FEDERATION_PREFIX = "f_"
_FEDERATION_PSEUDONYM = re.compile(r"^f_[0-9a-f]{32}$")
#: JOSE ``typ`` of each signed document, so that none can pass for another
BATCH_TYPE = "creditcity-federation-batch+jwt"
CHECKPOINT_TYPE = "creditcity-audit-checkpoint+jwt"
REQUEST_TYPE = "creditcity-federation-request+jwt"
#: a received record's key is its origin city, ':' and its key at home (128 characters at most)
_KEY_LIMIT = 128
_RECORD_KEYS = frozenset({"kind", "source", "key", "subject", "occurred_at", "supersedes"})


class Refusal(StrEnum):
    """Why a batch (or a request for the feed) was refused; counted per peer."""

    UNKNOWN_PEER = "unknown_peer"
    SIGNATURE = "signature"
    GAP = "gap"
    REPLAY = "replay"
    FORK = "fork"
    RECORD = "record"
    UNREACHABLE = "unreachable"


class BatchRefused(VerificationFailed):
    """Raised when a peer's batch fails a check; ``reason`` names which (for the metrics)."""

    def __init__(self, reason: Refusal, message: str, *, problems: list[Problem]) -> None:
        super().__init__(message, problems=problems)
        self.reason = reason


def federation_pseudonym(national_id: str, secret: str) -> str:
    """The name a person travels under between cities; never a city's local pseudonym."""
    digest = hmac.new(
        secret.encode(), b"creditcity-federation:" + national_id.strip().encode(), hashlib.sha256
    )
    return FEDERATION_PREFIX + digest.hexdigest()[:32]


def is_federation_pseudonym(text: str) -> bool:
    return bool(_FEDERATION_PSEUDONYM.match(text))


def batch_hash(token: str) -> str:
    """The hash the next batch names as ``prev``: SHA-256 of the compact JWS text."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def local_key(city: str, key: str) -> str:
    """The idempotency key a record from ``city`` is kept under here.

    Prefixed with its city so it can never meet a local source's own key;
    hashed when the two together would not fit the ledger's column.
    """
    joined = f"{city}:{key}"
    if len(joined) <= _KEY_LIMIT:
        return joined
    return f"{city[:40]}:#{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass(frozen=True, slots=True)
class WireRecord:
    """A record as it crosses: the federation pseudonym and the catalogue fields of its kind."""

    kind: str
    source: str
    key: str
    subject: str
    occurred_at: datetime
    supersedes: str | None
    fields: Mapping[str, Any]


def wire_record(entry: Mapping[str, Any], federation_subject: str) -> dict[str, Any]:
    """The JSON a batch carries for one ledger entry (never its local pseudonym)."""
    kind = str(entry["kind"])
    allowed = CATALOGUE[kind].fields if kind in CATALOGUE else ()
    out: dict[str, Any] = {
        "kind": kind,
        "source": entry["source"],
        "key": entry["idempotency_key"],
        "subject": federation_subject,
        "occurred_at": entry["occurred_at"].isoformat(),
        "supersedes": entry.get("supersedes"),
    }
    for name in allowed:
        if entry.get(name) is not None:
            out[name] = entry[name]
    return out


def record_problems(record: Any, where: str) -> list[Problem]:
    """Why a received record may not be stored here (empty when it may)."""
    if not isinstance(record, Mapping):
        return [Problem("a record is not an object", where)]
    kind = record.get("kind")
    if kind in CONSENT_KINDS:
        return [Problem(f"consent-based kind '{kind}' never leaves its city", where, "kind")]
    if kind not in SHAREABLE_KINDS and kind != "retraction":
        return [
            Problem(
                f"kind '{kind}' is not shared between cities",
                where,
                "kind",
                "one of " + ", ".join(sorted(SHAREABLE_KINDS)) + " or retraction",
            )
        ]
    problems = [
        Problem(f"unknown field '{name}'", where, str(name))
        for name in record
        if name not in _RECORD_KEYS and name not in FIELD_TYPES
    ]
    if not is_federation_pseudonym(str(record.get("subject", ""))):
        problems.append(
            Problem("the subject is not a federation pseudonym", where, "subject", "f_ + 32 hex")
        )
    for name in ("source", "key", "occurred_at"):
        if not isinstance(record.get(name), str) or not record[name]:
            problems.append(Problem(f"'{name}' is missing", where, name))
    return problems


def parse_wire(record: Mapping[str, Any]) -> WireRecord:
    """A checked record (see :func:`record_problems`) as a typed value."""
    fields = {k: v for k, v in record.items() if k in FIELD_TYPES}
    return WireRecord(
        kind=str(record["kind"]),
        source=str(record["source"]),
        key=str(record["key"]),
        subject=str(record["subject"]),
        occurred_at=datetime.fromisoformat(str(record["occurred_at"])),
        supersedes=None if record.get("supersedes") is None else str(record["supersedes"]),
        fields=fields,
    )


def check_sequence(claims: Mapping[str, Any], *, peer: str, held_seq: int, held_hash: str) -> None:
    """Refuse a batch that is not the next one of ``peer``'s feed after what is held.

    ``held_seq`` is the last batch accepted from the peer (0 before any) and
    ``held_hash`` its :func:`batch_hash`. Raises :class:`BatchRefused`.
    """
    where = f"batch from {peer}"
    issuer = claims.get("iss")
    if issuer != peer:
        raise BatchRefused(
            Refusal.UNKNOWN_PEER,
            f"batch refused: it was issued by {issuer!r}, not by the peer {peer!r} it came from",
            problems=[Problem(f"issuer {issuer!r}", where, "iss", repr(peer))],
        )
    seq = claims.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise BatchRefused(
            Refusal.RECORD,
            "batch refused: it has no sequence number",
            problems=[Problem(f"seq {seq!r}", where, "seq", "a whole number from 1")],
        )
    if seq <= held_seq:
        raise BatchRefused(
            Refusal.REPLAY,
            f"batch {seq} from {peer} refused as a replay: batches up to {held_seq} are held",
            problems=[Problem(f"seq {seq} was already accepted", where, "seq", str(held_seq + 1))],
        )
    if seq > held_seq + 1:
        raise BatchRefused(
            Refusal.GAP,
            f"batch {seq} from {peer} refused: batches {held_seq + 1}..{seq - 1} are missing "
            f"(the next pull asks for them from {held_seq})",
            problems=[Problem(f"seq {seq} after {held_seq}", where, "seq", str(held_seq + 1))],
        )
    if claims.get("prev", "") != held_hash:
        raise BatchRefused(
            Refusal.FORK,
            f"batch {seq} from {peer} refused: it does not follow batch {held_seq} as held "
            "here (the peer's feed was rewritten)",
            problems=[Problem("prev does not match", where, "prev", held_hash[:16] or "empty")],
        )
