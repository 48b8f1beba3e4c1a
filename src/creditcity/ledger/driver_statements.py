"""Hot-path statements handed to the database driver, compiled once by SQLAlchemy.

    rows = read_rows(conn, statement, params)   # tuples, values converted as SQLAlchemy would
    write_rows(conn, insert_statement, rows)    # one statement, no result
    write_together(conn, [(insert_a, rows_a), (insert_b, rows_b)])

A decision batch runs about a dozen statements. Through ``Connection.execute``
each paid SQLAlchemy's per-execution machinery: an execution context, the
parameters built again for every row, expanding ``IN`` lists compiled anew,
a result proxy. Profiled in-process on SQLite, that came to about 90 µs a
statement, more than the driver's own work, and the writer's turn is held
through all of it. Here a statement is compiled once per dialect (and per
set of inserted columns), and each execution only converts the values with
the column types' own bind and result processors, so what the database
receives and what the caller gets back are what ``Connection.execute`` would
have given: the same SQL, the same stored formats.

On SQLite an insert is the driver's ``executemany``. On PostgreSQL psycopg
would send one bound statement per row, so the rows go as one JSON parameter
(``INSERT ... SELECT ... FROM json_populate_recordset``), and
:func:`write_together` sends several tables' inserts as one statement.

Expanding lists (``column IN (:list)``) are rendered with one placeholder per
element, cached per list length, as SQLAlchemy renders them. A statement this
module cannot run as compiled (an empty list, Python-side column defaults,
literal-rendered parameters) goes through ``Connection.execute`` as before.
Driver errors are raised as SQLAlchemy's own ``DBAPIError`` subclasses, so
callers that tell a store's failure from a refusal keep telling them apart.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table, literal_column, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnClause

__all__ = ["Write", "read_rows", "write_rows", "write_together"]

#: compiled statements kept at most (the hot path's are a handful of module constants)
MAX_COMPILED = 256
_POSTCOMPILE = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_ROWS = "creditcity_rows"

Processor = Callable[[Any], Any] | None
#: an INSERT statement and the rows it writes
Write = tuple[ClauseElement, Sequence[Mapping[str, Any]]]


@dataclass(slots=True)
class _Compiled:
    statement: ClauseElement  # kept, so that its id is never reused for another
    sql: str
    #: the parameters' names in placeholder order (qmark), or None (named: pyformat)
    order: tuple[str, ...] | None
    defaults: dict[str, Any]
    binds: dict[str, Callable[[Any], Any]]
    expanding: frozenset[str]
    results: tuple[Processor, ...]
    #: PostgreSQL: the rows go as one JSON document, read back into the table's row type
    as_json: bool = False
    #: the SQL with each expanding list rendered, per tuple of list lengths
    rendered: dict[tuple[int, ...], str] = field(default_factory=dict)


_compiled: dict[tuple[int, str, tuple[str, ...]], _Compiled | None] = {}
_compiling = threading.Lock()


def read_rows(
    conn: Connection, statement: ClauseElement, params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows of a SELECT, as tuples whose values SQLAlchemy's result types converted."""
    compiled = _compile(conn, statement, ())
    if compiled is None or not _expandable(compiled, params):
        return [tuple(row) for row in conn.execute(statement, dict(params))]  # type: ignore[call-overload]
    sql, values = _bound(compiled, params)
    with _driver_errors(conn, sql, values):
        cursor = _raw(conn).cursor()
        try:
            cursor.execute(sql, values)
            found = cursor.fetchall()
        finally:
            cursor.close()
    processors = compiled.results
    if not any(processors):
        return [tuple(row) for row in found]
    return [
        tuple(value if p is None else p(value) for p, value in zip(processors, row, strict=True))
        for row in found
    ]


def write_rows(
    conn: Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Run an INSERT (without RETURNING) for ``rows``, which share one set of keys."""
    if not rows:
        return
    keys = tuple(rows[0])
    compiled = _compile(conn, statement, keys)
    if compiled is None or compiled.expanding:
        conn.execute(statement, [dict(r) for r in rows])  # type: ignore[call-overload]
        return
    if compiled.as_json:
        _send_json(conn, compiled.sql, {_ROWS: _document(rows)})
        return
    if compiled.order is None:
        values: list[Any] = [_named(compiled, row) for row in rows]
    else:
        values = [_positional(compiled, compiled.order, row) for row in rows]
    with _driver_errors(conn, compiled.sql, values):
        cursor = _raw(conn).cursor()
        try:
            cursor.executemany(compiled.sql, values)
        finally:
            cursor.close()


def write_together(conn: Connection, writes: Sequence[Write]) -> None:
    """Run several INSERTs (without RETURNING): on PostgreSQL as one statement.

    Each write is ``(statement, rows)``; writes without rows are skipped. On
    PostgreSQL the inserts become data-modifying ``WITH`` clauses of one
    statement, each reading its rows from its own JSON parameter: one
    statement to parse, send and answer instead of one per table. They must
    not depend on each other's rows (in one statement none sees the others').
    Elsewhere each runs in turn.
    """
    todo = [(statement, rows) for statement, rows in writes if rows]
    if len(todo) > 1 and conn.dialect.name == "postgresql":
        parts = [_compile(conn, statement, tuple(rows[0])) for statement, rows in todo]
        if all(part is not None and part.as_json for part in parts):
            sql, params = _as_one([p.sql for p in parts if p is not None], [r for _, r in todo])
            _send_json(conn, sql, params)
            return
    for statement, rows in todo:
        write_rows(conn, statement, rows)


def _as_one(
    inserts: list[str], rows: list[Sequence[Mapping[str, Any]]]
) -> tuple[str, dict[str, str]]:
    named = [sql.replace(f"%({_ROWS})s", f"%({_ROWS}_{i})s") for i, sql in enumerate(inserts)]
    clauses = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(named[:-1]))
    params = {f"{_ROWS}_{i}": _document(r) for i, r in enumerate(rows)}
    return f"WITH {clauses} {named[-1]}", params


def _document(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(rows, default=_json_value, ensure_ascii=False)


def _send_json(conn: Connection, sql: str, params: Mapping[str, str]) -> None:
    with _driver_errors(conn, sql, params):
        _raw(conn).execute(sql, params).close()


def _compile(conn: Connection, statement: ClauseElement, keys: tuple[str, ...]) -> _Compiled | None:
    dialect = conn.dialect
    key = (id(statement), dialect.name, keys)
    try:
        return _compiled[key]
    except KeyError:
        pass
    with _compiling:
        found = _prepare(statement, conn, keys)
        if len(_compiled) < MAX_COMPILED:  # module constants; a one-off is not kept
            _compiled[key] = found
    return found


def _prepare(statement: ClauseElement, conn: Connection, keys: tuple[str, ...]) -> _Compiled | None:
    dialect = conn.dialect
    if keys and dialect.name == "postgresql" and isinstance(statement, Insert):
        return _as_json(statement, dialect, keys)
    compiled = cast(
        SQLCompiler, statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
    )
    if compiled.literal_execute_params or compiled.insert_prefetch:
        return None  # literals rendered per execution, Python-side defaults
    if compiled.effective_returning:
        return None  # RETURNING: SQLAlchemy's own execution reads it
    defaults = dict(compiled.construct_params(_check=False))
    # by rendered name (an anonymous bind's key is not the name it is sent under)
    expanding = frozenset(name for name in defaults if compiled.binds[name].expanding)
    if expanding and compiled.positiontup is None:
        return None  # lists in a named paramstyle: PostgreSQL sends them as arrays elsewhere
    binds: dict[str, Callable[[Any], Any]] = {}
    for name, processor in compiled._bind_processors.items():
        if not callable(processor):
            return None  # one processor per element of a tuple: SQLAlchemy's own execution
        binds[name] = processor
    results = tuple(
        column.type._cached_result_processor(dialect, None) for column in compiled._result_columns
    )
    return _Compiled(
        statement,
        compiled.string,
        tuple(compiled.positiontup) if compiled.positiontup is not None else None,
        defaults,
        binds,
        expanding,
        results,
    )


def _as_json(statement: Insert, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled | None:
    """``INSERT ... SELECT`` from the rows sent as one JSON parameter (PostgreSQL).

    psycopg sends an ``executemany`` as one bound statement per row, each of
    its values adapted in Python; one JSON document is one C-encoded string,
    and PostgreSQL casts its fields to the columns' types
    (``json_populate_recordset``). What is stored is what the row-by-row
    insert stored (the tests compare them).
    """
    if statement._values or statement.select is not None:
        return None
    as_rows = statement.compile(dialect=dialect, column_keys=list(keys))
    if as_rows.insert_prefetch or as_rows.effective_returning:
        return None  # Python-side defaults or RETURNING: SQLAlchemy's own execution
    quote = dialect.identifier_preparer
    table = cast(Table, statement.table)
    if any(k not in table.c for k in keys):
        return None
    columns: list[ColumnClause[Any]] = [literal_column(quote.quote(k)) for k in keys]
    rows = f"json_populate_recordset(NULL::{quote.format_table(table)}, CAST(:{_ROWS} AS json))"
    source = select(*columns).select_from(text(rows))
    compiled = statement.from_select(list(keys), source).compile(dialect=dialect)
    return _Compiled(statement, compiled.string, None, {}, {}, frozenset(), (), as_json=True)


def _json_value(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself, as PostgreSQL reads it into a column."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def _expandable(compiled: _Compiled, params: Mapping[str, Any]) -> bool:
    """Every expanding list present and non-empty (SQLAlchemy renders an empty one its way)."""
    for name in compiled.expanding:
        value = params.get(name, compiled.defaults.get(name))
        if not value:
            return False
    return True


def _bound(compiled: _Compiled, params: Mapping[str, Any]) -> tuple[str, Any]:
    if compiled.order is None:
        return compiled.sql, _named(compiled, params)
    if not compiled.expanding:
        return compiled.sql, _positional(compiled, compiled.order, params)
    lists = {n: list(params.get(n, compiled.defaults.get(n)) or ()) for n in compiled.expanding}
    lengths = tuple(len(lists[n]) for n in compiled.order if n in lists)
    sql = compiled.rendered.get(lengths)
    if sql is None:
        sql = _POSTCOMPILE.sub(lambda m: ", ".join("?" * len(lists[m.group(1)])), compiled.sql)
        if len(compiled.rendered) < MAX_COMPILED:
            compiled.rendered[lengths] = sql
    values: list[Any] = []
    for name in compiled.order:
        processor = compiled.binds.get(name)
        if name in lists:
            values.extend(lists[name] if processor is None else map(processor, lists[name]))
        else:
            value = params[name] if name in params else compiled.defaults[name]
            values.append(value if processor is None else processor(value))
    return sql, values


def _positional(
    compiled: _Compiled, order: tuple[str, ...], row: Mapping[str, Any]
) -> tuple[Any, ...]:
    binds, defaults = compiled.binds, compiled.defaults
    out = []
    for name in order:
        value = row[name] if name in row else defaults[name]
        processor = binds.get(name)
        out.append(value if processor is None else processor(value))
    return tuple(out)


def _named(compiled: _Compiled, row: Mapping[str, Any]) -> dict[str, Any]:
    values = {**compiled.defaults, **row}
    for name, processor in compiled.binds.items():
        if name in values:
            values[name] = processor(values[name])
    return values


def _raw(conn: Connection) -> Any:
    raw = conn.connection.driver_connection
    assert raw is not None
    return raw


@contextmanager
def _driver_errors(conn: Connection, sql: str, params: Any) -> Iterator[None]:
    """Raise the driver's errors as SQLAlchemy's ``DBAPIError`` subclasses."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        raise DBAPIError.instance(sql, params, error, dbapi.Error, dialect=conn.dialect) from error


def driver_errors(conn: Connection, what: str) -> AbstractContextManager[None]:
    """Raise the driver's errors in the block as SQLAlchemy's ``DBAPIError`` subclasses
    (``what``: the statement or step they are reported for)."""
    return _driver_errors(conn, what, None)
