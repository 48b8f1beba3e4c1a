"""Write a synthetic city to ``residents.parquet``, ``records.parquet`` and ``outcomes.parquet``.

Blocks are generated one at a time and grouped into chunks of about
``chunk_size`` residents; each chunk becomes one row group of each file, then
is dropped, so memory stays bounded whatever the number of residents. Files
are written under a ``.partial`` name and renamed when complete, so an
interrupted run never leaves a file that looks finished.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from creditcity.errors import InputRejected, Problem
from creditcity.sim.block import BLOCK_SIZE, BlockResult, World
from creditcity.sim.events import concat
from creditcity.sim.people import concat_people
from creditcity.sim.spec import SimulationSpec
from creditcity.sim.tables import (
    OUTCOME_SCHEMA,
    RECORD_SCHEMA,
    RESIDENT_SCHEMA,
    national_ids,
    outcomes_table,
    records_table,
    residents_table,
)
from creditcity.sim.text import digits

FILES = {"residents": RESIDENT_SCHEMA, "records": RECORD_SCHEMA, "outcomes": OUTCOME_SCHEMA}
COMPRESSION = "zstd"

#: Called after each chunk with (residents done, residents in total, records written so far).
Progress = Callable[[int, int, int], None]


@dataclass(slots=True)
class SimulationSummary:
    """What a run wrote, for the CLI's summary and --json output."""

    residents: int
    records: int
    defaulted: int
    years: int
    seed: int
    as_of: str
    chunks: int
    seconds: float
    files: dict[str, str] = field(default_factory=dict)

    @property
    def default_rate(self) -> float:
        return self.defaulted / self.residents if self.residents else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "residents": self.residents,
            "records": self.records,
            "records_per_resident": round(self.records / max(self.residents, 1), 2),
            "default_rate": round(self.default_rate, 4),
            "years": self.years,
            "seed": self.seed,
            "as_of": self.as_of,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "files": self.files,
        }


def chunks(world: World, chunk_size: int) -> Iterator[list[BlockResult]]:
    """Consecutive groups of blocks holding about ``chunk_size`` residents each."""
    per_chunk = max(1, -(-chunk_size // BLOCK_SIZE))
    for start in range(0, world.blocks, per_chunk):
        stop = min(start + per_chunk, world.blocks)
        yield [world.block(b) for b in range(start, stop)]


def chunk_tables(
    blocks: list[BlockResult], as_of_days: int, training_days: int
) -> dict[str, pa.Table]:
    """The three tables of one chunk of consecutive blocks."""
    people = concat_people([b.people for b in blocks])
    offsets = list(np.cumsum([0] + [len(b.people) for b in blocks[:-1]]))
    events = concat([b.events for b in blocks], [int(o) for o in offsets])
    ids = national_ids(people)
    defaulted = np.concatenate([b.defaulted for b in blocks])
    training = np.concatenate([b.defaulted_training for b in blocks])
    return {
        "residents": residents_table(people, ids),
        "records": records_table(events, ids, digits(people.serial, 12)),
        "outcomes": outcomes_table(ids, training_days, training, as_of_days, defaulted),
    }


def simulate(
    spec: SimulationSpec, out: Path, progress: Progress | None = None
) -> SimulationSummary:
    """Generate the city described by ``spec`` into directory ``out`` (created if missing).

    Generation runs on the calling thread while one background thread writes
    the previous chunk (Parquet encoding releases the GIL), so the two
    halves of the work overlap on two cores; at most two chunks are in memory.
    """
    spec.validate()
    _prepare(out)
    world = World.build(spec.seed, spec.residents, spec.as_of, spec.years)
    as_of_days = int(np.datetime64(spec.as_of.isoformat(), "D").astype(np.int64))
    training_days = int(np.datetime64(spec.training_as_of.isoformat(), "D").astype(np.int64))
    began = time.perf_counter()
    tally = _Tally()
    try:
        with ExitStack() as stack:
            writers = {
                name: stack.enter_context(_writer(out / f"{name}.parquet.partial", schema))
                for name, schema in FILES.items()
            }
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=1))
            pending: Future[None] | None = None
            for blocks in chunks(world, spec.chunk_size):
                tables = chunk_tables(blocks, as_of_days, training_days)
                if pending is not None:
                    pending.result()
                tally.add(tables)
                pending = pool.submit(_write_chunk, writers, tables)
                if progress is not None:
                    progress(tally.residents, spec.residents, tally.records)
            if pending is not None:
                pending.result()
    except BaseException:
        for name in FILES:
            (out / f"{name}.parquet.partial").unlink(missing_ok=True)
        raise
    files = {}
    for name in FILES:
        final = out / f"{name}.parquet"
        os.replace(out / f"{name}.parquet.partial", final)
        files[name] = str(final)
    return SimulationSummary(
        residents=tally.residents,
        records=tally.records,
        defaulted=tally.defaulted,
        years=spec.years,
        seed=spec.seed,
        as_of=spec.as_of.isoformat(),
        chunks=tally.chunks,
        seconds=time.perf_counter() - began,
        files=files,
    )


@dataclass(slots=True)
class _Tally:
    residents: int = 0
    records: int = 0
    defaulted: int = 0
    chunks: int = 0

    def add(self, tables: dict[str, pa.Table]) -> None:
        self.residents += tables["residents"].num_rows
        self.records += tables["records"].num_rows
        outcomes = tables["outcomes"]
        later = pc.equal(outcomes.column("as_of"), pc.max(outcomes.column("as_of")))
        self.defaulted += int(pc.sum(outcomes.filter(later).column("defaulted")).as_py() or 0)
        self.chunks += 1


def _write_chunk(writers: dict[str, pq.ParquetWriter], tables: dict[str, pa.Table]) -> None:
    """One row group per file per chunk."""
    for name, table in tables.items():
        writers[name].write_table(table, row_group_size=max(table.num_rows, 1))


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """Dictionary pages for coded columns; statistics only where readers prune on them.

    Min/max statistics of the unique key and ref columns would cost a third of
    the write time and let no reader skip anything.
    """
    dictionary = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    stats = [f.name for f in schema if f.name not in _NO_STATISTICS]
    return pq.ParquetWriter(
        path,
        schema,
        compression=COMPRESSION,
        use_dictionary=dictionary,
        store_schema=False,
        write_statistics=stats,
    )


_NO_STATISTICS = ("idempotency_key", "ref", "supersedes", "national_id")


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputRejected(
            "cannot write the simulation",
            problems=[
                Problem(
                    message=f"'{out}' exists and is not a directory",
                    field="out",
                    expected="a directory path (created if missing)",
                )
            ],
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputRejected(
            "cannot write the simulation",
            problems=[
                Problem(
                    message=f"cannot create '{out}': {error.strerror}",
                    field="out",
                    expected="a writable directory path",
                )
            ],
        ) from error
