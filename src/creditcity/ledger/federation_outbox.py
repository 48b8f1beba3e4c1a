"""The federation outbox: shareable entries captured as they commit, published as numbered batches.

:func:`capture` runs inside the transaction that appends entries (the
:class:`~creditcity.ledger.entries.EntryAppender` calls it), so an entry and
its outbox row commit together or not at all: a transactional outbox.
:func:`publish` later takes every unpublished row in commit order and
makes the next batch (``seq`` = last + 1, ``prev`` = last batch's hash); one
publisher at a time (a PostgreSQL advisory lock; SQLite has one writer), so
batch numbers have no gaps. Rows whose entries came from a peer, or whose
person has no federation pseudonym here, are published as skipped: they are
never re-sent, and never sent back where they came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, String, and_, cast, func, literal, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from creditcity.domain.catalogue import SHAREABLE_KINDS
from creditcity.domain.federation import batch_hash, wire_record
from creditcity.ledger.tables import (
    audit_log,
    entries,
    federation_batches,
    federation_cursors,
    federation_links,
    federation_outbox,
    federation_records,
    outbox,
)

__all__ = ["Published", "capture", "capture_disputes", "feed", "last_batch", "publish"]

#: kinds the feed carries; a tuple, made an Arrow array where it is used (``pa.array`` of a
#: list imports pandas to check for its types: ~1 s at the start of every command)
_CAPTURED = tuple(sorted(SHAREABLE_KINDS | {"retraction"}))
_PUBLISH_LOCK = 7_411_505
#: the cursor row under which this city remembers how far it scanned its dispute outbox
DISPUTE_SCAN = "#disputes"


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def capture(conn: Connection, batch: pa.Table, now: datetime) -> int:
    """Queue this batch's shareable entries (and retractions) for the feed; returns how many."""
    keep = pc.is_in(batch["kind"], value_set=pa.array(_CAPTURED, pa.string()))
    if not pc.any(keep).as_py():
        return 0
    chosen = batch.filter(keep)
    keys = list(
        zip(chosen["source"].to_pylist(), chosen["idempotency_key"].to_pylist(), strict=True)
    )
    rows = select(
        (literal("entry:") + cast(entries.c.entry_id, String)).label("origin"),
        entries.c.entry_id,
        literal(now).label("created_at"),
    ).where(tuple_(entries.c.source, entries.c.idempotency_key).in_(keys))
    statement = (
        _insert(conn)(federation_outbox)
        .from_select(["origin", "entry_id", "created_at"], rows)
        .on_conflict_do_nothing()
    )
    return int(conn.execute(statement).rowcount or 0)


def capture_disputes(conn: Connection, now: datetime) -> int:
    """Queue disputes opened here about records that came from a peer (routed to it)."""
    done = conn.execute(
        select(federation_cursors.c.seq).where(federation_cursors.c.peer == DISPUTE_SCAN)
    ).scalar()
    after = int(done or 0)
    rows = conn.execute(
        select(outbox.c.message_id, outbox.c.recipient, outbox.c.payload)
        .where(outbox.c.message_id > after, outbox.c.topic == "dispute.opened")
        .order_by(outbox.c.message_id)
    ).all()
    if not rows:
        return 0
    values = [
        {"origin": f"dispute:{message_id}", "entry_id": None, "created_at": now}
        for message_id, _, _ in rows
    ]
    conn.execute(_insert(conn)(federation_outbox).on_conflict_do_nothing(), values)
    last = int(rows[-1][0])
    cursor = _insert(conn)(federation_cursors).values(
        peer=DISPUTE_SCAN, seq=last, hash="", updated_at=now
    )
    conn.execute(
        cursor.on_conflict_do_update(index_elements=["peer"], set_={"seq": last, "updated_at": now})
    )
    return len(rows)


@dataclass(frozen=True, slots=True)
class Published:
    """A batch just made: its number, its signed text and what it carries."""

    seq: int
    token: str
    records: int
    disputes: int
    skipped: int


def last_batch(conn: Connection) -> tuple[int, str, datetime | None]:
    """(seq, hash, made at) of the newest published batch; (0, "", None) before any."""
    row = conn.execute(
        select(federation_batches.c.seq, federation_batches.c.hash, federation_batches.c.created_at)
        .order_by(federation_batches.c.seq.desc())
        .limit(1)
    ).first()
    return (0, "", None) if row is None else (int(row[0]), str(row[1]), row[2])


def audit_head(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the newest audit row; (0, "") for an empty log."""
    row = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return (0, "") if row is None else (int(row[0]), str(row[1]))


Signer = Callable[[Mapping[str, Any]], str]


def publish(
    conn: Connection,
    *,
    city: str,
    signer: Signer,
    checkpoint: Callable[[int, str, bool], str | None],
    now: datetime,
    limit: int,
) -> Published | None:
    """Make the next batch from unpublished outbox rows, or None when there is nothing to say.

    ``checkpoint(seq, hash, has_rows)`` returns a signed audit checkpoint for
    the current head, or None when none is due; a batch is made when there are
    rows to publish or a checkpoint is due.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PUBLISH_LOCK})
    pending = conn.execute(
        select(
            federation_outbox.c.message_id, federation_outbox.c.origin, federation_outbox.c.entry_id
        )
        .where(federation_outbox.c.batch_seq.is_(None))
        .order_by(federation_outbox.c.message_id)
        .limit(limit)
    ).all()
    head_seq, head_hash = audit_head(conn)
    signed_checkpoint = checkpoint(head_seq, head_hash, bool(pending)) if head_seq else None
    if not pending and signed_checkpoint is None:
        return None
    records = _records(conn, [int(r[2]) for r in pending if r[2] is not None])
    disputes = _disputes(conn, [int(str(r[1]).split(":", 1)[1]) for r in pending if r[2] is None])
    seq, prev, _ = last_batch(conn)
    claims = {
        "iss": city,
        "seq": seq + 1,
        "prev": prev,
        "iat": int(now.timestamp()),
        "records": records,
        "disputes": disputes,
        "checkpoint": signed_checkpoint,
    }
    token = signer(claims)
    conn.execute(
        federation_batches.insert(),
        {
            "seq": seq + 1,
            "created_at": now,
            "hash": batch_hash(token),
            "records": len(records),
            "token": token,
        },
    )
    if pending:
        conn.execute(
            update(federation_outbox)
            .where(federation_outbox.c.message_id.in_([int(r[0]) for r in pending]))
            .values(batch_seq=seq + 1)
        )
    skipped = len(pending) - len(records) - len(disputes)
    return Published(seq + 1, token, len(records), len(disputes), skipped)


def _records(conn: Connection, entry_ids: list[int]) -> list[dict[str, Any]]:
    """Wire records of these entries, leaving out what came from a peer or has no link."""
    if not entry_ids:
        return []
    target = entries.alias("target")
    from_peer = select(federation_records.c.source).where(
        federation_records.c.source == entries.c.source,
        federation_records.c.idempotency_key.in_([entries.c.idempotency_key, entries.c.supersedes]),
    )
    target_kind = (
        select(target.c.kind)
        .where(
            and_(
                target.c.source == entries.c.source,
                target.c.idempotency_key == entries.c.supersedes,
            )
        )
        .scalar_subquery()
    )
    query = (
        select(entries, federation_links.c.federation_subject, target_kind.label("target_kind"))
        .join(federation_links, federation_links.c.subject == entries.c.subject)
        .where(entries.c.entry_id.in_(entry_ids), ~from_peer.exists())
        .order_by(entries.c.entry_id)
    )
    out = []
    for row in conn.execute(query):
        mapping = row._mapping
        if mapping["kind"] == "retraction" and mapping["target_kind"] not in SHAREABLE_KINDS:
            continue
        out.append(wire_record(dict(mapping), str(mapping["federation_subject"])))
    return out


def _disputes(conn: Connection, message_ids: list[int]) -> list[dict[str, Any]]:
    """Disputes about records that came from a peer, addressed to that peer in its own terms."""
    if not message_ids:
        return []
    rows = conn.execute(
        select(outbox.c.recipient, outbox.c.payload, federation_records)
        .join(
            federation_records,
            and_(
                federation_records.c.source == outbox.c.recipient,
                federation_records.c.idempotency_key
                == func.coalesce(outbox.c.payload["idempotency_key"].as_string(), ""),
            ),
        )
        .where(outbox.c.message_id.in_(message_ids))
        .order_by(outbox.c.message_id)
    )
    return [
        {
            "to": r.peer,
            "source": r.source,
            "key": r.origin_key,
            "subject": r.federation_subject,
            "statement": r.payload.get("statement", ""),
            "opened_at": r.payload.get("opened_at"),
            "dispute_id": r.payload.get("dispute_id"),
        }
        for r in rows
    ]


def feed(conn: Connection, after: int, limit: int) -> list[str]:
    """Signed batches numbered above ``after``, oldest first, at most ``limit``."""
    rows = conn.execute(
        select(federation_batches.c.token)
        .where(federation_batches.c.seq > after)
        .order_by(federation_batches.c.seq)
        .limit(limit)
    )
    return [str(r[0]) for r in rows]
