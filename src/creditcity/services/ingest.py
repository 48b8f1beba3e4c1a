"""Bulk import of records: validate, deduplicate, append; never lose or double a row.

Each batch is validated, then appended in its own transaction, so a process
killed mid-file keeps every batch it committed and a re-run appends only
what is missing (the idempotency key decides). ``all_or_nothing`` instead
holds the whole file in one transaction and rolls back if any row was
rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.bulk_validation import validate_arrow
from creditcity.domain.records import ValidatedBatch, validate_batch
from creditcity.errors import InputRejected, Problem
from creditcity.ingest.readers import Batch, file_format, progress_total, read_batches
from creditcity.ledger.entries import EntryAppender, register_subjects
from creditcity.ledger.unit_of_work import UnitOfWork

MAX_PROBLEMS_KEPT = 1000

Progress = Callable[[str, int, int], None]  # (file, advance, total)
Committed = Callable[[set[str]], None]  # subjects whose records just landed


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
    on_committed: Committed | None = None,
) -> IngestReport:
    """Import every file; a file-level problem rejects that file and the others go on."""
    reports = []
    for path in paths:
        report = FileReport(str(path))
        try:
            total = progress_total(path, file_format(path))
            _ingest_file(
                path, report, engine, settings, all_or_nothing, total, progress, on_committed
            )
        except InputRejected as error:
            report.file_rejected = True
            report.keep(error.problems or [Problem(error.message, str(path))])
        reports.append(report)
    return IngestReport(reports)


def _ingest_file(
    path: Path,
    report: FileReport,
    engine: Engine,
    settings: Settings,
    all_or_nothing: bool,
    total: int,
    progress: Progress | None,
    on_committed: Committed | None,
) -> None:
    with UnitOfWork(engine) as uow:
        touched: set[str] = set()
        appender = EntryAppender(uow.conn)
        batches = read_batches(path, settings.ingest_batch_size)
        for batch, validated in _validated_ahead(batches, report.path, settings.pseudonym_secret):
            subjects = _append(uow, appender, batch, validated, report)
            touched |= subjects
            if not all_or_nothing:
                uow.commit()
                if on_committed and subjects:
                    on_committed(subjects)
            if progress:
                progress(str(path), batch.progress, total)
        if all_or_nothing and report.rejected:
            uow.rollback()
            report.rolled_back = True
            report.accepted = 0
            return
        uow.commit()
        if all_or_nothing and on_committed and touched:
            on_committed(touched)


def _validate(batch: Batch, path: str, secret: str) -> ValidatedBatch:
    now = now_utc()
    if batch.table is not None:
        first = batch.row_numbers[0] if batch.row_numbers else 1
        fast = validate_arrow(batch.table, first, path, secret, now)
        if fast is not None:
            return fast
        batch.columns = batch.table.to_pydict()
    return validate_batch(batch.columns, batch.row_numbers, path, secret, now)


def _validated_ahead(
    batches: Iterator[Batch], path: str, secret: str
) -> Iterator[tuple[Batch, ValidatedBatch]]:
    """Validate the next batch on a second thread while the database takes this one.

    The database does its work in its own process (PostgreSQL) or with the
    GIL released (SQLite), and Arrow's compute kernels release it too, so on
    two cores validation and writing overlap instead of taking turns.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate") as pool:
        pending: tuple[Batch, Future[ValidatedBatch]] | None = None
        for batch in batches:
            future = pool.submit(_validate, batch, path, secret)
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = (batch, future)
        if pending is not None:
            yield pending[0], pending[1].result()


def _append(
    uow: UnitOfWork,
    appender: EntryAppender,
    batch: Batch,
    validated: ValidatedBatch,
    report: FileReport,
) -> set[str]:
    report.rejected += batch.rejected_rows + validated.rejected_rows
    report.keep(sorted(batch.problems + validated.problems, key=_row_order))
    received_at = now_utc()
    subjects = register_subjects(uow.conn, validated.entries, received_at)
    inserted = appender.append(validated.entries, received_at)
    report.accepted += inserted
    report.duplicate += validated.entries.num_rows - inserted
    return subjects


def _row_order(problem: Problem) -> int:
    tail = problem.where.rsplit(" row ", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0
