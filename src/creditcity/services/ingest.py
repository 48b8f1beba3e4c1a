"""Bulk import of records: validate, deduplicate, append; never lose or double a row.

Each batch is validated, then appended in its own transaction, so a process
killed mid-file keeps every batch it committed and a re-run appends only
what is missing (the idempotency key decides). On PostgreSQL batches are
written by ``ingest_writers`` connections at once and may commit out of
file order, which the idempotency key makes harmless. ``all_or_nothing``
instead holds the whole file in one transaction and rolls back if any row
was rejected.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from creditcity.config import Settings
from creditcity.domain.bulk_validation import validate_arrow
from creditcity.domain.records import ValidatedBatch, validate_batch
from creditcity.errors import InputRejected, Problem
from creditcity.ingest.readers import Batch, file_format, progress_total, read_batches
from creditcity.ledger.arrivals import Arrived, register_arrivals
from creditcity.ledger.db import analyse
from creditcity.ledger.entries import EntryAppender, first_homes
from creditcity.ledger.unit_of_work import UnitOfWork, announce_people_changed
from creditcity.services.federation import links_for

MAX_PROBLEMS_KEPT = 1000
#: a batch that deadlocked against another writer is retried this many times
DEADLOCK_RETRIES = 3

Progress = Callable[[str, int, int], None]  # (file, advance, total)


@dataclass
class FileReport:
    path: str
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    rolled_back: bool = False
    file_rejected: bool = False
    problems: list[Problem] = field(default_factory=list)

    def keep(self, problems: Iterable[Problem]) -> None:
        room = MAX_PROBLEMS_KEPT - len(self.problems)
        if room > 0:
            self.problems.extend(list(problems)[:room])


@dataclass
class IngestReport:
    files: list[FileReport]

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def duplicate(self) -> int:
        return sum(f.duplicate for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and not any(f.file_rejected for f in self.files)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ingest_files(
    paths: list[Path],
    *,
    engine: Engine,
    settings: Settings,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Import every file; a file-level problem rejects that file and the others go on."""
    reports = []
    for path in paths:
        report = FileReport(str(path))
        try:
            total = progress_total(path, file_format(path))
            _ingest_file(path, report, engine, settings, all_or_nothing, total, progress)
        except InputRejected as error:
            report.file_rejected = True
            report.keep(error.problems or [Problem(error.message, str(path))])
        reports.append(report)
    analyse(engine, "entries", "subjects")  # a bulk import changes what the planner should see
    return IngestReport(reports)


def _ingest_file(
    path: Path,
    report: FileReport,
    engine: Engine,
    settings: Settings,
    all_or_nothing: bool,
    total: int,
    progress: Progress | None,
) -> None:
    batches = _validated_ahead(
        read_batches(path, settings.ingest_batch_size), report.path, settings
    )
    if all_or_nothing:
        _ingest_whole(batches, path, report, engine, total, progress)
        return
    writers = settings.ingest_writers if engine.dialect.name == "postgresql" else 1
    with _Writers(engine, writers) as pool:
        pending: deque[tuple[Batch, ValidatedBatch, Future[Written]]] = deque()
        for batch, validated in batches:
            pending.append((batch, validated, pool.submit(validated)))
            while len(pending) > writers:
                _settle(*pending.popleft(), path, report, total, progress, engine)
        while pending:
            _settle(*pending.popleft(), path, report, total, progress, engine)


def _ingest_whole(
    batches: Iterator[tuple[Batch, ValidatedBatch]],
    path: Path,
    report: FileReport,
    engine: Engine,
    total: int,
    progress: Progress | None,
) -> None:
    """``--all-or-nothing``: one transaction for the file, rolled back if any row was rejected."""
    with UnitOfWork(engine) as uow:
        touched: set[str] = set()
        appender = EntryAppender(uow.conn)
        for batch, validated in batches:
            written = write_at_once(uow, appender, validated)
            _account(batch, validated, written, report)
            touched |= written.subjects
            if progress:
                progress(str(path), batch.progress, total)
        if report.rejected:
            uow.rollback()
            report.rolled_back = True
            report.accepted = 0
            return
        uow.people_changed(touched)
        uow.commit()


@dataclass(frozen=True, slots=True)
class Written:
    """What one committed batch did to the ledger."""

    inserted: int
    subjects: set[str]


class _Writers:
    """Batches written on ``count`` threads, each with its own connection; each batch commits.

    Committed batches survive a crash whatever their order, and a re-run
    appends only what is missing, so batches need not land in file order.
    PostgreSQL does the index maintenance of each COPY in the connection's
    own server process: two writers keep both cores busy where one leaves
    the server waiting on the client between batches.
    """

    def __init__(self, engine: Engine, count: int) -> None:
        self._engine = engine
        self._pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="write")
        self._local = threading.local()
        self._opened: list[UnitOfWork] = []
        self._lock = threading.Lock()

    def __enter__(self) -> _Writers:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # on failure, batches not yet started are dropped; started ones finish or roll back
        self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)
        for uow in self._opened:
            uow.__exit__(None, None, None)

    def submit(self, validated: ValidatedBatch) -> Future[Written]:
        return self._pool.submit(self._commit, validated)

    def _commit(self, validated: ValidatedBatch) -> Written:
        uow, appender = self._own()
        return commit_batch(uow, appender, validated)

    def _own(self) -> tuple[UnitOfWork, EntryAppender]:
        mine: tuple[UnitOfWork, EntryAppender] | None = getattr(self._local, "writer", None)
        if mine is None:
            uow = UnitOfWork(self._engine).__enter__()
            with self._lock:
                self._opened.append(uow)
            mine = (uow, EntryAppender(uow.conn))
            self._local.writer = mine
        return mine


def commit_batch(uow: UnitOfWork, appender: EntryAppender, validated: ValidatedBatch) -> Written:
    """Append a validated batch for good: every writer of records (files, HTTP) goes here.

    Subjects first, in a transaction of their own: a batch holding a new
    subject's row lock until its entries commit would make another writer wait
    whenever two batches share a person. A deadlock against another writer is
    retried; the idempotency key makes a retry harmless. The caller announces
    the people changed (in file order for imports).
    """
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            arrived = _arrive(uow, validated, now_utc())
            uow.commit()
            inserted = appender.append(validated.entries, now_utc())
            uow.commit()
            return Written(inserted, set(arrived.people))
        except (DBAPIError, psycopg.errors.DeadlockDetected) as error:
            uow.rollback()
            if attempt == DEADLOCK_RETRIES or not _is_deadlock(error):
                raise
    raise AssertionError("unreachable")


def _is_deadlock(error: Exception) -> bool:
    """Two writers can wait on each other's rows when a file repeats keys across batches."""
    original = getattr(error, "orig", error)
    return isinstance(original, psycopg.errors.DeadlockDetected)


def _settle(
    batch: Batch,
    validated: ValidatedBatch,
    future: Future[Written],
    path: Path,
    report: FileReport,
    total: int,
    progress: Progress | None,
    engine: Engine,
) -> None:
    """Account for a committed batch, in file order, on the calling thread."""
    written = future.result()
    _account(batch, validated, written, report)
    announce_people_changed(engine, written.subjects)
    if progress:
        progress(str(path), batch.progress, total)


def _validate(batch: Batch, path: str, settings: Settings) -> ValidatedBatch:
    now = now_utc()
    secret = settings.pseudonym_secret
    validated: ValidatedBatch | None = None
    if batch.table is not None:
        first = batch.row_numbers[0] if batch.row_numbers else 1
        validated = validate_arrow(batch.table, first, path, secret, now)
        if validated is None:
            batch.columns = batch.table.to_pydict()
    if validated is None:
        validated = validate_batch(batch.columns, batch.row_numbers, path, secret, now)
    if settings.federation_secret is None:
        return validated
    return replace(validated, links=links_for(_national_ids(batch), settings))


def _national_ids(batch: Batch) -> list[object]:
    if batch.table is not None and "national_id" in batch.table.column_names:
        return list(batch.table["national_id"].unique().to_pylist())
    return list(batch.columns.get("national_id", []))


def _validated_ahead(
    batches: Iterator[Batch], path: str, settings: Settings
) -> Iterator[tuple[Batch, ValidatedBatch]]:
    """Validate the next batch on a second thread while the database takes this one.

    The database does its work in its own process (PostgreSQL) or with the
    GIL released (SQLite), and Arrow's compute kernels release it too, so on
    two cores validation and writing overlap instead of taking turns.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate") as pool:
        pending: tuple[Batch, Future[ValidatedBatch]] | None = None
        for batch in batches:
            future = pool.submit(_validate, batch, path, settings)
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = (batch, future)
        if pending is not None:
            yield pending[0], pending[1].result()


def write_at_once(uow: UnitOfWork, appender: EntryAppender, validated: ValidatedBatch) -> Written:
    """Arrivals and entries in the caller's transaction, which commits them (a group commit)."""
    received_at = now_utc()
    arrived = _arrive(uow, validated, received_at)
    return Written(appender.append(validated.entries, received_at), set(arrived.people))


def _arrive(uow: UnitOfWork, validated: ValidatedBatch, now: datetime) -> Arrived:
    """The batch's people, home where their first record says, linked as a decision links them."""
    return register_arrivals(uow.conn, first_homes(validated.entries), validated.links, now)


def _account(batch: Batch, validated: ValidatedBatch, written: Written, report: FileReport) -> None:
    report.rejected += batch.rejected_rows + validated.rejected_rows
    report.keep(sorted(batch.problems + validated.problems, key=_row_order))
    report.accepted += written.inserted
    report.duplicate += validated.entries.num_rows - written.inserted


def _row_order(problem: Problem) -> int:
    tail = problem.where.rsplit(" row ", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0
