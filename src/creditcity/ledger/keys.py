"""API keys and the version counter that tells servers their cached keys are stale.

Every write here bumps the ``keys`` counter in the caller's transaction, so a
server that sees the counter unchanged knows its cache is current, and one that
sees it move reloads (see :class:`creditcity.services.keys.KeyCache`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from creditcity.ledger.tables import api_keys, portal_sessions, versions

__all__ = [
    "bump_keys_version",
    "insert_key",
    "key_by_digest",
    "key_by_id",
    "keys_version",
    "list_keys",
    "live_keys",
    "revoke_key",
]

KEYS_COUNTER = "keys"


def keys_version(conn: Connection) -> int:
    """The counter every key change moves: one primary-key read, cheap enough for each second."""
    found = conn.execute(
        select(versions.c.version).where(versions.c.name == KEYS_COUNTER)
    ).scalar_one_or_none()
    return int(found or 0)


def bump_keys_version(conn: Connection) -> None:
    conn.execute(
        update(versions)
        .where(versions.c.name == KEYS_COUNTER)
        .values(version=versions.c.version + 1)
    )


def insert_key(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(api_keys.insert().values(**row))
    bump_keys_version(conn)


def key_by_id(conn: Connection, key_id: str) -> Mapping[str, Any] | None:
    found = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).mappings().first()
    return dict(found) if found is not None else None


def key_by_digest(conn: Connection, digest: str) -> Mapping[str, Any] | None:
    found = conn.execute(select(api_keys).where(api_keys.c.digest == digest)).mappings().first()
    return dict(found) if found is not None else None


def list_keys(conn: Connection, *, include_revoked: bool = True) -> Sequence[Mapping[str, Any]]:
    query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    return [dict(r) for r in conn.execute(query).mappings()]


def live_keys(conn: Connection, now: datetime) -> Sequence[Mapping[str, Any]]:
    """Keys neither revoked nor expired at ``now``."""
    query = select(api_keys).where(
        api_keys.c.revoked_at.is_(None),
        or_(api_keys.c.expires_at.is_(None), api_keys.c.expires_at > now),
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def revoke_key(
    conn: Connection, key_id: str, at: datetime, *, replaced_by: str | None = None
) -> bool:
    """End a key and every portal session signed in with it; False if it was not live."""
    done = conn.execute(
        update(api_keys)
        .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=at, replaced_by=replaced_by)
    ).rowcount
    if not done:
        return False
    conn.execute(
        update(portal_sessions)
        .where(portal_sessions.c.key_id == key_id, portal_sessions.c.ended_at.is_(None))
        .values(ended_at=at)
    )
    bump_keys_version(conn)
    return True
