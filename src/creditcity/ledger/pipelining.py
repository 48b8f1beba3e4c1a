"""Statements sent to the database together, their rows read afterwards.

    with together(conn) as send:
        exposure = send(_EXPOSURE_OF_MANY, {"subjects": people})
        records = send(_ADJUDICATED_OF_MANY, {"subjects": people})
        conn.execute(insert(decisions), rows)        # a write nobody reads: just execute it
    for subject, service, total in exposure(): ...

A decision batch runs a dozen statements, and over a network each waits a
round trip for the one before: on loopback PostgreSQL that wait, not the
work, was most of a batch (``python -m bench.bench_api``). On PostgreSQL a
``together`` block is psycopg's pipeline mode: every statement goes out
without waiting for the answer to the one before, and answers are read when
asked for (the first read waits for everything sent before it, in order, so a
read sent after a lock sees what the lock protects). Writes whose result
nobody reads can be plain ``conn.execute`` calls inside the block (SQLAlchemy
waits for nothing there); reads go through ``send``, because SQLAlchemy would
look for their rows at once.

Statements stay SQLAlchemy Core, written once for both stores: each is
compiled once for psycopg, with every expanding ``IN`` list rewritten as
``= ANY(array)`` (one parameter whatever the list's length, so the compiled
text is reusable). On a connection given to :func:`plan_once` they are sent
prepared and planned once; elsewhere they are planned at every execution
(a plan cached on a pooled connection while a table was empty would stay a
sequential scan as the table grew). On SQLite
(in-process: no round trip to save) each statement simply runs when it is
sent, through the driver (:mod:`creditcity.ledger.driver_statements`). Rows are
tuples: the driver's own on PostgreSQL, converted by the column types on SQLite.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias, TypeVar, cast

from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, any_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ClauseElement
from sqlalchemy.sql.visitors import ExternallyTraversible, replacement_traverse

from creditcity.ledger.driver_statements import driver_errors, read_rows

__all__ = ["Later", "Pending", "Send", "pipelined_transaction", "plan_once", "together"]

T = TypeVar("T")
#: what a sent read becomes once its rows are read (call it after sending the rest)
Later: TypeAlias = Callable[[], T]

#: the rows of a sent statement, read when called
Pending = Callable[[], Sequence[Sequence[Any]]]
#: sends a statement with its parameters; what it returns reads the rows
Send = Callable[[ClauseElement, Mapping[str, Any]], Pending]

#: statements kept compiled at most (the hot path's are a handful of module constants)
MAX_COMPILED = 256
_compiled: dict[tuple[int, str], tuple[ClauseElement, str, dict[str, Any]]] = {}
_compiling = threading.Lock()
_PLANNED_ONCE = "creditcity_planned_once"
_IN_PIPELINE = "creditcity_in_pipeline"


@contextmanager
def together(conn: Connection) -> Iterator[Send]:
    """A ``send`` whose statements share round trips to the database (see the module).

    Inside a :func:`pipelined_transaction` the statements join its pipeline,
    which syncs once, at the commit; elsewhere the block is a pipeline of its
    own, synced when it ends.
    """
    if conn.dialect.name != "postgresql":
        yield _at_once(conn)
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    if conn.info.get(_IN_PIPELINE):
        yield _pipelined(conn, raw)
        return
    with raw.pipeline():
        yield _pipelined(conn, raw)


@contextmanager
def pipelined_transaction(conn: Connection) -> Iterator[Callable[[], None]]:
    """PostgreSQL: one transaction sent as one pipeline, from ``BEGIN`` to ``COMMIT``.

        with pipelined_transaction(conn) as commit:
            ...                       # together(conn) blocks join this pipeline
            commit()                  # queued; durable once the block has ended

    For a connection in driver autocommit (the decision batcher's): psycopg
    would otherwise sync the pipeline to open the transaction, and every
    ``together`` block would sync on entering and leaving. Here the worker
    waits for PostgreSQL only where it reads rows, and once at the end, for
    the commit (a decision batch: 3 waits instead of 8, each a context switch
    on a busy box, ``python -m bench.bench_api``). Leaving the block without
    ``commit()`` rolls back; an error in any statement raises when the block
    ends at the latest, and nothing of the transaction is kept.
    """
    raw = conn.connection.driver_connection
    assert raw is not None and raw.autocommit, "a pipelined transaction needs autocommit"
    committed = False

    def commit() -> None:
        nonlocal committed
        raw.execute(b"COMMIT", prepare=False)
        committed = True

    try:
        with driver_errors(conn, "a pipelined transaction"), raw.pipeline():
            conn.info[_IN_PIPELINE] = True
            raw.execute(b"BEGIN", prepare=False)
            yield commit
            if not committed:
                raw.execute(b"ROLLBACK", prepare=False)
    finally:
        conn.info.pop(_IN_PIPELINE, None)
        if raw.pgconn.transaction_status != TransactionStatus.IDLE and not raw.closed:
            with contextlib.suppress(Exception):  # failed midway: end it, keep the error
                raw.rollback()


def _pipelined(conn: Connection, raw: Any) -> Send:
    prepare = bool(conn.info.get(_PLANNED_ONCE))  # elsewhere: planned at every execution

    def send(statement: ClauseElement, params: Mapping[str, Any]) -> Pending:
        sql, defaults = _for_psycopg(statement, conn.dialect)
        cursor = raw.cursor()
        cursor.execute(sql, {**defaults, **params}, prepare=prepare)

        def rows() -> list[Any]:
            try:
                return list(cursor.fetchall())
            finally:
                cursor.close()

        return rows

    return send


def plan_once(conn: Connection) -> None:
    """PostgreSQL: plan this session's prepared statements once, not at every execution.

    For a connection that runs the same point lookups all day (the decision
    batcher's). Under the default ``plan_cache_mode`` PostgreSQL planned the
    exposure and restriction reads anew on every batch (their generic plan's
    estimate never won): ~0.45 ms of planning for ~0.07 ms of work. A plan
    is only as good as the table sizes it was made with, so the caller opens
    a new connection as the tables grow (see ``DecisionBatcher``): a plan
    made while a table was empty stayed a sequential scan as it grew
    (measured: 2.2 ms a lookup of kept answers instead of 0.05 ms).
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        # Every statement of such a connection is a lookup by an indexed key: a plan that
        # reads a whole table is never right for it, however small the table was when
        # planned (a kept-answer lookup planned at the first batches of a new city stayed
        # a sequential scan: 1.4 ms a lookup at 4,000 keys, logged by PostgreSQL).
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.commit()
        conn.info[_PLANNED_ONCE] = True


def _at_once(conn: Connection) -> Send:
    def send(statement: ClauseElement, params: Mapping[str, Any]) -> Pending:
        rows = read_rows(conn, statement, params)
        return lambda: rows

    return send


def _for_psycopg(statement: ClauseElement, dialect: Dialect) -> tuple[str, dict[str, Any]]:
    """The statement's SQL for psycopg and its own parameters' values, compiled once.

    Keyed by identity (statements are module constants); the statement is
    kept with its entry so that an identity is never reused for another.
    """
    key = (id(statement), dialect.name)
    found = _compiled.get(key)
    if found is None:
        with _compiling:
            compiled = cast(SQLCompiler, _arrays_for_lists(statement).compile(dialect=dialect))
            # the statement's own values (literal lists, limits); the caller's come on top
            defaults = dict(compiled.construct_params(_check=False))
            found = (statement, compiled.string, defaults)
            if len(_compiled) < MAX_COMPILED:  # module constants; a one-off is not kept
                _compiled[key] = found
    return found[1], found[2]


def _arrays_for_lists(statement: ClauseElement) -> ClauseElement:
    """``column IN (:list)`` becomes ``column = ANY(:list)``, the list bound as one array."""

    def replace(element: ExternallyTraversible, **_: Any) -> ExternallyTraversible | None:
        if (
            isinstance(element, BinaryExpression)
            and isinstance(element.right, BindParameter)
            and element.right.expanding
        ):
            if element.operator is not operators.in_op:
                raise ValueError(f"cannot send {element.operator} of a list as an array")
            array = element.right._clone()
            array.expanding = False
            array.type = ARRAY(element.left.type)
            rewritten: ExternallyTraversible = element.left == any_(array)
            return rewritten
        return None

    return cast(ClauseElement, replacement_traverse(statement, {}, replace))
