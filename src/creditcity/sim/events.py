"""Records as columns of integer codes, before they become strings.

A generator calls :meth:`Events.emit` once per stream with whole arrays (never
once per record). Nulls are sentinels: NaN for money, -1 for codes and days.
The idempotency key is ``(stream, resident, k)``; a generator only has to make
``k`` unique within one resident and stream. Records outside ``[start,
as_of)`` are dropped as they are emitted, and columns use the narrowest dtype
that holds them: at a billion rows, every copied byte counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from creditcity.sim.people import People
from creditcity.sim.timeline import Timeline
from creditcity.sim.vocab import city_source_base, ref_prefix, stream

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
#: Event columns: plain arrays of the dtypes in :data:`COLUMNS`.
Columns = dict[str, npt.NDArray[Any]]
Value = int | float | npt.NDArray[Any] | None

#: Every column of an event table, its dtype and its null (a column left out is all null).
COLUMNS: dict[str, tuple[type[np.generic], float]] = {
    "res": (np.int32, -1),
    "stream": (np.int8, -1),
    "k": (np.int32, -1),
    "t": (np.int64, -1),
    "source": (np.int16, -1),
    "city": (np.int8, -1),
    "ref_prefix": (np.int8, -1),
    "refno": (np.int32, -1),
    "sup_stream": (np.int8, -1),
    "sup_k": (np.int32, -1),
    "amount": (np.float64, np.nan),
    "balance": (np.float64, np.nan),
    "credit_limit": (np.float64, np.nan),
    "days_late": (np.int32, -1),
    "item": (np.int8, -1),
    "service": (np.int8, -1),
}


def expand(counts: I64) -> tuple[I64, I64]:
    """Row owner and 0-based rank of ``counts[i]`` rows per owner.

    ``[2, 1]`` gives owners ``[0, 0, 1]`` and ranks ``[0, 1, 0]``.
    """
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(owner), dtype=np.int64) - starts[owner]
    return owner, rank


class Events:
    """An append-only list of event columns for one block of residents."""

    def __init__(self, people: People, timeline: Timeline) -> None:
        self.people = people
        self.timeline = timeline
        self.parts: list[Columns] = []

    def emit(
        self,
        prefix: str,
        res: I64,
        k: I64,
        t: I64,
        source: I64 | int,
        *,
        ref: tuple[str, I64] | None = None,
        amount: Value = None,
        balance: Value = None,
        credit_limit: Value = None,
        days_late: Value = None,
        item: Value = None,
        service: Value = None,
        supersedes: tuple[str, I64] | None = None,
    ) -> None:
        """Append one stream's records; ``ref`` and ``supersedes`` are (prefix, number)."""
        inside = np.flatnonzero((t >= self.timeline.start_us) & (t < self.timeline.end_us))
        given: dict[str, Value] = {
            "res": res,
            "stream": stream(prefix),
            "k": k,
            "t": t,
            "source": source,
            "amount": amount,
            "balance": balance,
            "credit_limit": credit_limit,
            "days_late": days_late,
            "item": item,
            "service": service,
        }
        if ref is not None:
            given.update(ref_prefix=ref_prefix(ref[0]), refno=ref[1])
        if supersedes is not None:
            given.update(sup_stream=stream(supersedes[0]), sup_k=supersedes[1])
        part = {name: _column(given.get(name), inside, *COLUMNS[name]) for name in COLUMNS}
        part["city"] = self.people.city_at(
            part["res"].astype(np.int64), part["t"].astype(np.int64)
        ).astype(np.int8)
        self.parts.append(part)

    def city_source(self, role: str, res: I64, t: I64) -> I64:
        """The city's own institution (court, library) where the resident is at ``t``."""
        return city_source_base(role) + self.people.city_at(res, t)


def _column(value: Value, rows: I64, dtype: type[np.generic], null: float) -> npt.NDArray[Any]:
    """``value`` (scalar, array or None for null) at the kept ``rows``, as ``dtype``."""
    if value is None:
        return np.full(len(rows), null, dtype=dtype)
    array = np.asarray(value)
    if array.ndim == 0:
        return np.full(len(rows), array, dtype=dtype)
    return array[rows].astype(dtype, copy=False)


def concat(blocks: list[list[Columns]], offsets: list[int]) -> Columns:
    """One event table from the parts of consecutive blocks, residents renumbered by ``offsets``."""
    parts = [p for ps in blocks for p in ps]
    shifts = [off for ps, off in zip(blocks, offsets, strict=True) for _ in ps]
    out: Columns = {}
    for name, (dtype, _) in COLUMNS.items():
        arrays = [p[name] for p in parts] or [np.empty(0, dtype)]
        out[name] = np.concatenate(arrays)
    if any(shifts):
        counts = [len(p["res"]) for p in parts]
        out["res"] = out["res"] + np.repeat(np.asarray(shifts, np.int32), counts)
    return out
