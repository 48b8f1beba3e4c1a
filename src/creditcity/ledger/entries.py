"""The ledger's entries: appended in batches, never updated, read as current state.

Writes go through :func:`append_batch`, which is idempotent per
``(source, idempotency_key)``: a batch can be re-sent after a crash and only the
rows not yet stored are added. PostgreSQL gets COPY into a temporary staging
table and one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``; SQLite gets an
``executemany`` of ``INSERT ... ON CONFLICT DO NOTHING``. Both run inside the
caller's transaction, so a batch is all there or not there at all.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Connection, and_, exists, select

from creditcity.domain.records import ENTRY_COLUMNS
from creditcity.features.schema import ENTRY_SCHEMA as FEATURE_ENTRY_SCHEMA
from creditcity.ledger import federation_outbox
from creditcity.ledger.tables import entries

INSERT_COLUMNS = (*ENTRY_COLUMNS, "received_at")
_COLS = ", ".join(INSERT_COLUMNS)
_SQLITE_INSERT = (
    f"INSERT INTO entries ({_COLS}) VALUES ({', '.join('?' * len(INSERT_COLUMNS))}) "
    "ON CONFLICT (source, idempotency_key) DO NOTHING"
)
_SQLITE_REGISTER = (
    "INSERT INTO subjects (subject, home_city, first_seen_at) VALUES (?, ?, ?) "
    "ON CONFLICT (subject) DO NOTHING"
)
_PG_REGISTER = (
    "INSERT INTO subjects (subject, home_city, first_seen_at) "
    "SELECT s, h, %s::timestamp FROM unnest(%s::text[], %s::text[]) AS t(s, h) "
    "ON CONFLICT (subject) DO NOTHING"
)
#: how SQLAlchemy's SQLite DateTime stores a timestamp (and reads it back)
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
# Only the inserted columns, and no defaults: a LIKE ... INCLUDING DEFAULTS copy would
# depend on the entries id sequence, and a DROP SCHEMA would then deadlock against a
# closing session dropping its temporary table.
_PG_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS entries_staging ON COMMIT DELETE ROWS AS "
    f"SELECT {_COLS} FROM entries WITH NO DATA"
)
# DO NOTHING also skips a key repeated inside the same batch, so no DISTINCT is needed.
_PG_MERGE = (
    f"INSERT INTO entries ({_COLS}) SELECT {_COLS} FROM entries_staging "
    "ON CONFLICT (source, idempotency_key) DO NOTHING"
)

#: live entries leave the ledger in the schema the feature engines read
ENTRY_SCHEMA = FEATURE_ENTRY_SCHEMA


class EntryAppender:
    """Appends validated batches for one import, remembering whether keys have conflicted.

    On PostgreSQL a first import (the common case) never conflicts and goes
    straight in by COPY. Once a batch conflicts (a re-run, a resumed import),
    later batches of the same import merge through a staging table instead,
    so a duplicate-heavy file does not pay for a failed COPY per batch.
    """

    def __init__(self, conn: Connection, *, share: bool = True) -> None:
        self.conn = conn
        self.conflict_seen = False
        #: queue shareable entries for the federation feed in the same transaction
        #: (off for records that came from a peer: they are never sent on)
        self.share = share

    def append(self, batch: pa.Table, received_at: datetime) -> int:
        """Append validated entries (``ENTRY_COLUMNS``); returns how many were new."""
        if batch.num_rows == 0:
            return 0
        stamped = batch.append_column(
            "received_at", pa.array([received_at] * batch.num_rows, pa.timestamp("us"))
        )
        if self.conn.dialect.name == "postgresql":
            inserted = self._append_postgres(stamped)
        else:
            inserted = _append_sqlite(self.conn, stamped)
        if self.share and inserted:
            federation_outbox.capture(self.conn, batch, received_at)
        return inserted

    def _append_postgres(self, batch: pa.Table) -> int:
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=False))
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            if not self.conflict_seen:
                cursor.execute("SAVEPOINT entries_copy")
                try:
                    _copy(cursor, "entries", buffer)
                except psycopg.errors.UniqueViolation:
                    cursor.execute("ROLLBACK TO SAVEPOINT entries_copy")
                    self.conflict_seen = True
                else:
                    cursor.execute("RELEASE SAVEPOINT entries_copy")
                    return int(batch.num_rows)
            cursor.execute(_PG_STAGING)
            _copy(cursor, "entries_staging", buffer)
            cursor.execute(_PG_MERGE)
            inserted = int(cursor.rowcount)
            cursor.execute("TRUNCATE entries_staging")
        return inserted


def append_batch(
    conn: Connection, batch: pa.Table, received_at: datetime, *, share: bool = True
) -> int:
    """Append one batch on its own (see :class:`EntryAppender` for a whole import)."""
    return EntryAppender(conn, share=share).append(batch, received_at)


def _append_sqlite(conn: Connection, batch: pa.Table) -> int:
    columns = []
    for column in batch.columns:
        # timestamps as the text form SQLAlchemy's SQLite DateTime reads back
        text = column.cast(pa.string()) if pa.types.is_timestamp(column.type) else column
        columns.append(text.to_pylist())
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(_SQLITE_INSERT, zip(*columns, strict=True))
    return int(cursor.rowcount)


def _copy(cursor: Any, table: str, buffer: io.BytesIO) -> None:
    with cursor.copy(f"COPY {table} ({_COLS}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buffer.getbuffer())


def register_subjects(conn: Connection, batch: pa.Table, first_seen_at: datetime) -> set[str]:
    """Record subjects on first sight, with the city of their first record as home."""
    homes = first_homes(batch)
    register_people(conn, homes, first_seen_at)
    return set(homes)


def first_homes(batch: pa.Table) -> dict[str, str | None]:
    """Each subject of a batch of entries and the city of their first record in it."""
    if batch.num_rows == 0:
        return {}
    firsts = (
        batch.select(["subject", "city"])
        .group_by("subject", use_threads=False)
        .aggregate([("city", "first")])
    )
    return dict(zip(firsts["subject"].to_pylist(), firsts["city_first"].to_pylist(), strict=True))


def register_people(
    conn: Connection, homes: Mapping[str, str | None], first_seen_at: datetime
) -> None:
    """Subject rows (subject -> home city) for people not yet known; known people keep theirs."""
    # in pseudonym order, so concurrent writers take row locks in the same order (no deadlock)
    if not homes:
        return
    if conn.dialect.name != "postgresql":
        # straight to the driver: an import registers a row per new person, and
        # SQLAlchemy's per-row parameter handling was a fifth of a 1M-record import
        seen = first_seen_at.strftime(_SQLITE_DATETIME)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(_SQLITE_REGISTER, ((s, homes[s], seen) for s in sorted(homes)))
        return
    # one statement over two arrays, not a row per person (three fifths of a 1M-record
    # import went to sending those rows one by one)
    people = sorted(homes)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(_PG_REGISTER, (first_seen_at, people, [homes[s] for s in people]))


def live_entries_query(
    subjects: Collection[str] | None = None, subject_range: tuple[str, str] | None = None
) -> Any:
    """Entries that are current: not retractions, and not superseded by a later entry.

    ``subjects`` narrows to some people (live rescoring); ``subject_range``
    (low inclusive, high exclusive) to a slice of pseudonyms (batch chunks).
    """
    newer = entries.alias("newer")
    superseded = exists().where(
        and_(newer.c.source == entries.c.source, newer.c.supersedes == entries.c.idempotency_key)
    )
    columns = [entries.c[name] for name in ENTRY_SCHEMA.names]
    query = select(*columns).where(entries.c.kind != "retraction", ~superseded)
    if isinstance(subjects, str):
        query = query.where(entries.c.subject == subjects)
    elif subjects is not None:
        query = query.where(entries.c.subject.in_(sorted(subjects)))
    if subject_range is not None:
        low, high = subject_range
        query = query.where(entries.c.subject >= low, entries.c.subject < high)
    return query.order_by(entries.c.entry_id)


def live_entries_arrow(
    conn: Connection,
    subjects: Collection[str] | None = None,
    *,
    subject_range: tuple[str, str] | None = None,
    batch_size: int = 200_000,
) -> pa.Table:
    """Current entries as an Arrow table in the schema the feature engines read."""
    query = live_entries_query(subjects, subject_range)
    return pa.Table.from_batches(list(_arrow_batches(conn, query, batch_size)), schema=ENTRY_SCHEMA)


def iter_live_entries(conn: Connection, batch_size: int = 200_000) -> Iterator[pa.RecordBatch]:
    """Every current entry, streamed in Arrow batches (an export of the whole ledger)."""
    return _arrow_batches(conn, live_entries_query(), batch_size)


def _arrow_batches(conn: Connection, query: Any, batch_size: int) -> Iterator[pa.RecordBatch]:
    # options on the statement, not the connection: Connection.execution_options
    # changes the connection itself, and later statements would stream too
    result = conn.execute(query.execution_options(stream_results=True, yield_per=batch_size))
    for chunk in result.partitions(batch_size):
        columns = list(zip(*chunk, strict=True))
        yield pa.RecordBatch.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, ENTRY_SCHEMA, strict=True)],
            schema=ENTRY_SCHEMA,
        )


def count_entries(conn: Connection) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(entries)).scalar_one())
