"""Composition for CLI commands: every command's runtime comes from the composition root."""

from __future__ import annotations

from sqlalchemy import Engine

from creditcity.bootstrap import Runtime, bootstrap
from creditcity.cli._app import database_url

__all__ = ["open_engine", "open_runtime"]


def open_runtime(option: str | None, *, rescore: bool = True) -> Runtime:
    """The runtime for ``--database-url`` (or the default), migrated to the newest schema."""
    return bootstrap(database_url=database_url(option), rescore=rescore)


def open_engine(option: str | None, *, rescore: bool = True) -> Engine:
    """The runtime's engine (commands that need nothing else of it)."""
    return open_runtime(option, rescore=rescore).engine
