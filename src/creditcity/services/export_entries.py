"""``export entries``: the live ledger as Parquet files partitioned by subject hash.

Each of the ``partitions`` files (``part-00000.parquet`` ...) holds every
live entry of the people whose pseudonym hashes to it, so any engine can
score a file on its own (``score --snapshot DIR --partitioned``) or a
cluster can hand each file to a different executor. The pseudonym is already
a keyed hash, uniformly spread, so its first 32 bits modulo ``partitions``
is the partition: no skew, and a person stays in one partition however many
records they have. Entries under a pending dispute and consent-based records
are left out: a snapshot carries no consent register, and what is disputed
must not count anywhere while it is reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Engine

from creditcity.domain.catalogue import CONSENT_KINDS
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.entries import ENTRY_SCHEMA, iter_live_entries
from creditcity.ledger.exclusions import pending_disputed_entry_ids

__all__ = ["ExportRun", "export_entries", "partition_of"]

MAX_PARTITIONS = 65_536


@dataclass(frozen=True, slots=True)
class ExportRun:
    out: Path
    partitions: int
    entries: int
    files: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "partitions": self.partitions,
            "entries": self.entries,
            "files": self.files,
        }


def partition_of(subjects: pa.Array | pa.ChunkedArray, partitions: int) -> np.ndarray[Any, Any]:
    """Each pseudonym's partition: its first 8 hex digits as a number, modulo ``partitions``."""
    heads = pc.utf8_slice_codeunits(subjects, 2, 10).to_pylist()
    return np.fromiter((int(h, 16) for h in heads), np.int64, len(heads)) % partitions


def export_entries(engine: Engine, out: Path, *, partitions: int = 16) -> ExportRun:
    """Write every live entry to ``out/part-NNNNN.parquet`` by subject hash; see the module doc."""
    if not 1 <= partitions <= MAX_PARTITIONS:
        raise InputRejected(
            "bad partition count",
            problems=[Problem(str(partitions), "export", "--partitions", f"1 to {MAX_PARTITIONS}")],
        )
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[int, pq.ParquetWriter] = {}
    total = 0
    with engine.connect() as conn:
        disputed = pa.array(sorted(pending_disputed_entry_ids(conn)), pa.int64())
        try:
            for batch in iter_live_entries(conn):
                total += _write(pa.Table.from_batches([batch]), disputed, partitions, out, writers)
        finally:
            for writer in writers.values():
                writer.close()
    return ExportRun(out, partitions, total, len(writers))


def _write(
    table: pa.Table,
    disputed: pa.Array,
    partitions: int,
    out: Path,
    writers: dict[int, pq.ParquetWriter],
) -> int:
    keep = pc.invert(pc.is_in(table["kind"], value_set=pa.array(sorted(CONSENT_KINDS))))
    if len(disputed):
        keep = pc.and_(keep, pc.invert(pc.is_in(table["entry_id"], value_set=disputed)))
    table = table.filter(keep)
    if table.num_rows == 0:
        return 0
    parts = partition_of(table["subject"], partitions)
    order = np.argsort(parts, kind="stable")
    table, parts = table.take(pa.array(order)), parts[order]
    edges = np.flatnonzero(np.diff(parts)) + 1
    for start, stop in zip(np.r_[0, edges], np.r_[edges, len(parts)], strict=True):
        part = int(parts[start])
        if part not in writers:
            writers[part] = pq.ParquetWriter(out / f"part-{part:05d}.parquet", ENTRY_SCHEMA)
        writers[part].write_table(table.slice(int(start), int(stop - start)))
    return int(table.num_rows)
