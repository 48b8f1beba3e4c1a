"""What the feature engines must leave out, read from storage: pending disputes, consents.

The exclusion itself happens in :mod:`creditcity.features`; this adapter only
hands it the facts in the Arrow shape the engines read.
"""

from __future__ import annotations

from collections.abc import Collection

import pyarrow as pa
from sqlalchemy import ColumnElement, Connection, select

from creditcity.ledger.tables import consents, disputes

PENDING = "pending"


People = str | Collection[str] | None


def _of(column: ColumnElement[str], people: People) -> ColumnElement[bool] | None:
    """A filter on ``column`` for one person, some people, or nobody in particular."""
    if people is None:
        return None
    if isinstance(people, str):
        return column == people
    return column.in_(sorted(people))


def pending_disputed_entry_ids(conn: Connection, subject: People = None) -> set[int]:
    query = select(disputes.c.entry_id).where(disputes.c.status == PENDING)
    narrowed = _of(disputes.c.subject, subject)
    if narrowed is not None:
        query = query.where(narrowed)
    return {int(r[0]) for r in conn.execute(query)}


def disputed_table(conn: Connection, subject: People = None) -> pa.Table:
    ids = sorted(pending_disputed_entry_ids(conn, subject))
    return pa.table({"entry_id": pa.array(ids, pa.int64())})


def consent_table(conn: Connection, subject: People = None) -> pa.Table:
    """Consent periods (subject, source, granted_at, withdrawn_at) from grant/withdraw events."""
    query = select(consents.c.subject, consents.c.source, consents.c.action, consents.c.at)
    narrowed = _of(consents.c.subject, subject)
    if narrowed is not None:
        query = query.where(narrowed)
    periods: dict[tuple[str, str], list[list[object]]] = {}
    for subj, source, action, at in conn.execute(query.order_by(consents.c.consent_id)):
        spans = periods.setdefault((subj, source), [])
        if action == "grant" and (not spans or spans[-1][1] is not None):
            spans.append([at, None])
        elif action == "withdraw" and spans and spans[-1][1] is None:
            spans[-1][1] = at
    rows = [(s, src, g, w) for (s, src), spans in periods.items() for g, w in spans]
    return pa.table(
        {
            "subject": pa.array([r[0] for r in rows], pa.string()),
            "source": pa.array([r[1] for r in rows], pa.string()),
            "granted_at": pa.array([r[2] for r in rows], pa.timestamp("us")),
            "withdrawn_at": pa.array([r[3] for r in rows], pa.timestamp("us")),
        }
    )
