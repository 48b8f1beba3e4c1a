"""Simulator throughput and peak memory against a bare pyarrow write of the same rows, same run.

    .venv/bin/python -m bench.bench_simulate [--residents 200000] [--big 2000000] [--keep]

1. ``simulate`` writes a city of ``--residents`` residents (seed 0, 3 years);
   measured: wall seconds, records/s, CPU seconds, peak RSS.
2. The bare baseline writes the same number of rows, in the same number of
   row groups, with the records' fourteen column types filled with random
   values (generated before the clock starts), through ``pq.ParquetWriter``
   with pyarrow's default settings. Ratio = simulator time / bare time.
3. ``--big M`` runs one more simulation of M residents (e.g. 2,000,000, or
   22,000,000 for Beijing) and prints its measured time, plus the time for
   22 million residents extrapolated linearly from it when M is smaller
   (work per resident is constant and memory is bounded by the chunk size).

Every measurement runs in a fresh child process, so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

BEIJING = 22_000_000


def _usage() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": own.ru_utime + own.ru_stime, "peak_rss_mib": own.ru_maxrss / 1024}


def child_simulate(residents: int, out: Path) -> dict[str, Any]:
    from creditcity.sim import SimulationSpec, simulate

    began = time.perf_counter()
    summary = simulate(SimulationSpec(residents=residents, seed=0), out)
    seconds = time.perf_counter() - began
    size = sum(p.stat().st_size for p in out.glob("*.parquet"))
    return {
        "seconds": seconds,
        "records": summary.records,
        "row_groups": summary.chunks,
        "bytes": size,
        **_usage(),
    }


def _random_chunk(rows: int, rng: np.random.Generator) -> pa.Table:
    """Random values in the records' column types: fixed-width text, codes, money, days, times."""

    def text(width: int, valid: float = 1.0) -> pa.Array:
        digits = rng.integers(48, 58, size=(rows, width), dtype=np.uint8)
        offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
        present = rng.random(rows) < valid
        bitmap = pa.py_buffer(np.packbits(present, bitorder="little"))
        buffers = [bitmap, pa.py_buffer(offsets), pa.py_buffer(digits)]
        return pa.Array.from_buffers(pa.string(), rows, buffers, int(rows - present.sum()))

    def coded(words: int, valid: float = 1.0) -> pa.Array:
        vocabulary = np.array([f"word-{i:03d}" for i in range(words)], dtype=object)
        return pa.array(vocabulary[rng.integers(0, words, rows)], mask=rng.random(rows) > valid)

    def money(valid: float) -> pa.Array:
        return pa.array(np.round(rng.lognormal(5, 1.5, rows), 2), mask=rng.random(rows) > valid)

    start = 1_688_000_000_000_000
    return pa.table(
        {
            "source": coded(60),
            "idempotency_key": text(23),
            "national_id": text(18),
            "kind": coded(29),
            "occurred_at": pa.array(
                rng.integers(start, start + 94_000_000_000_000, rows), pa.timestamp("us")
            ),
            "city": coded(8),
            "supersedes": text(23, 0.0003),
            "ref": text(23, 0.97),
            "amount": money(0.8),
            "balance": money(0.1),
            "credit_limit": money(0.1),
            "days_late": pa.array(
                rng.integers(0, 30, rows).astype(np.int32), mask=rng.random(rows) > 0.6
            ),
            "item": coded(5, 0.2),
            "service": coded(9, 0.02),
        }
    )


def child_bare(rows: int, row_groups: int, out: Path) -> dict[str, Any]:
    per_group = -(-rows // row_groups)
    chunk = _random_chunk(per_group, np.random.default_rng(0))
    path = out / "bare.parquet"
    began = time.perf_counter()
    with pq.ParquetWriter(path, chunk.schema) as writer:
        written = 0
        while written < rows:
            part = chunk.slice(0, min(per_group, rows - written))
            writer.write_table(part, row_group_size=part.num_rows)
            written += part.num_rows
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "records": rows, "bytes": path.stat().st_size, **_usage()}


def _spawn(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_simulate", "--child", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _line(name: str, r: dict[str, Any]) -> str:
    rate = r["records"] / r["seconds"]
    return (
        f"{name:<34} {r['seconds']:>9.1f} s {rate:>12,.0f} rows/s {r['cpu_s']:>8.1f} cpu-s "
        f"{r['peak_rss_mib']:>8,.0f} MiB {r['bytes'] / 2**20:>9,.0f} MiB on disk"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--big", type=int, default=0, help="also time one city of this size")
    parser.add_argument("--out", type=Path, default=None, help="scratch directory")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "sim":
            result = child_simulate(int(rest[0]), Path(rest[1]))
        else:
            result = child_bare(int(rest[0]), int(rest[1]), Path(rest[2]))
        print(json.dumps(result))
        return
    scratch = Path(args.out or tempfile.mkdtemp(prefix="bench_simulate_"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        run(args.residents, args.big, scratch)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


def run(residents: int, big: int, scratch: Path) -> None:
    sim = _spawn("sim", str(residents), str(scratch / "sim"))
    bare = _spawn("bare", str(sim["records"]), str(sim["row_groups"]), str(scratch))
    per = sim["records"] / residents
    print(
        f"{residents:,} residents -> {sim['records']:,} records ({per:.1f} per resident), "
        f"{sim['row_groups']} chunks"
    )
    print(_line("simulate (generate + write)", sim))
    print(_line("bare pyarrow write, random columns", bare))
    print(f"ratio simulate / bare write: {sim['seconds'] / bare['seconds']:.2f}x time")
    if big:
        shutil.rmtree(scratch / "sim", ignore_errors=True)
        large = _spawn("sim", str(big), str(scratch / "big"))
        print(f"{big:,} residents -> {large['records']:,} records")
        print(_line(f"simulate {big:,} (measured)", large))
        if big < BEIJING:
            factor = BEIJING / big
            print(
                f"22,000,000 residents (extrapolated x{factor:.1f} from the measured run): "
                f"~{large['seconds'] * factor / 60:.0f} min, ~{large['records'] * factor:,.0f} "
                f"records, ~{large['bytes'] * factor / 2**30:.0f} GiB"
            )


if __name__ == "__main__":
    main()
