"""Certificates a resident issued from the portal, kept so they can be shown again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from creditcity.ledger.tables import portal_certificates

__all__ = ["keep", "kept_token"]


def keep(conn: Connection, *, jti: str, subject: str, token: str, at: datetime) -> None:
    conn.execute(
        insert(portal_certificates).values(jti=jti, subject=subject, token=token, issued_at=at)
    )


def kept_token(conn: Connection, subject: str, jti: str) -> str | None:
    """The token of ``jti`` if it was issued to ``subject`` (nobody sees another's)."""
    query = select(portal_certificates.c.token).where(
        portal_certificates.c.jti == jti, portal_certificates.c.subject == subject
    )
    return conn.execute(query).scalar_one_or_none()
