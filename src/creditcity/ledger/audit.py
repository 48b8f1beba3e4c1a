"""Storage of the audit hash chain: append one event, read the chain back in order.

The chain logic lives in :mod:`creditcity.rights.audit_chain`; this adapter
only serialises appends (PostgreSQL: a transaction-scoped advisory lock;
SQLite: one writer at a time by design, and ``seq`` is the primary key, so a
forked chain fails loudly rather than silently) and stores rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from creditcity.ledger.tables import audit_log
from creditcity.rights.audit_chain import AuditEvent, AuditRow, seal

_AUDIT_LOCK = 7_411_311  # any constant shared by every writer of this database


def record_access(
    conn: Connection,
    *,
    actor: str,
    role: str,
    purpose: str,
    action: str,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditRow:
    """Append one event (who, in what role, why, did what, to whose file) to the chain."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
    last = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc()).limit(1)).first()
    prev = AuditRow.from_record(dict(last._mapping)) if last is not None else None
    event = AuditEvent(
        seq=(prev.seq + 1) if prev else 1,
        at=AuditEvent.timestamp(datetime.now(UTC)),
        actor=actor,
        role=role,
        purpose=purpose,
        action=action,
        subject=subject,
        detail=dict(detail or {}),
    )
    row = seal(prev, event)
    record = row.as_record()
    record["detail"] = json.dumps(record["detail"], sort_keys=True, ensure_ascii=False)
    conn.execute(insert(audit_log), record)
    return row


def chain(conn: Connection, subject: str | None = None) -> Iterator[AuditRow]:
    """Every stored row in ``seq`` order (or one person's rows, for their report)."""
    query = select(audit_log).order_by(audit_log.c.seq)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    for row in conn.execute(query):
        yield AuditRow.from_record(dict(row._mapping))
