"""Storage of the person's own choices: consents to voluntary sources, revoked certificates.

Both are append-only. A consent is never edited: granting and withdrawing
are events, and whether a consent is active at a moment is derived from
them (the same derivation :func:`creditcity.ledger.exclusions.consent_table`
hands the feature engines). A revoked certificate id is stored once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from creditcity.ledger.tables import consents, revocations

GRANT = "grant"
WITHDRAW = "withdraw"


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    consent_id: int
    subject: str
    source: str
    action: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "consent_id": self.consent_id,
            "source": self.source,
            "action": self.action,
            "at": self.at.isoformat(),
        }


def append(conn: Connection, *, subject: str, source: str, action: str, at: datetime) -> None:
    conn.execute(
        insert(consents), {"subject": subject, "source": source, "action": action, "at": at}
    )


def events(conn: Connection, subject: str, source: str | None = None) -> list[ConsentEvent]:
    """One person's consent events in the order they happened."""
    query = select(consents).where(consents.c.subject == subject)
    if source is not None:
        query = query.where(consents.c.source == source)
    return [
        ConsentEvent(int(m["consent_id"]), m["subject"], m["source"], m["action"], m["at"])
        for m in (r._mapping for r in conn.execute(query.order_by(consents.c.consent_id)))
    ]


def active_sources(history: list[ConsentEvent], at: datetime | None = None) -> set[str]:
    """Sources whose latest event up to ``at`` (default: ever) is a grant."""
    state: dict[str, bool] = {}
    for event in history:
        if at is None or event.at <= at:
            state[event.source] = event.action == GRANT
    return {source for source, granted in state.items() if granted}


def record_revocation(conn: Connection, jti: str, at: datetime) -> bool:
    """Store a revoked certificate id; False if it was already stored."""
    statement = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(revocations)
    # Without preserve_rowcount, SQLAlchemy 2.1 on psycopg reports -1 for this INSERT.
    result = conn.execute(
        statement.values(jti=jti, revoked_at=at).on_conflict_do_nothing(index_elements=["jti"]),
        execution_options={"preserve_rowcount": True},
    )
    return result.rowcount == 1


def revoked_jtis(conn: Connection) -> frozenset[str]:
    return frozenset(str(r[0]) for r in conn.execute(select(revocations.c.jti)))
