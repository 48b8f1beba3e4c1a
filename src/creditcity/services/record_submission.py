"""Record submission: a body of records (a JSON array or JSON Lines) under the file import's rules.

The rows are checked by :func:`creditcity.domain.records.validate_batch`, the
validator every imported file goes through, after the same column check
(unknown or charter-forbidden keys refuse the whole body). A row without a
``source`` is the caller's; a row naming another source refuses the whole
body before anything is stored, because a source may only speak for itself.
Accepted rows go through the file import's writer
(:func:`creditcity.services.ingest.commit_batch`: the same transactions and
deadlock retry), idempotently per ``(source, idempotency_key)``, so re-sending
a body (after a timeout, say) adds nothing twice; then the people touched are
announced, which rescores them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.records import (
    IMPORT_COLUMNS,
    ValidatedBatch,
    column_problems,
    validate_batch,
)
from creditcity.domain.storable import EXPECTED, unstorable
from creditcity.errors import InputRejected, NotAuthorised, Problem
from creditcity.ledger.entries import EntryAppender
from creditcity.ledger.group_commit import group_commit
from creditcity.ledger.unit_of_work import UnitOfWork, announce_people_changed
from creditcity.metrics import count_ingested
from creditcity.services.federation import links_for
from creditcity.services.ingest import Written, commit_batch, write_at_once

__all__ = ["MAX_BODY_BYTES", "MAX_RECORDS", "IngestOutcome", "ingest_body", "parse_records"]

MAX_RECORDS = 10_000
MAX_BODY_BYTES = 16 * 1024 * 1024
WHERE = "body"
_BIG = 10**15  # integers past this would overflow a float check: pass them on as text


@dataclass
class IngestOutcome:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    #: people rescored after the commit (0 before any model is trained)
    rescored: int = 0
    subjects: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def _refuse(message: str, problem: Problem) -> InputRejected:
    return InputRejected(message, problems=[problem])


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_records(body: bytes) -> list[Any]:
    """A JSON array of objects, or one JSON object per line (JSON Lines)."""
    if len(body) > MAX_BODY_BYTES:
        raise _refuse(
            "the body is too large",
            Problem(
                f"{len(body):,} bytes",
                WHERE,
                expected=f"at most {MAX_BODY_BYTES:,} bytes; split it",
            ),
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse("the body is not UTF-8", Problem(str(error), WHERE)) from None
    stripped = text.strip()
    if not stripped:
        raise _refuse(
            "the body is empty",
            Problem("no records", WHERE, expected="a JSON array of records or JSON Lines"),
        )
    if stripped.startswith("["):
        rows: list[Any] = _loads(stripped, WHERE, list)
        return rows
    return [
        _loads(line, f"{WHERE} line {n}", object)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def _loads(text: str, where: str, shape: type) -> Any:
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        raise _refuse(
            "the body is not valid JSON",
            Problem(str(error)[:200], where, expected="a JSON array of records or JSON Lines"),
        ) from None
    if not isinstance(value, shape):
        raise _refuse(
            "the body is not a list of records",
            Problem(f"found {type(value).__name__}", where, expected="a JSON array of objects"),
        )
    return value


def _columns(
    rows: list[Any], source: str
) -> tuple[dict[str, list[object]], list[int], list[Problem]]:
    """The object rows as column lists in import order, their row numbers, and the rows
    that are not objects (each a row problem)."""
    names: set[str] = set()
    objects: list[dict[str, Any]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(
                Problem(
                    f"row {number} is a {type(row).__name__}, not an object",
                    f"{WHERE} row {number}",
                    expected="a JSON object",
                )
            )
            continue
        plain = {k: _plain(v) for k, v in row.items()}
        if bad := _unstorable_field(plain, number):
            problems.append(bad)
            continue
        if plain.get("source") is None:
            plain["source"] = source
        names.update(plain)
        objects.append(plain)
        numbers.append(number)
    bad_columns = column_problems(sorted(names), WHERE) if names else []
    if bad_columns:
        raise InputRejected("the body has columns the import format does not", problems=bad_columns)
    ordered = [n for n in IMPORT_COLUMNS if n in names]
    return {n: [o.get(n) for o in objects] for n in ordered}, numbers, problems


def _unstorable_field(row: dict[str, object], number: int) -> Problem | None:
    """The first field of ``row`` whose text neither store can hold (the row is rejected)."""
    for name, value in row.items():
        if isinstance(value, str) and (why := unstorable(value)):
            return Problem(why, f"{WHERE} row {number}", name[:64], EXPECTED)
    return None


def _plain(value: Any) -> object:
    """JSON values as a text file would give them: booleans, nested values and huge numbers
    as text, so each is judged by the field's own rule (``true`` is not a number of days)."""
    if value is None or isinstance(value, str | float):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value if abs(value) < _BIG else str(value)
    return json.dumps(value)[:200]


def _check_sources(columns: dict[str, list[object]], caller: str) -> None:
    others = sorted({str(s) for s in columns.get("source", []) if str(s).strip() != caller})
    if others:
        raise NotAuthorised(
            f"{caller} may only submit its own records",
            problems=[
                Problem(
                    f"source '{s[:96]}' is not you",
                    WHERE,
                    "source",
                    f"'{caller}' or leave source out",
                )
                for s in others[:20]
            ],
        )


def ingest_body(
    body: bytes, *, source: str, engine: Engine, secret: str, settings: Settings | None = None
) -> IngestOutcome:
    """Validate and append a body of records as ``source``; see the module docstring."""
    rows = parse_records(body)
    if len(rows) > MAX_RECORDS:
        raise _refuse(
            "too many records in one body",
            Problem(
                f"{len(rows):,} records",
                WHERE,
                expected=f"at most {MAX_RECORDS:,}; send several bodies",
            ),
        )
    columns, numbers, shape_problems = _columns(rows, source)
    _check_sources(columns, source)
    now = datetime.now(UTC).replace(tzinfo=None)
    checked = validate_batch(columns, numbers, WHERE, secret, now)
    outcome = IngestOutcome(
        rejected=checked.rejected_rows + len(shape_problems),
        problems=shape_problems + checked.problems,
    )
    if checked.entries.num_rows:
        if settings is not None:
            checked = replace(checked, links=links_for(columns.get("national_id", []), settings))
        written = _commit(engine, checked)
        outcome.subjects = written.subjects
        outcome.accepted = written.inserted
        outcome.duplicate = checked.entries.num_rows - written.inserted
        if written.inserted:
            announced = announce_people_changed(engine, written.subjects)
            outcome.rescored = max((r for r in announced if isinstance(r, int)), default=0)
    outcome.problems.sort(key=_row_of)
    count_ingested(
        "http",
        accepted=outcome.accepted,
        duplicate=outcome.duplicate,
        rejected=outcome.rejected,
    )
    return outcome


def _commit(engine: Engine, checked: ValidatedBatch) -> Written:
    """Write an accepted body: on SQLite in a group commit with other requests' writes.

    SQLite has one writer, and a body's two transactions (arrivals, then
    entries) each waited for its turn behind every other request's; together
    with its neighbours, a body costs a share of one turn. PostgreSQL writers
    run side by side, and there arrivals commit first so that a new person's
    row is not held locked until the entries commit (see ``commit_batch``).
    """
    if engine.dialect.name == "sqlite":
        return group_commit(engine).run(
            lambda uow, _audit: write_at_once(uow, EntryAppender(uow.conn), checked)
        )
    with UnitOfWork(engine) as uow:
        return commit_batch(uow, EntryAppender(uow.conn), checked)


def _row_of(problem: Problem) -> int:
    tail = problem.where.rsplit(" row ", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0
