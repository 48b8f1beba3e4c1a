"""Storage of disputes and of the messages that tell a source about them.

A dispute row is operational state: it is opened ``pending`` (or ``review``,
queued for the office when a person opens many at once), and closed once, to
``upheld`` or ``rejected``, by :func:`close_dispute`, whose ``WHERE status IN
('pending', 'review')`` makes a double resolution impossible even for two
operators at the same moment. The outcome that matters for the file itself is not here: an
upheld dispute is a retraction entry in the ledger, written by the service.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from creditcity.ledger.exclusions import PENDING
from creditcity.ledger.tables import disputes, entries, outbox

UPHELD = "upheld"
REJECTED = "rejected"
#: queued for the office's review: the record keeps counting, and the deadline upholds nothing
REVIEW = "review"
OPEN = (PENDING, REVIEW)
STATUSES = (PENDING, REVIEW, UPHELD, REJECTED)
#: beyond this many people, overdue disputes are read city-wide and filtered here: an
#: import batch names tens of thousands, and a list that long costs more than the filter
FILTERED_IN_SQL = 1_000


@dataclass(frozen=True, slots=True)
class DisputeRow:
    dispute_id: int
    subject: str
    entry_id: int
    statement: str
    opened_at: datetime
    deadline: datetime
    status: str
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    #: the disputed record, as the office's queue shows it (None where it is not read)
    record_kind: str | None = None
    record_date: datetime | None = None
    record_source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id,
            "subject": self.subject,
            "entry_id": self.entry_id,
            "statement": self.statement,
            "opened_at": self.opened_at.isoformat(),
            "deadline": self.deadline.isoformat(),
            "status": self.status,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "resolved_by": self.resolved_by,
            "resolution": self.resolution,
            "record_kind": self.record_kind,
            "record_date": self.record_date.isoformat() if self.record_date else None,
            "record_source": self.record_source,
        }


def _row(record: Any) -> DisputeRow:
    m = record._mapping
    return DisputeRow(
        dispute_id=int(m["dispute_id"]),
        subject=m["subject"],
        entry_id=int(m["entry_id"]),
        statement=m["statement"],
        opened_at=m["opened_at"],
        deadline=m["deadline"],
        status=m["status"],
        resolved_at=m["resolved_at"],
        resolved_by=m["resolved_by"],
        resolution=m["resolution"],
        record_kind=m.get("record_kind"),
        record_date=m.get("record_date"),
        record_source=m.get("record_source"),
    )


def entry(conn: Connection, entry_id: int, *, lock: bool = False) -> Mapping[str, Any] | None:
    """One ledger entry by id; ``lock`` holds its row (PostgreSQL) so two disputes of
    the same entry are opened one after the other, never side by side."""
    query = select(entries).where(entries.c.entry_id == entry_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = conn.execute(query).first()
    return dict(found._mapping) if found is not None else None


def superseding(conn: Connection, source: str, idempotency_key: str) -> list[Mapping[str, Any]]:
    """Entries of the same source that correct or retract the entry with this key."""
    query = (
        select(entries.c.entry_id, entries.c.kind, entries.c.idempotency_key)
        .where(and_(entries.c.source == source, entries.c.supersedes == idempotency_key))
        .order_by(entries.c.entry_id)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def insert_dispute(
    conn: Connection,
    *,
    subject: str,
    entry_id: int,
    statement: str,
    opened_at: datetime,
    deadline: datetime,
    status: str = PENDING,
) -> int:
    result = conn.execute(
        insert(disputes),
        {
            "subject": subject,
            "entry_id": entry_id,
            "statement": statement,
            "opened_at": opened_at,
            "deadline": deadline,
            "status": status,
        },
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def get(conn: Connection, dispute_id: int) -> DisputeRow | None:
    found = conn.execute(select(disputes).where(disputes.c.dispute_id == dispute_id)).first()
    return _row(found) if found is not None else None


def of_entry(conn: Connection, entry_id: int) -> list[DisputeRow]:
    query = select(disputes).where(disputes.c.entry_id == entry_id).order_by(disputes.c.dispute_id)
    return [_row(r) for r in conn.execute(query)]


def listed(
    conn: Connection,
    *,
    subject: str | None = None,
    status: str | Sequence[str] | None = None,
) -> list[DisputeRow]:
    """Disputes, oldest first, optionally of one person and/or in some statuses, each with
    the kind, date and source of the record it disputes."""
    query = (
        select(
            disputes,
            entries.c.kind.label("record_kind"),
            entries.c.occurred_at.label("record_date"),
            entries.c.source.label("record_source"),
        )
        .select_from(disputes.outerjoin(entries, entries.c.entry_id == disputes.c.entry_id))
        .order_by(disputes.c.dispute_id)
    )
    if subject is not None:
        query = query.where(disputes.c.subject == subject)
    if isinstance(status, str):
        query = query.where(disputes.c.status == status)
    elif status is not None:
        query = query.where(disputes.c.status.in_(list(status)))
    return [_row(r) for r in conn.execute(query)]


def opened_by(conn: Connection, subject: str, since: datetime) -> tuple[int, list[datetime]]:
    """How many disputes ``subject`` has open now, and when each of those opened since
    ``since`` was opened (oldest first): what the per-person limits count."""
    open_now = conn.execute(
        select(func.count())
        .select_from(disputes)
        .where(and_(disputes.c.subject == subject, disputes.c.status.in_(OPEN)))
    ).scalar_one()
    recent = conn.execute(
        select(disputes.c.opened_at)
        .where(and_(disputes.c.subject == subject, disputes.c.opened_at >= since))
        .order_by(disputes.c.opened_at)
    )
    return int(open_now), [r[0] for r in recent]


def earliest_pending_deadline(conn: Connection) -> datetime | None:
    """The soonest deadline of any pending dispute (None when none is pending)."""
    query = select(func.min(disputes.c.deadline)).where(disputes.c.status == PENDING)
    found: datetime | None = conn.execute(query).scalar()
    return found


def overdue(
    conn: Connection, now: datetime, subjects: Collection[str] | None = None
) -> list[DisputeRow]:
    """Pending disputes whose deadline has passed (of ``subjects`` only, if given)."""
    query = (
        select(disputes)
        .where(and_(disputes.c.status == PENDING, disputes.c.deadline < now))
        .order_by(disputes.c.dispute_id)
    )
    if subjects is None:
        return [_row(r) for r in conn.execute(query)]
    if len(subjects) > FILTERED_IN_SQL:  # an import's batch: the city's overdue ones are few
        wanted = set(subjects)
        return [_row(r) for r in conn.execute(query) if r.subject in wanted]
    return [_row(r) for r in conn.execute(query.where(disputes.c.subject.in_(sorted(subjects))))]


def close_dispute(
    conn: Connection,
    dispute_id: int,
    *,
    status: str,
    resolved_at: datetime,
    resolved_by: str,
    resolution: str,
) -> bool:
    """Close an open dispute; False if it was not open (someone closed it first)."""
    result = conn.execute(
        update(disputes)
        .where(and_(disputes.c.dispute_id == dispute_id, disputes.c.status.in_(OPEN)))
        .values(
            status=status, resolved_at=resolved_at, resolved_by=resolved_by, resolution=resolution
        )
    )
    return result.rowcount == 1


def enqueue(
    conn: Connection, *, topic: str, recipient: str, payload: Mapping[str, Any], at: datetime
) -> None:
    """Leave a message for ``recipient`` (a source) in the outbox, in the same transaction."""
    conn.execute(
        insert(outbox),
        {"created_at": at, "topic": topic, "recipient": recipient, "payload": dict(payload)},
    )


def messages(conn: Connection, *, recipient: str | None = None) -> list[Mapping[str, Any]]:
    """Outbox messages, oldest first (what a source would be sent)."""
    query = select(outbox).order_by(outbox.c.message_id)
    if recipient is not None:
        query = query.where(outbox.c.recipient == recipient)
    return [dict(r._mapping) for r in conn.execute(query)]
