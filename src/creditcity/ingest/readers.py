"""Stream import files as columnar batches with their row numbers.

Each reader yields :class:`Batch` objects of at most ``batch_size`` rows, so a
10-million-row file never needs 10 million rows in memory. Problems that
belong to the whole file (unreadable, wrong encoding, unknown columns) raise
:class:`InputRejected`; problems of one row (bad UTF-8 on that line, a wrong
number of CSV fields, a JSON line that is not an object) travel with the batch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from creditcity.domain.records import IMPORT_COLUMNS, column_problems
from creditcity.errors import InputRejected, Problem

FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass
class Batch:
    """Rows as column lists (text files) or as an Arrow table (Parquet), with row numbers."""

    columns: dict[str, list[object]]
    row_numbers: list[int]
    table: pa.Table | None = None
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: int = 0
    progress: int = 0  # units advanced (bytes for text files, rows for Parquet)


def _file_error(path: Path, message: str, expected: str = "") -> InputRejected:
    return InputRejected(
        f"{path.name}: file rejected", problems=[Problem(message, str(path), expected=expected)]
    )


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _file_error(
            path,
            f"unsupported file type '{path.suffix}'",
            "a .csv, .jsonl/.ndjson or .parquet file",
        )
    if not path.is_file():
        raise _file_error(path, "no such file")
    return fmt


def progress_total(path: Path, fmt: str) -> int:
    if fmt == "parquet":
        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except (pa.ArrowException, OSError) as error:
            raise _file_error(path, f"not a readable Parquet file ({error})") from None
    return path.stat().st_size


def read_batches(path: Path, batch_size: int) -> Iterator[Batch]:
    fmt = file_format(path)
    if fmt == "parquet":
        return _parquet(path, batch_size)
    if fmt == "csv":
        return _csv(path, batch_size)
    return _jsonl(path, batch_size)


def _check_columns(path: Path, names: list[str]) -> None:
    problems = column_problems(names, str(path))
    if problems:
        raise InputRejected(f"{path.name}: columns rejected", problems=problems)


def _parquet(path: Path, batch_size: int) -> Iterator[Batch]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise _file_error(path, f"not a readable Parquet file ({error})") from None
    _check_columns(path, parquet.schema_arrow.names)
    start = 1
    try:
        for record_batch in parquet.iter_batches(batch_size=batch_size):
            count = record_batch.num_rows
            table = pa.Table.from_batches([record_batch])
            yield Batch({}, list(range(start, start + count)), table=table, progress=count)
            start += count
    except pa.ArrowException as error:
        raise _file_error(
            path, f"Parquet data is corrupt after row {start - 1} ({error})"
        ) from None


def _sniff_encoding(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error(path, "the file is UTF-16 encoded", "UTF-8; re-save the file as UTF-8")


def _decoded_lines(path: Path, bad_lines: set[int], sizes: list[int]) -> Iterator[str]:
    """Lines as text; a line that is not UTF-8 is noted and replaced, never fatal."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            sizes[0] += len(raw)
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")


class _Accumulator:
    """Gathers rows into column lists, flushing a Batch every ``size`` rows."""

    def __init__(self, names: list[str], size: int) -> None:
        self.names, self.size = names, size
        self.reset()

    def reset(self) -> None:
        self.columns: dict[str, list[object]] = {n: [] for n in self.names}
        self.numbers: list[int] = []
        self.problems: list[Problem] = []
        self.rejected = 0

    def add(self, number: int, values: dict[str, object]) -> None:
        for name in self.names:
            self.columns[name].append(values.get(name))
        self.numbers.append(number)

    def reject(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.rejected += 1

    def full(self) -> bool:
        return len(self.numbers) + self.rejected >= self.size

    def flush(self, progress: int) -> Batch:
        batch = Batch(
            self.columns,
            self.numbers,
            problems=self.problems,
            rejected_rows=self.rejected,
            progress=progress,
        )
        self.reset()
        return batch


# One loop over the rows, with its error cases inline, streams the file without a
# generator per row.
def _csv(path: Path, batch_size: int) -> Iterator[Batch]:  # noqa: C901
    _sniff_encoding(path)
    bad_lines: set[int] = set()
    sizes, reported = [0], 0
    reader = csv.reader(_decoded_lines(path, bad_lines, sizes))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise _file_error(path, "the file is empty", "a header, then a row per record") from None
    except csv.Error as error:
        raise _file_error(path, f"the header is not CSV ({error})") from None
    if bad_lines:
        raise _file_error(path, "the header is not valid UTF-8", "UTF-8; re-save the file")
    _check_columns(path, header)
    acc = _Accumulator(header, batch_size)
    while True:
        first = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            acc.reject(Problem(f"malformed CSV ({error})", f"{path} row {first}"))
            continue
        where = f"{path} row {first}"
        if any(n in bad_lines for n in range(first, reader.line_num + 1)):
            acc.reject(
                Problem(
                    "the row is not valid UTF-8",
                    where,
                    expected="UTF-8 text; re-save the file as UTF-8",
                )
            )
        elif not fields or fields == [""]:
            continue
        elif len(fields) != len(header):
            acc.reject(
                Problem(
                    f"has {len(fields)} fields, the header has {len(header)}",
                    where,
                    expected="one value per header column (quote values with commas)",
                )
            )
        else:
            acc.add(first, dict(zip(header, fields, strict=True)))
        if acc.full():
            yield acc.flush(sizes[0] - reported)
            reported = sizes[0]
    yield acc.flush(sizes[0] - reported)


def _jsonl(path: Path, batch_size: int) -> Iterator[Batch]:
    _sniff_encoding(path)
    bad_lines: set[int] = set()
    sizes, reported = [0], 0
    acc = _Accumulator(list(IMPORT_COLUMNS), batch_size)
    for number, line in enumerate(_decoded_lines(path, bad_lines, sizes), start=1):
        where = f"{path} row {number}"
        if not line.strip():
            continue
        if number in bad_lines:
            acc.reject(Problem("the line is not valid UTF-8", where, expected="UTF-8 text"))
        else:
            _json_row(acc, number, line, where)
        if acc.full():
            yield acc.flush(sizes[0] - reported)
            reported = sizes[0]
    yield acc.flush(sizes[0] - reported)


def _json_row(acc: _Accumulator, number: int, line: str, where: str) -> None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        acc.reject(
            Problem(
                f"is not JSON ({error.msg} at column {error.colno})",
                where,
                expected="one JSON object per line",
            )
        )
        return
    if not isinstance(value, dict):
        acc.reject(Problem("is not a JSON object", where, expected="one JSON object per line"))
        return
    unknown = column_problems(list(value), where)
    unknown = [p for p in unknown if "missing" not in p.message]
    if unknown:
        acc.problems.extend(unknown)
        acc.rejected += 1
        return
    acc.add(number, value)
