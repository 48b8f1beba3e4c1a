"""What the feature engines must leave out, read from storage: pending disputes, consents.

The exclusion itself happens in :mod:`creditcity.features`; this adapter only
hands it the facts in the Arrow shape the engines read.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import Connection, select

from creditcity.ledger.tables import consents, disputes

PENDING = "pending"


def pending_disputed_entry_ids(conn: Connection, subject: str | None = None) -> set[int]:
    query = select(disputes.c.entry_id).where(disputes.c.status == PENDING)
    if subject is not None:
        query = query.where(disputes.c.subject == subject)
    return {int(r[0]) for r in conn.execute(query)}


def disputed_table(conn: Connection, subject: str | None = None) -> pa.Table:
    ids = sorted(pending_disputed_entry_ids(conn, subject))
    return pa.table({"entry_id": pa.array(ids, pa.int64())})


def consent_table(conn: Connection, subject: str | None = None) -> pa.Table:
    """Consent periods (subject, source, granted_at, withdrawn_at) from grant/withdraw events."""
    query = select(consents.c.subject, consents.c.source, consents.c.action, consents.c.at)
    if subject is not None:
        query = query.where(consents.c.subject == subject)
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
