"""Shared fixtures: every storage test runs on SQLite and on real PostgreSQL.

PostgreSQL isolation is a schema per test (created, migrated, dropped), which
costs milliseconds instead of a database per test. In CI (``CI=true``) a test
that needs PostgreSQL fails when the server is down instead of skipping.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from creditcity.config import get_settings
from creditcity.ledger.db import make_engine, migrate

# Nothing a test runs may touch the user's data directory (signing keys, models, the
# pseudonym secret): the whole session gets a fresh one, and each test its own below.
os.environ["CREDITCITY_HOME"] = tempfile.mkdtemp(prefix="creditcity-test-home-")

PG_ADMIN_URL = os.environ.get(
    "CREDITCITY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test runs with a data directory of its own (``CREDITCITY_HOME``)."""
    monkeypatch.setenv("CREDITCITY_HOME", str(tmp_path_factory.mktemp("home")))
    get_settings.cache_clear()


def _postgres_or_skip() -> Engine:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as error:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return admin


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections live in a fresh, empty schema of the test database."""
    admin = _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Parametrises a storage test over both supported databases."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on SQLite or PostgreSQL."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()
