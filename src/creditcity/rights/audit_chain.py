"""The audit log as a tamper-evident hash chain.

Every read and write of a person's file leaves one audit row. Each row's
``hash`` covers its own fields and the ``hash`` of the row before it, so
editing, deleting or reordering any stored row breaks the chain at that row
and :func:`verify_chain` names it. Anyone can recompute a hash by hand::

    hash = sha256(canonical(event) + prev_hash).hexdigest()

where ``canonical(event)`` is the UTF-8 JSON object of the eight event fields
(``seq, at, actor, role, purpose, action, subject, detail``) with sorted keys,
no whitespace (separators ``,`` and ``:``) and non-ASCII characters kept as
they are, and ``prev_hash`` is the previous row's hash as 64 lowercase hex
characters (:data:`GENESIS_HASH` for ``seq`` 1).

A chain alone cannot reveal that its newest rows were cut off, or that the
whole chain was rewritten and rehashed by someone who can write the table.
Publish the head (:attr:`ChainReport.head` with its ``seq``) from time to
time and pass it back as ``anchor`` to close both holes.

:func:`verify_chain` returns a :class:`ChainReport` rather than raising, so a
command can print the whole verdict; :func:`ensure_intact` raises
:class:`~creditcity.errors.VerificationFailed` for callers that only need a
yes or no.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from creditcity.errors import InputRejected, Problem, VerificationFailed

__all__ = [
    "GENESIS_HASH",
    "AuditEvent",
    "AuditRow",
    "Break",
    "ChainAnchor",
    "ChainReport",
    "canonical",
    "ensure_intact",
    "link",
    "seal",
    "seal_after",
    "seal_all",
    "verify_chain",
]

#: The ``prev_hash`` of the first row (``seq`` 1): there is nothing before it.
GENESIS_HASH = "0" * 64

#: The stored columns, in the order of the ledger table ``audit_log``.
COLUMNS = (
    "seq",
    "at",
    "actor",
    "role",
    "purpose",
    "action",
    "subject",
    "detail",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened, before it is chained: who did what, to whose file, and why.

    ``at`` is an ISO 8601 timestamp kept as text so that a database round trip
    cannot change its spelling (and with it the hash); build it with
    :meth:`timestamp`. ``subject`` is a pseudonym, or ``""`` when the action
    concerns no one person. ``detail`` must be JSON (no NaN, no datetimes).
    """

    seq: int
    at: str
    actor: str
    role: str
    purpose: str
    action: str
    subject: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def timestamp(moment: datetime) -> str:
        """The canonical spelling of a moment: ISO 8601 with microseconds and offset."""
        if moment.tzinfo is None:
            raise InputRejected(
                "audit timestamps must carry a time zone",
                problems=[
                    Problem(
                        message=f"{moment!r} is naive",
                        field="at",
                        expected="an aware datetime, e.g. datetime.now(UTC)",
                    )
                ],
            )
        return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One stored row of the ``audit_log`` table: an event plus its two hashes."""

    event: AuditEvent
    prev_hash: str
    hash: str

    @property
    def seq(self) -> int:
        return self.event.seq

    def as_record(self) -> dict[str, Any]:
        """The row as a flat dict keyed by :data:`COLUMNS` (``detail`` left a dict)."""
        e = self.event
        return {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "role": e.role,
            "purpose": e.purpose,
            "action": e.action,
            "subject": e.subject,
            "detail": dict(e.detail),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> AuditRow:
        """Rebuild a row from a database mapping; ``detail`` may be a dict or JSON text."""
        detail = record["detail"]
        if isinstance(detail, str | bytes):
            detail = json.loads(detail) if detail else {}
        event = AuditEvent(
            seq=int(record["seq"]),
            at=str(record["at"]),
            actor=str(record["actor"]),
            role=str(record["role"]),
            purpose=str(record["purpose"]),
            action=str(record["action"]),
            subject=str(record["subject"] or ""),
            detail=detail or {},
        )
        return cls(event=event, prev_hash=str(record["prev_hash"]), hash=str(record["hash"]))


def canonical(event: AuditEvent) -> bytes:
    """The exact bytes hashed for ``event`` (see the module docstring)."""
    body = {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "role": event.role,
        "purpose": event.purpose,
        "action": event.action,
        "subject": event.subject,
        "detail": dict(event.detail),
    }
    try:
        text = json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise InputRejected(
            "audit event detail is not plain JSON",
            problems=[
                Problem(
                    message=str(error),
                    where=f"audit seq {event.seq}",
                    field="detail",
                    expected="strings, numbers, booleans, null, lists and objects",
                )
            ],
        ) from error
    return text.encode("utf-8")


def link(prev_hash: str, event: AuditEvent) -> str:
    """The hash of ``event`` chained after a row whose hash is ``prev_hash``."""
    return hashlib.sha256(canonical(event) + prev_hash.encode("utf-8")).hexdigest()


def seal(prev: AuditRow | None, event: AuditEvent) -> AuditRow:
    """Chain ``event`` after ``prev`` (``None`` for the first row).

    Refuses a ``seq`` that does not follow ``prev``: the caller must hold the
    table's write lock (or a unique index on ``seq``) between reading the head
    and inserting, otherwise two writers would fork the chain.
    """
    expected = 1 if prev is None else prev.seq + 1
    if event.seq != expected:
        raise InputRejected(
            "audit event out of sequence",
            problems=[
                Problem(
                    message=f"seq {event.seq} cannot follow "
                    f"{'the genesis' if prev is None else f'seq {prev.seq}'}",
                    field="seq",
                    expected=str(expected),
                )
            ],
        )
    prev_hash = GENESIS_HASH if prev is None else prev.hash
    return AuditRow(event=event, prev_hash=prev_hash, hash=link(prev_hash, event))


def seal_all(events: Iterable[AuditEvent]) -> list[AuditRow]:
    """Chain a run of events from the genesis (tests, demos and re-imports)."""
    return seal_after(None, events)


def seal_after(prev: AuditRow | None, events: Iterable[AuditEvent]) -> list[AuditRow]:
    """Chain a run of events after ``prev`` (a batch appended under one lock)."""
    rows: list[AuditRow] = []
    last = prev
    for event in events:
        last = seal(last, event)
        rows.append(last)
    return rows


class Break(StrEnum):
    """How the chain was broken at the first bad row."""

    EDITED = "edited"  # the row's fields no longer match its own hash
    DELETED = "deleted"  # rows are missing: a gap in seq, or the newest rows cut off
    REORDERED = "reordered"  # a row stands where another seq belongs, which comes later
    DUPLICATED = "duplicated"  # a seq already seen appears again
    RELINKED = "relinked"  # prev_hash does not match the row before: it was rehashed
    REWRITTEN = "rewritten"  # the row at the published anchor has another hash


@dataclass(frozen=True, slots=True)
class ChainAnchor:
    """A published head: the hash the row ``seq`` had when it was published."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The verdict on a chain: intact, or where it first breaks and how.

    ``first_broken_seq`` is the seq that should stand at the first bad
    position (the rows before it are proven intact). ``head`` and ``count``
    describe the intact prefix, ready to be published as the next anchor.
    """

    intact: bool
    count: int
    head: str
    first_broken_seq: int | None = None
    kind: Break | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "count": self.count,
            "head": self.head,
            "first_broken_seq": self.first_broken_seq,
            "kind": None if self.kind is None else str(self.kind),
            "reason": self.reason,
        }


def verify_chain(rows: Iterable[AuditRow], *, anchor: ChainAnchor | None = None) -> ChainReport:
    """Recompute every link, in the order given (storage order, by ``seq``).

    Stops at the first broken row. Its expected seq, the kind of break and a
    sentence for the operator go into the report. ``anchor`` additionally
    detects a cut-off tail and a chain rewritten wholesale.
    """
    materialised = list(rows)
    later_seqs: dict[int, int] = {}
    for row in materialised:
        later_seqs[row.seq] = later_seqs.get(row.seq, 0) + 1
    seen: set[int] = set()
    prev_hash = GENESIS_HASH
    for position, row in enumerate(materialised):
        expected = position + 1
        broken = _check_row(row, expected, prev_hash, later_seqs, seen)
        if broken is not None:
            kind, reason = broken
            return ChainReport(False, position, prev_hash, expected, kind, reason)
        if anchor is not None and row.seq == anchor.seq and row.hash != anchor.hash:
            return ChainReport(
                False,
                position,
                prev_hash,
                expected,
                Break.REWRITTEN,
                f"seq {row.seq} has hash {row.hash[:12]}… but the published "
                f"anchor says {anchor.hash[:12]}…: rows up to seq {row.seq} "
                "were rewritten and rehashed",
            )
        later_seqs[row.seq] -= 1
        seen.add(row.seq)
        prev_hash = row.hash
    count = len(materialised)
    if anchor is not None and anchor.seq > count:
        return ChainReport(
            False,
            count,
            prev_hash,
            count + 1,
            Break.DELETED,
            f"the chain ends at seq {count} but seq {anchor.seq} was published: "
            f"rows {count + 1}..{anchor.seq} were deleted",
        )
    return ChainReport(True, count, prev_hash)


def _check_row(
    row: AuditRow, expected: int, prev_hash: str, later_seqs: dict[int, int], seen: set[int]
) -> tuple[Break, str] | None:
    """Why ``row`` cannot stand at position ``expected``, or ``None`` if it can."""
    if link(row.prev_hash, row.event) != row.hash:
        return Break.EDITED, (
            f"the row at seq {expected} does not match its own hash: "
            "a field, its prev_hash or its hash was edited"
        )
    if row.seq != expected:
        if row.seq in seen:
            return Break.DUPLICATED, f"seq {row.seq} appears again where seq {expected} belongs"
        if later_seqs.get(expected, 0) > 0:
            return Break.REORDERED, (
                f"seq {row.seq} stands where seq {expected} belongs; "
                f"seq {expected} comes later: rows were reordered"
            )
        missing = (
            f"seq {expected}" if row.seq == expected + 1 else f"seqs {expected}..{row.seq - 1}"
        )
        return Break.DELETED, f"{missing} missing: the chain jumps to seq {row.seq}"
    if row.prev_hash != prev_hash:
        return Break.RELINKED, (
            f"seq {expected} points to prev_hash {row.prev_hash[:12]}… but "
            f"seq {expected - 1} has hash {prev_hash[:12]}…: a row before "
            "was rewritten and rehashed, or deleted and renumbered"
        )
    return None


def ensure_intact(rows: Iterable[AuditRow], *, anchor: ChainAnchor | None = None) -> ChainReport:
    """Like :func:`verify_chain`, but raise :class:`VerificationFailed` on a break."""
    report = verify_chain(rows, anchor=anchor)
    if not report.intact:
        raise VerificationFailed(
            "the audit chain is broken",
            problems=[
                Problem(
                    message=report.reason,
                    where=f"audit seq {report.first_broken_seq}",
                    expected=f"an unbroken chain ({report.kind})",
                )
            ],
        )
    return report
