"""Reads across what is stored about people: one person's whole file for their
subject access report, and everyone's latest decisions for the fairness audit.

Unlike :func:`creditcity.ledger.entries.live_entries_query`, which serves
scoring and returns only current entries, :func:`entries_of` returns every
entry ever received about the person -- superseded, retracted and purged ones
too -- because the person has a right to see what is held, not only what counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, and_, select

from creditcity.ledger.tables import decisions, entries


def entries_of(conn: Connection, subject: str) -> list[Mapping[str, Any]]:
    """Every ledger entry about ``subject``, in the order they were received."""
    query = select(entries).where(entries.c.subject == subject).order_by(entries.c.entry_id)
    return [dict(r._mapping) for r in conn.execute(query)]


def supersessions(conn: Connection, subject: str) -> dict[tuple[str, str], list[int]]:
    """``(source, superseded key) -> ids of the entries that supersede it``, for one person.

    Supersession is per source and key, whatever subject the newer entry names,
    so it is read from the ledger rather than from the person's own entries.
    """
    older = entries.alias("older")
    query = (
        select(entries.c.source, entries.c.supersedes, entries.c.entry_id)
        .join(
            older,
            and_(
                older.c.source == entries.c.source, older.c.idempotency_key == entries.c.supersedes
            ),
        )
        .where(older.c.subject == subject)
        .order_by(entries.c.entry_id)
    )
    found: dict[tuple[str, str], list[int]] = {}
    for source, key, entry_id in conn.execute(query):
        found.setdefault((source, key), []).append(int(entry_id))
    return found


def latest_decisions(conn: Connection) -> dict[str, dict[str, bool]]:
    """``subject -> service -> approved`` of each person's latest decision per service."""
    query = select(decisions.c.subject, decisions.c.service, decisions.c.approved).order_by(
        decisions.c.decided_at, decisions.c.decision_id
    )
    latest: dict[str, dict[str, bool]] = {}
    for subject, service, approved in conn.execute(query):
        latest.setdefault(subject, {})[service] = bool(approved)
    return latest
