"""Engines and migrations: SQLite (WAL) by default, PostgreSQL in production."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from creditcity.errors import InputRejected, Problem
from creditcity.ledger import sqlite_writer

if TYPE_CHECKING:
    from alembic.config import Config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the portal, decisions) proceed while an import writes;
    # NORMAL sync is durable across process kills, which is what the ledger needs.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Bulk imports insert into three indexes keyed by pseudonym (random order);
    # a 128 MiB page cache keeps those index pages in memory.
    cursor.execute("PRAGMA cache_size=-131072")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and mean psycopg 3, which is the driver we ship."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputRejected(
            "bad database URL",
            problems=[
                Problem(
                    f"'{url}' is not a database URL",
                    field="--database-url",
                    expected="sqlite:///path.db or postgresql://host/db",
                )
            ],
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputRejected(
            "unsupported database",
            problems=[
                Problem(
                    f"'{parsed.get_backend_name()}' is not supported",
                    field="--database-url",
                    expected="sqlite or postgresql",
                )
            ],
        )
    return parsed.render_as_string(hide_password=False)


@lru_cache(maxsize=8)
def make_engine(url: str) -> Engine:
    """One engine per URL per process, with SQLite pragmas set on every connection."""
    normalised = normalise_url(url)
    if normalised.startswith("sqlite"):
        database = make_url(normalised).database
        # The API's thread pool runs up to 40 requests at once: with the default pool
        # (5 + 10 overflow) the rest waited for a connection or opened one per request.
        # An in-memory database has a pool of its own kind, without these settings.
        sizes = {} if database in (None, "", ":memory:") else {"pool_size": 20, "max_overflow": 40}
        engine = create_engine(normalised, connect_args={"timeout": 30}, **sizes)
        event.listen(engine, "connect", _sqlite_pragmas)
        # a connection back in the pool has ended its transaction: its writer's turn too
        event.listen(engine, "checkin", lambda _dbapi, record: sqlite_writer.release(record.info))
        return engine
    # The same 40 threads on PostgreSQL: with 5 + 5 the overflow connections were
    # closed on return and reopened by the next request (backends 10-50 ms old under
    # the soak). 20 kept + 10 overflow per worker stays well inside the server's 100.
    return create_engine(normalised, pool_pre_ping=True, pool_size=20, max_overflow=10)


def alembic_config() -> Config:
    # alembic (and mako under it) load here, not at import: most commands never migrate
    from alembic.config import Config

    config = Config()
    location = resources.files("creditcity.ledger") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe to call on every start."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def analyse(engine: Engine, *tables: str) -> None:
    """Refresh the planner's statistics of ``tables`` after a bulk write.

    PostgreSQL's autovacuum does it eventually, if it runs (it may be off):
    until then a table filled by a scoring run looks empty to the planner, and
    a lookup of the newest rows became a sequential scan (measured: 2.1 ms
    instead of 0.06 ms on 50,000 scores). SQLite's planner needs no statistics
    for the indexed reads here, so it is left alone.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table}"')


_GROWN = text(
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
    "WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables) "
    "AND (c.reltuples < 0 OR s.n_mod_since_analyze > greatest(c.reltuples, 0) + 50)"
)


def analyse_grown(engine: Engine, *tables: str) -> list[str]:
    """:func:`analyse` those of ``tables`` changed by more than their own size since
    their statistics were last taken (or that never had any); returns their names.

    What autovacuum would do, for a server that cannot count on it: a table
    is analysed once each time it doubles, so a large one is rarely sampled.
    PostgreSQL counts changes a moment after they commit (its statistics are
    flushed within a second), so the latest rows may count at the next call.
    """
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        grown = [row[0] for row in conn.execute(_GROWN, {"tables": list(tables)})]
    analyse(engine, *grown)
    return grown
