"""Portal sessions kept on the server: a random token in the cookie, its digest in the database.

A session signed in with a key lives only as long as the key: revoking the
key ends it on the next page, and signing out ends it for good (a copied
cookie is worth nothing afterwards). A session from the city's identity
provider has no key; it carries its role's default scopes.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine

from creditcity.domain.principals import DEFAULT_SCOPES, Principal, Role
from creditcity.ledger import sessions as repo
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.key_file import digest
from creditcity.services.keys import principal_of, utcnow

__all__ = ["end_session", "session_principal", "start_session"]

MAX_TOKEN = 100


def start_session(
    engine: Engine,
    principal: Principal,
    *,
    key_id: str | None,
    hours: float,
    now: datetime | None = None,
) -> str:
    """A new session for ``principal``; returns the cookie's token (stored only as a digest)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with UnitOfWork(engine) as uow:
        repo.insert_session(
            uow.conn,
            {
                "token_digest": digest(token),
                "key_id": key_id,
                "principal": principal.id,
                "role": str(principal.role),
                "label": principal.label,
                "created_at": now,
                "expires_at": now + timedelta(hours=hours),
            },
        )
        uow.commit()
    return token


def session_principal(
    engine: Engine, token: str | None, *, now: datetime | None = None
) -> Principal | None:
    """Who this cookie signs in, if its session is live (not ended, expired, or its key revoked)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    with engine.connect() as conn:
        row = repo.live_session(conn, digest(token), now or utcnow())
    if row is None:
        return None
    if row["key_id"] is None:
        role = Role(row["role"])
        return Principal(str(row["principal"]), role, DEFAULT_SCOPES[role], str(row["label"]))
    return principal_of(row)


def end_session(engine: Engine, token: str | None, *, now: datetime | None = None) -> None:
    """Sign out: the session's row ends, so the cookie no longer signs anyone in."""
    if not token or len(token) > MAX_TOKEN:
        return
    with UnitOfWork(engine) as uow:
        repo.end_session(uow.conn, digest(token), now or utcnow())
        uow.commit()
