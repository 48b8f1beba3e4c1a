"""Portal sessions: rows keyed by the digest of the cookie's random token."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from creditcity.ledger.tables import api_keys, portal_sessions

__all__ = ["end_session", "insert_session", "live_session"]


def insert_session(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(portal_sessions.insert().values(**row))


def live_session(conn: Connection, token_digest: str, now: datetime) -> Mapping[str, Any] | None:
    """The session with this digest if it has not ended or expired and its key (if any) is live.

    The key's scopes, services and label come along, so a key changed in the
    database changes what its session may do on the next page.
    """
    query = (
        select(
            portal_sessions,
            api_keys.c.scopes,
            api_keys.c.services,
            api_keys.c.revoked_at,
            api_keys.c.expires_at.label("key_expires_at"),
        )
        .select_from(
            portal_sessions.outerjoin(api_keys, api_keys.c.key_id == portal_sessions.c.key_id)
        )
        .where(
            portal_sessions.c.token_digest == token_digest,
            portal_sessions.c.ended_at.is_(None),
            portal_sessions.c.expires_at > now,
            api_keys.c.revoked_at.is_(None),
            or_(api_keys.c.expires_at.is_(None), api_keys.c.expires_at > now),
        )
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found is not None else None


def end_session(conn: Connection, token_digest: str, at: datetime) -> None:
    conn.execute(
        update(portal_sessions)
        .where(portal_sessions.c.token_digest == token_digest, portal_sessions.c.ended_at.is_(None))
        .values(ended_at=at)
    )
