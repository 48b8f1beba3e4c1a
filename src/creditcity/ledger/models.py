"""The model registry: versioned JSON artefacts, one of them active."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from creditcity.errors import NotFound, Problem
from creditcity.ledger.tables import models


def register_model(conn: Connection, version: str, artefact_json: str, *, activate: bool) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    exists = conn.execute(select(models.c.version).where(models.c.version == version)).first()
    if exists is None:
        conn.execute(
            insert(models),
            {
                "version": version,
                "created_at": now,
                "activated_at": None,
                "artefact": artefact_json,
            },
        )
    if activate:
        activate_model(conn, version)


#: activations asked in this process so far: a process that keeps the active
#: version in memory rereads it when this moves (another process's activation
#: it learns from the database, by its own schedule)
activations = 0


def activate_model(conn: Connection, version: str) -> None:
    """Make ``version`` the active model; the newest activation wins."""
    global activations
    activations += 1
    now = datetime.now(UTC).replace(tzinfo=None)
    done = conn.execute(update(models).where(models.c.version == version).values(activated_at=now))
    if done.rowcount == 0:
        raise _unknown(version)


def _active(*columns: Any) -> Select[Any]:
    """``columns`` of the active model's row: the newest activation wins."""
    return (
        select(*columns)
        .where(models.c.activated_at.is_not(None))
        .order_by(models.c.activated_at.desc())
        .limit(1)
    )


def active_model(conn: Connection) -> tuple[str, str] | None:
    """(version, artefact JSON) of the active model, or None before any training."""
    row = conn.execute(_active(models.c.version, models.c.artefact)).first()
    return (str(row[0]), str(row[1])) if row is not None else None


def active_version(conn: Connection) -> str | None:
    """The active model's version alone (a cheap read: the artefact stays in the table)."""
    version = conn.execute(_active(models.c.version)).scalar()
    return None if version is None else str(version)


def model_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every registered version, newest first, with when it was made and last activated."""
    found = active_model(conn)
    active = found[0] if found is not None else None
    query = select(models.c.version, models.c.created_at, models.c.activated_at).order_by(
        models.c.created_at.desc(), models.c.version.desc()
    )
    return [
        {
            "version": str(version),
            "created_at": created,
            "activated_at": activated,
            "active": version == active,
        }
        for version, created, activated in conn.execute(query)
    ]


def model_artefact(conn: Connection, version: str) -> str:
    """The artefact JSON of ``version``; :class:`NotFound` naming how to list versions."""
    row = conn.execute(select(models.c.artefact).where(models.c.version == version)).first()
    if row is None:
        raise _unknown(version)
    return str(row[0])


def _unknown(version: str) -> NotFound:
    return NotFound(
        f"no model '{version}'",
        problems=[
            Problem(
                "not in the registry",
                field="version",
                expected="a version listed by 'creditcity model list'",
            )
        ],
    )
