"""Storage for decisions, their outcomes and the notices sent to people.

A decision row is written once and never updated. Whether a decision still
counts toward the person's exposure is *derived* from the ledger: it is
closed by a ``borrowing_returned`` or ``pay_later_paid`` entry whose ``ref``
is the decision id -- whether the provider reported it with ``creditcity
outcome`` or sent it in an import file. So the ledger stays the one system
of record and nothing has to be kept in step.

Every function runs inside the caller's transaction (a ``Connection`` from a
:class:`~creditcity.ledger.unit_of_work.UnitOfWork`) and is one statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Exists,
    ScalarSelect,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from creditcity.domain.catalogue import ADJUDICATED_KINDS
from creditcity.domain.records import ENTRY_COLUMNS
from creditcity.domain.restrictions import LIFTED_BY, AdjudicatedRecord
from creditcity.ledger.driver_statements import Write, write_together
from creditcity.ledger.entries import live_entries_query
from creditcity.ledger.exclusions import PENDING
from creditcity.ledger.pipelining import Later, Send, together
from creditcity.ledger.tables import (
    INDEXED_OUTCOME_KINDS,
    INDEXED_RESTRICTION_KINDS,
    decisions,
    disputes,
    entries,
    kind_in_index,
    notices,
    scores,
    subjects,
)

__all__ = [
    "CLOSING_KINDS",
    "DECISIONS_SOURCE",
    "OUTCOME_KINDS",
    "RESTRICTION_KINDS",
    "OutcomeEntry",
    "StoredDecision",
    "StoredNotice",
    "adjudicated_later",
    "adjudicated_records",
    "adjudicated_records_by_person",
    "adjudicated_records_by_subject",
    "adjudicated_records_of",
    "append_entries",
    "append_entry",
    "closed_at",
    "closed_by",
    "decisions_of",
    "exposure_later",
    "exposure_of",
    "get_decision",
    "insert_decision",
    "insert_decisions",
    "notices_of",
    "notify_once",
    "open_exposure",
    "outcome_entries",
    "score_for_decision",
    "to_money",
]

#: The source of the records creditcity itself writes about decisions.
DECISIONS_SOURCE = "creditcity:decisions"
#: Ledger kinds that end a borrowing or a pay-later charge and release its exposure.
CLOSING_KINDS = ("borrowing_returned", "pay_later_paid")
#: Every kind a provider reports about how a decision ended.
OUTCOME_KINDS = ("borrowing_returned", "borrowing_lost", "pay_later_paid", "pay_later_overdue")
#: The kinds restrictions are derived from: the triggers and what settles them.
RESTRICTION_KINDS = tuple(sorted(ADJUDICATED_KINDS | set(LIFTED_BY.values())))

_CENT = Decimal("0.01")


def to_money(value: float | None) -> Decimal:
    """A stored float amount as exact yuan and fen."""
    return Decimal(repr(float(value or 0.0))).quantize(_CENT)


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """One decision as stored: what was asked, by whom, why, and what was granted."""

    decision_id: str
    subject: str
    service: str
    amount: Decimal
    purpose: str
    requested_by: str
    decided_at: datetime
    approved: bool
    waived_amount: Decimal
    credit_line: Decimal
    tier: str | None
    score: int | None
    reasons: list[dict[str, Any]]
    restrictions: list[dict[str, Any]]
    model_version: str | None
    policy_version: str

    @property
    def granted(self) -> Decimal:
        return self.waived_amount + self.credit_line


@dataclass(frozen=True, slots=True)
class OutcomeEntry:
    """A ledger entry that reports how a decision ended."""

    source: str
    idempotency_key: str
    kind: str
    occurred_at: datetime
    days_late: int | None


@dataclass(frozen=True, slots=True)
class StoredNotice:
    notice_id: int
    subject: str
    created_at: datetime
    kind: str
    reference: str | None
    text: str


# --- decisions --------------------------------------------------------------


_DECISION_INSERT = insert(decisions).inline()  # no RETURNING: pipelined without waiting
_SCORE_OF = (
    select(scores.c.score, scores.c.model_version, scores.c.reasons)
    .where(scores.c.subject == bindparam("subject"))
    .order_by(scores.c.score_id.desc())
    .limit(1)
)


def insert_decision(conn: Connection, values: Mapping[str, Any]) -> None:
    """Store one decision (keys: the columns of ``decisions``)."""
    conn.execute(_DECISION_INSERT, dict(values))


def insert_decisions(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store a batch of decisions in one statement."""
    write_together(conn, decision_writes(rows))


def decision_writes(rows: Sequence[Mapping[str, Any]]) -> list[Write]:
    """What :func:`insert_decisions` writes, to go with other writes (``write_together``)."""
    return [(_DECISION_INSERT, rows)]


def score_for_decision(conn: Connection, subject: str) -> tuple[int, str, list[Any]] | None:
    """The current score's value, model version and reasons; None for a thin file.

    The narrow twin of :func:`creditcity.ledger.scores.current_score` (same rule:
    the newest row is current) for the decision's hot path, which needs three
    columns and a statement built once.
    """
    row = conn.execute(_SCORE_OF, {"subject": subject}).first()
    return None if row is None else (int(row[0]), str(row[1]), list(row[2]))


def _stored(row: Any) -> StoredDecision:
    m = row._mapping
    return StoredDecision(
        decision_id=m["decision_id"],
        subject=m["subject"],
        service=m["service"],
        amount=to_money(m["amount"]),
        purpose=m["purpose"],
        requested_by=m["requested_by"],
        decided_at=m["decided_at"],
        approved=bool(m["approved"]),
        waived_amount=to_money(m["waived_amount"]),
        credit_line=to_money(m["credit_line"]),
        tier=m["tier"],
        score=m["score"],
        reasons=list(m["reasons"]),
        restrictions=list(m["restrictions"]),
        model_version=m["model_version"],
        policy_version=m["policy_version"],
    )


def get_decision(conn: Connection, decision_id: str) -> StoredDecision | None:
    row = conn.execute(select(decisions).where(decisions.c.decision_id == decision_id)).first()
    return _stored(row) if row is not None else None


def decisions_of(conn: Connection, subject: str) -> list[StoredDecision]:
    """Every decision made about a person, oldest first (for their access report)."""
    query = (
        select(decisions)
        .where(decisions.c.subject == subject)
        .order_by(decisions.c.decided_at, decisions.c.decision_id)
    )
    return [_stored(r) for r in conn.execute(query)]


def closed_by(kinds: Sequence[str] = CLOSING_KINDS) -> Exists:
    """``EXISTS`` an entry of ``kinds`` that reports on the decision of the outer row.

    Only the provider that got the decision reports on it: the entry's source
    is that provider, or creditcity itself writing the provider's report
    (:data:`DECISIONS_SOURCE`). A record from anyone else that names the
    decision as its ``ref`` stays a record about the person and closes nothing.
    """
    outcome = entries.alias("outcome")
    return exists().where(
        outcome.c.subject == decisions.c.subject,
        outcome.c.ref == decisions.c.decision_id,
        kind_in_index(outcome.c.kind, INDEXED_OUTCOME_KINDS),
        outcome.c.kind.in_(kinds),
        outcome.c.source.in_([decisions.c.requested_by, literal(DECISIONS_SOURCE)]),
    )


def closed_at(kinds: Sequence[str] = CLOSING_KINDS) -> ScalarSelect[Any]:
    """When the outer row's decision was first closed by an entry of ``kinds`` (the
    ``occurred_at`` its provider reported), NULL while open; the same reports as
    :func:`closed_by`."""
    outcome = entries.alias("outcome")
    return (
        select(func.min(outcome.c.occurred_at))
        .where(
            outcome.c.subject == decisions.c.subject,
            outcome.c.ref == decisions.c.decision_id,
            kind_in_index(outcome.c.kind, INDEXED_OUTCOME_KINDS),
            outcome.c.kind.in_(kinds),
            outcome.c.source.in_([decisions.c.requested_by, literal(DECISIONS_SOURCE)]),
        )
        .scalar_subquery()
    )


# Hot-path statements are built once, with the subject as a bound parameter:
# building a SQLAlchemy expression with aliases costs more than running it.
_EXPOSURE = (
    select(decisions.c.service, func.sum(decisions.c.waived_amount + decisions.c.credit_line))
    .where(decisions.c.approved.is_(True), ~closed_by())
    .group_by(decisions.c.service)
)
_EXPOSURE_OF = _EXPOSURE.where(decisions.c.subject == bindparam("subject"))
_EXPOSURE_AT = _EXPOSURE_OF.where(decisions.c.requested_by == bindparam("provider"))
_EXPOSURE_OF_MANY = (
    select(
        decisions.c.subject,
        decisions.c.service,
        func.sum(decisions.c.waived_amount + decisions.c.credit_line),
    )
    .where(
        decisions.c.approved.is_(True),
        ~closed_by(),
        decisions.c.subject.in_(bindparam("subjects", expanding=True)),
    )
    .group_by(decisions.c.subject, decisions.c.service)
)


def open_exposure(
    conn: Connection, subject: str | None = None, *, provider: str | None = None
) -> dict[str, Decimal]:
    """Granted amounts not yet returned or paid, per service (one person, or everyone).

    With ``provider``, only what that provider granted (an outcome answer shows
    a provider its own exposure and nobody else's). Includes fee waivers, which
    the policy never counts as owed; the domain's ``decide`` and the stats
    leave those out using the policy.
    """
    if subject is None:
        result = conn.execute(_EXPOSURE)
    elif provider is None:
        result = conn.execute(_EXPOSURE_OF, {"subject": subject})
    else:
        result = conn.execute(_EXPOSURE_AT, {"subject": subject, "provider": provider})
    return {service: to_money(total) for service, total in result}


def exposure_of(conn: Connection, people: Sequence[str]) -> dict[str, dict[str, Decimal]]:
    """Open exposure per service of each of ``people`` (one statement for a batch)."""
    with together(conn) as send:
        return exposure_later(send, people)()


def exposure_later(send: Send, people: Sequence[str]) -> Later[dict[str, dict[str, Decimal]]]:
    """:func:`exposure_of`, sent now and read when called (see ``ledger.pipelining``)."""
    pending = send(_EXPOSURE_OF_MANY, {"subjects": list(people)}) if people else None

    def read() -> dict[str, dict[str, Decimal]]:
        found: dict[str, dict[str, Decimal]] = {}
        for subject, service, total in pending() if pending else ():
            found.setdefault(subject, {})[service] = to_money(total)
        return found

    return read


# --- ledger entries ---------------------------------------------------------

_ADJUDICATED = (
    live_entries_query()
    .with_only_columns(
        entries.c.subject,
        entries.c.kind,
        entries.c.source,
        entries.c.ref,
        entries.c.occurred_at,
    )
    .where(
        kind_in_index(entries.c.kind, INDEXED_RESTRICTION_KINDS),
        entries.c.kind.in_(RESTRICTION_KINDS),
        ~exists().where(disputes.c.entry_id == entries.c.entry_id, disputes.c.status == PENDING),
    )
)
_ADJUDICATED_OF = _ADJUDICATED.where(entries.c.subject == bindparam("subject"))
_ADJUDICATED_OF_MANY = _ADJUDICATED.where(
    entries.c.subject.in_(bindparam("subjects", expanding=True))
)


def adjudicated_records_of(
    conn: Connection, people: Sequence[str]
) -> dict[str, list[AdjudicatedRecord]]:
    """:func:`adjudicated_records` of each of ``people`` who has any (one statement)."""
    with together(conn) as send:
        return adjudicated_later(send, people)()


def adjudicated_later(
    send: Send, people: Sequence[str]
) -> Later[dict[str, list[AdjudicatedRecord]]]:
    """:func:`adjudicated_records_of`, sent now and read when called."""
    pending = send(_ADJUDICATED_OF_MANY, {"subjects": list(people)}) if people else None

    def read() -> dict[str, list[AdjudicatedRecord]]:
        found: dict[str, list[AdjudicatedRecord]] = {}
        for subj, kind, source, ref, occurred in pending() if pending else ():
            found.setdefault(subj, []).append(AdjudicatedRecord(kind, source, ref or "", occurred))
        return found

    return read


def adjudicated_records(conn: Connection, subject: str) -> list[AdjudicatedRecord]:
    """A person's live court judgments, satisfactions and proven fraud, in ledger order.

    Live means not retracted or superseded; an entry under a pending dispute
    is left out, so a disputed judgment restricts nobody while it is reviewed.
    """
    return [record for _, record in adjudicated_records_by_subject(conn, subject)]


def adjudicated_records_by_subject(
    conn: Connection, subject: str | None = None
) -> list[tuple[str, AdjudicatedRecord]]:
    """As :func:`adjudicated_records`, each paired with its subject; everyone's if None."""
    result = (
        conn.execute(_ADJUDICATED)
        if subject is None
        else conn.execute(_ADJUDICATED_OF, {"subject": subject})
    )
    return [
        (subj, AdjudicatedRecord(kind, source, ref or "", occurred))
        for subj, kind, source, ref, occurred in result
    ]


def adjudicated_records_by_person(conn: Connection) -> dict[str, list[AdjudicatedRecord]]:
    """Everyone's :func:`adjudicated_records`, per person (what city-wide figures read)."""
    found: dict[str, list[AdjudicatedRecord]] = {}
    for subject, record in adjudicated_records_by_subject(conn):
        found.setdefault(subject, []).append(record)
    return found


_OUTCOMES_OF = (
    select(
        entries.c.source,
        entries.c.idempotency_key,
        entries.c.kind,
        entries.c.occurred_at,
        entries.c.days_late,
    )
    .where(
        entries.c.subject == bindparam("subject"),
        entries.c.ref == bindparam("ref"),
        entries.c.kind.in_(OUTCOME_KINDS),
        entries.c.source.in_(bindparam("sources", expanding=True)),
    )
    .order_by(entries.c.entry_id)
)


def outcome_entries(conn: Connection, decision: StoredDecision) -> list[OutcomeEntry]:
    """Every outcome the deciding provider already reported for a decision, oldest first.

    Records from other sources that cite the decision are not its outcomes
    (see :func:`closed_by`).
    """
    sources = [decision.requested_by, DECISIONS_SOURCE]
    values = {"subject": decision.subject, "ref": decision.decision_id, "sources": sources}
    return [OutcomeEntry(*row) for row in conn.execute(_OUTCOMES_OF, values)]


def _entry_insert(dialect_insert: Any) -> Any:
    return (
        dialect_insert(entries)
        .on_conflict_do_nothing(index_elements=["source", "idempotency_key"])
        .returning(entries.c.entry_id)
    )


_ENTRY_INSERT = {"postgresql": _entry_insert(pg_insert), "sqlite": _entry_insert(sqlite_insert)}
_ENTRY_INSERT_MANY = {
    name: dialect_insert(entries)
    .on_conflict_do_nothing(index_elements=["source", "idempotency_key"])
    .inline()  # no RETURNING of the new id: a pipelined batch does not wait for it
    for name, dialect_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_SUBJECT_INSERT = {
    "postgresql": pg_insert(subjects).on_conflict_do_nothing().inline(),
    "sqlite": sqlite_insert(subjects).on_conflict_do_nothing(),
}


def append_entries(
    conn: Connection, rows: Sequence[Sequence[object]], received_at: datetime
) -> None:
    """Append validated entries whose keys are new (a batch's waivers), one statement each.

    Keys already present are skipped by the same idempotency rule as
    :func:`append_entry`; the people are registered as first seen now unless known.
    """
    write_together(conn, entry_writes(conn.dialect.name, rows, received_at))


def entry_writes(
    dialect: str, rows: Sequence[Sequence[object]], received_at: datetime
) -> list[Write]:
    """What :func:`append_entries` writes on ``dialect``, to go with other writes."""
    if not rows:
        return []
    values = []
    for row in rows:
        value = dict(zip(ENTRY_COLUMNS, row, strict=True))
        value["received_at"] = received_at
        values.append(value)
    people = {v["subject"]: v["city"] for v in values}
    first_seen = [
        {"subject": s, "home_city": c, "first_seen_at": received_at} for s, c in people.items()
    ]
    return [(_ENTRY_INSERT_MANY[dialect], values), (_SUBJECT_INSERT[dialect], first_seen)]


def append_entry(conn: Connection, row: Sequence[object], received_at: datetime) -> bool:
    """Append one validated entry (``ENTRY_COLUMNS`` order); False if it was a duplicate.

    The single-row twin of :func:`creditcity.ledger.entries.append_batch`, with
    the same idempotency rule (``source``, ``idempotency_key``), but one
    statement instead of a staged COPY: decisions write one row at a time on
    the hot path. Validate the row with ``domain.records.validate_row`` first.
    """
    values = dict(zip(ENTRY_COLUMNS, row, strict=True))
    values["received_at"] = received_at
    dialect = conn.dialect.name
    # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT ... RETURNING
    if conn.execute(_ENTRY_INSERT[dialect], values).first() is None:
        return False
    first_seen = {
        "subject": values["subject"],
        "home_city": values["city"],
        "first_seen_at": received_at,
    }
    conn.execute(_SUBJECT_INSERT[dialect], first_seen)
    return True


# --- notices ----------------------------------------------------------------


_NOTICE_INSERT = {
    name: dialect_insert(notices)
    .values({c: bindparam(c) for c in ("subject", "kind", "reference", "text", "created_at")})
    .on_conflict_do_nothing(index_elements=["subject", "kind", "reference"])
    .returning(notices.c.notice_id)
    for name, dialect_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def notify_once(
    conn: Connection, *, subject: str, kind: str, reference: str, text: str, created_at: datetime
) -> bool:
    """Store a notice unless one of this kind and reference exists; True if it is new."""
    values = {
        "subject": subject,
        "kind": kind,
        "reference": reference,
        "text": text,
        "created_at": created_at,
    }
    with together(conn) as send:  # inside a batch's pipeline: a read, not SQLAlchemy's
        return bool(send(_NOTICE_INSERT[conn.dialect.name], values)())


def notices_of(conn: Connection, subject: str) -> list[StoredNotice]:
    """The notices sent to a person, oldest first."""
    query = select(notices).where(notices.c.subject == subject).order_by(notices.c.notice_id)
    return [StoredNotice(**dict(r._mapping)) for r in conn.execute(query)]
