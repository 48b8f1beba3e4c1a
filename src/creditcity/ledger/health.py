"""What readiness and the metrics read from the database: schema revision and a few sizes."""

from __future__ import annotations

from datetime import datetime

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, select, text

from creditcity.ledger.db import alembic_config
from creditcity.ledger.tables import audit_log, entries, scores

__all__ = ["audit_length", "freshest", "ping", "schema_revisions"]


def ping(conn: Connection) -> None:
    """Raises when the database does not answer."""
    conn.execute(text("SELECT 1"))


def schema_revisions(conn: Connection) -> tuple[str | None, str | None]:
    """The database's migration revision and the newest one this code knows."""
    current = MigrationContext.configure(conn).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return current, head


def audit_length(conn: Connection) -> int:
    """Events in the audit chain (its newest sequence number)."""
    return int(conn.execute(select(func.coalesce(func.max(audit_log.c.seq), 0))).scalar_one())


def freshest(conn: Connection) -> tuple[datetime | None, datetime | None]:
    """When the newest record arrived and when the newest score was computed."""
    received = conn.execute(select(func.max(entries.c.received_at))).scalar_one()
    computed = conn.execute(select(func.max(scores.c.computed_at))).scalar_one()
    return received, computed
