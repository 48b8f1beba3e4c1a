"""Storage of the audit hash chain: append events, read the chain back in order.

The chain logic lives in :mod:`creditcity.rights.audit_chain`; this adapter
serialises appends and stores rows. Reading the head and inserting after it
must be one step, or two writers fork the chain (two rows with the same
``seq``):

* PostgreSQL: a transaction-scoped advisory lock, held to commit;
* SQLite: the database's write lock, taken *before* the head is read. The
  driver opens a transaction only at the first write, so without it a head
  read by one connection could be overtaken by another's commit, and the
  insert then failed on the primary key (``UNIQUE constraint failed:
  audit_log.seq``, a 500 under concurrent audited reads).

:func:`record_events` appends a batch (the events of a group commit) with one
read of the head and one insert statement; on PostgreSQL the chain's lock and
the head read go out together with whatever the caller sent before them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from creditcity.ledger.driver_statements import write_rows
from creditcity.ledger.guards import take_write_lock
from creditcity.ledger.pipelining import together
from creditcity.ledger.tables import audit_log
from creditcity.rights.audit_chain import AuditEvent, AuditRow, seal_after

__all__ = ["Access", "chain", "record_access", "record_events"]

_AUDIT_LOCK = 7_411_311  # any constant shared by every writer of this database
_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_HEAD = select(audit_log).order_by(audit_log.c.seq.desc()).limit(1)
_HEAD_COLUMNS = tuple(audit_log.c.keys())
# executemany, not INSERT ... VALUES (...), (...): a multi-row VALUES is compiled anew
# for every batch, which costs more than the rows (measured: ~1 ms per decision).
_INSERT = insert(audit_log).inline()  # returns nothing: pipelined without waiting


@dataclass(frozen=True, slots=True)
class Access:
    """One event to append: who, in what role, why, did what, to whose file."""

    actor: str
    role: str
    purpose: str
    action: str
    subject: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


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
    access = Access(actor, role, purpose, action, subject, dict(detail or {}))
    return record_events(conn, [access])[0]


def record_events(conn: Connection, accesses: Sequence[Access]) -> list[AuditRow]:
    """Append ``accesses`` in order after the current head: one head read, one insert."""
    if not accesses:
        return []
    with together(conn) as send:  # on PostgreSQL the lock and the head read share a trip
        if conn.dialect.name == "postgresql":
            send(_LOCK, {"k": _AUDIT_LOCK})
        else:
            take_write_lock(conn)
        head = send(_HEAD, {})
        last = next(iter(head()), None)
    prev = AuditRow.from_record(dict(zip(_HEAD_COLUMNS, last, strict=True))) if last else None
    at = AuditEvent.timestamp(datetime.now(UTC))
    first = (prev.seq + 1) if prev else 1
    events = [
        AuditEvent(
            seq=first + i,
            at=at,
            actor=a.actor,
            role=a.role,
            purpose=a.purpose,
            action=a.action,
            subject=a.subject,
            detail=dict(a.detail),
        )
        for i, a in enumerate(accesses)
    ]
    rows = seal_after(prev, events)
    records = []
    for row in rows:
        record = row.as_record()
        record["detail"] = json.dumps(record["detail"], sort_keys=True, ensure_ascii=False)
        records.append(record)
    write_rows(conn, _INSERT, records)  # one executemany (compiled once)
    return rows


def chain(conn: Connection, subject: str | None = None) -> Iterator[AuditRow]:
    """Every stored row in ``seq`` order (or one person's rows, for their report)."""
    query = select(audit_log).order_by(audit_log.c.seq)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    for row in conn.execute(query):
        yield AuditRow.from_record(dict(row._mapping))
