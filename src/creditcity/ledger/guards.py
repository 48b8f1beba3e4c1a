"""Guards for decisions: one writer per person at a time, and the answers kept per key.

**Per-person locks.** A decision reads a person's open exposure and then
reserves more of it; two workers doing that at once for the same person would
both see the old exposure and both grant. So the read and the reservation
happen under a lock held to the end of the transaction:

* PostgreSQL: a transaction-scoped advisory lock per person (and per
  idempotency key), taken in sorted order so that two batches that share
  people wait for each other instead of deadlocking. It holds across worker
  processes and across machines that share the database.
* SQLite: the database's single write lock, taken before the first read (the
  driver only opens a transaction at the first write, so a read before it
  would see a state another writer is about to change), after a turn at
  :mod:`creditcity.ledger.sqlite_writer`'s lock file, which hands the writer's
  turn on at once instead of SQLite's sleeping busy handler.

**Idempotency keys.** :func:`stored_answers` finds what earlier requests with
the same keys were answered; :func:`keep_answers` stores new answers in the
caller's transaction, so an answer and its key commit together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text

from creditcity.ledger import sqlite_writer
from creditcity.ledger.driver_statements import Write, write_together
from creditcity.ledger.pipelining import Later, Send, together
from creditcity.ledger.tables import idempotency_keys

__all__ = [
    "KeptAnswer",
    "bound_lock_waits",
    "bound_lock_waits_here",
    "keep_answers",
    "lock_people",
    "stored_answers",
    "stored_answers_later",
    "take_write_lock",
]

_LOCK_MANY = text(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 4711))) "
    "FROM unnest(CAST(:keys AS text[])) AS k"
)
# Any write statement opens SQLite's write transaction; this one changes nothing.
_SQLITE_WRITE_LOCK = text("UPDATE idempotency_keys SET key = key WHERE 0")


def take_write_lock(conn: Connection) -> None:
    """SQLite: hold the database's write lock from now to the end of the transaction.

    A no-op elsewhere. Call it before reading what the transaction will write
    on the strength of (a head of the audit chain, an exposure).
    """
    if conn.dialect.name == "sqlite":
        sqlite_writer.acquire(conn)  # queue for the writer's turn, woken within a millisecond
        raw = conn.connection.driver_connection
        # The driver opens a transaction only at a write, so an open one holds the lock.
        if raw is None or not raw.in_transaction:
            conn.execute(_SQLITE_WRITE_LOCK)


def bound_lock_waits(conn: Connection, seconds: float) -> None:
    """PostgreSQL: a statement of this session that waits longer than ``seconds`` for a
    lock fails instead (SQLite's writer queue has its own limit)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET lock_timeout = '{int(seconds * 1000)}ms'")
        conn.commit()


def bound_lock_waits_here(conn: Connection, seconds: float) -> None:
    """:func:`bound_lock_waits` for the current transaction only (a pooled connection)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'")


def lock_people(conn: Connection, keys: Iterable[str], send: Send | None = None) -> None:
    """Hold a lock on each key (people, idempotency keys) to the end of the transaction.

    With ``send`` (PostgreSQL), the lock goes out with what follows it: the
    statements after it run only once it is held.
    """
    if conn.dialect.name != "postgresql":
        take_write_lock(conn)
        return
    ordered = sorted(set(keys))
    if ordered:
        if send is not None:
            send(_LOCK_MANY, {"keys": ordered})
        else:
            conn.execute(_LOCK_MANY, {"keys": ordered})


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """What an earlier request with this key asked (its fingerprint) and was answered."""

    fingerprint: str
    response: dict[str, Any]


_FIND = select(
    idempotency_keys.c.key, idempotency_keys.c.fingerprint, idempotency_keys.c.response
).where(
    idempotency_keys.c.principal == bindparam("principal"),
    idempotency_keys.c.key.in_(bindparam("keys", expanding=True)),
)


def stored_answers(
    conn: Connection, principal_keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], KeptAnswer]:
    """The kept answers of these ``(principal, key)`` pairs that exist."""
    with together(conn) as send:
        return stored_answers_later(send, principal_keys)()


def stored_answers_later(
    send: Send, principal_keys: Sequence[tuple[str, str]]
) -> Later[dict[tuple[str, str], KeptAnswer]]:
    """:func:`stored_answers`, sent now and read when called.

    One indexed statement per principal (a batch rarely has more than one):
    a row-value ``IN`` over both columns is not served by SQLite's index.
    """
    by_principal: dict[str, set[str]] = {}
    for principal, key in principal_keys:
        by_principal.setdefault(principal, set()).add(key)
    pending = [
        (principal, send(_FIND, {"principal": principal, "keys": sorted(keys)}))
        for principal, keys in by_principal.items()
    ]

    def read() -> dict[tuple[str, str], KeptAnswer]:
        found: dict[tuple[str, str], KeptAnswer] = {}
        for principal, rows in pending:
            for key, fingerprint, response in rows():
                found[(principal, key)] = KeptAnswer(fingerprint, json.loads(response))
        return found

    return read


_KEEP = insert(idempotency_keys).inline()  # no RETURNING: pipelined without waiting


def keep_answers(
    conn: Connection, rows: Iterable[tuple[str, str, str, Mapping[str, Any]]], *, at: datetime
) -> None:
    """Store ``(principal, key, fingerprint, response)`` rows in the caller's transaction."""
    write_together(conn, kept_answer_writes(rows, at=at))


def kept_answer_writes(
    rows: Iterable[tuple[str, str, str, Mapping[str, Any]]], *, at: datetime
) -> list[Write]:
    """What :func:`keep_answers` writes, to go with other writes (``write_together``)."""
    values = [
        {
            "principal": principal,
            "key": key,
            "fingerprint": fingerprint,
            "created_at": at,
            "response": json.dumps(response, sort_keys=True, ensure_ascii=False),
        }
        for principal, key, fingerprint, response in rows
    ]
    return [(_KEEP, values)]
