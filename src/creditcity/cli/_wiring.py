"""Composition for CLI commands: settings -> migrated engine."""

from __future__ import annotations

from sqlalchemy import Engine

from creditcity.cli._app import database_url
from creditcity.ledger.db import make_engine, migrate

_migrated: set[str] = set()


def open_engine(option: str | None) -> Engine:
    """The engine for ``--database-url`` (or the default), migrated to the newest schema."""
    url = database_url(option)
    engine = make_engine(url)
    if url not in _migrated:
        migrate(engine)
        _migrated.add(url)
    return engine
