"""A decision batch's transaction sent as one pipeline (PostgreSQL): kept whole or not at all.

The batcher's connection runs in driver autocommit and sends BEGIN and COMMIT
itself, so these check what the driver's own transactions guaranteed: a
commit keeps every statement, leaving without one keeps none, a failing
statement keeps none and raises, and the connection is ready for the next
batch afterwards. Reads inside join the pipeline and see the writes before
them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Connection, Engine, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.decisions import notify_once
from creditcity.ledger.pipelining import pipelined_transaction, together
from creditcity.ledger.tables import notices, subjects

AT = datetime(2026, 12, 4, 12, 0)
_SUBJECT_INSERT = insert(subjects).values(
    subject=bindparam("subject"), home_city=bindparam("home"), first_seen_at=bindparam("at")
)
_COUNT = select(func.count()).select_from(subjects)


@pytest.fixture
def pg(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(pg: Engine) -> Iterator[Connection]:
    """A connection as the batcher keeps it: driver autocommit, BEGIN and COMMIT by hand."""
    with pg.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def _add(conn: Connection, *people: str) -> None:
    with together(conn) as send:
        for person in people:
            send(_SUBJECT_INSERT, {"subject": person, "home": "hangzhou", "at": AT})


def _count(pg: Engine) -> int:
    with pg.connect() as other:  # another session: sees only what was committed
        return int(other.execute(_COUNT).scalar_one())


def test_a_commit_keeps_every_statement_and_reads_see_earlier_writes(
    pg: Engine, conn: Connection
) -> None:
    with pipelined_transaction(conn) as commit:
        _add(conn, "p_a", "p_b")
        with together(conn) as send:
            seen = send(_COUNT, {})()[0][0]
        commit()
    assert seen == 2
    assert _count(pg) == 2


def test_leaving_without_commit_keeps_nothing(pg: Engine, conn: Connection) -> None:
    with pipelined_transaction(conn):
        _add(conn, "p_a")
    assert _count(pg) == 0
    with pipelined_transaction(conn) as commit:  # and the connection goes on working
        _add(conn, "p_b")
        commit()
    assert _count(pg) == 1


def test_a_failing_statement_raises_and_keeps_nothing(pg: Engine, conn: Connection) -> None:
    with pytest.raises(IntegrityError), pipelined_transaction(conn) as commit:
        _add(conn, "p_a", "p_a")  # the second violates the primary key
        commit()
    assert _count(pg) == 0
    with pipelined_transaction(conn) as commit:
        _add(conn, "p_c")
        commit()
    assert _count(pg) == 1


def test_an_error_in_the_block_rolls_back(pg: Engine, conn: Connection) -> None:
    with pytest.raises(RuntimeError), pipelined_transaction(conn):
        _add(conn, "p_a")
        raise RuntimeError("the batch failed")
    assert _count(pg) == 0


def test_a_notice_is_stored_once_inside_the_pipeline(pg: Engine, conn: Connection) -> None:
    values = {"subject": "p_a", "kind": "restriction", "reference": "J1", "text": "t"}
    with pipelined_transaction(conn) as commit:
        first = notify_once(conn, created_at=AT, **values)
        again = notify_once(conn, created_at=AT, **values)
        commit()
    assert (first, again) == (True, False)
    with pg.connect() as other:
        assert other.execute(select(func.count()).select_from(notices)).scalar_one() == 1


def test_it_needs_driver_autocommit(pg: Engine) -> None:
    with (
        pg.connect() as plain,
        pytest.raises(AssertionError, match="autocommit"),
        pipelined_transaction(plain),
    ):
        pass
