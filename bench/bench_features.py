"""Feature computation on DuckDB against bare DuckDB group-bys, same Parquet, same run.

    .venv/bin/python -m bench.bench_features [--residents 200000] [--records-per 50]
        [--repeat 3] [--path FILE.parquet] [--spark]

Writes (once, then reuses) a Parquet file of random live entries
(``creditcity.features.synthetic``) under ``bench/out/``, or takes ``--path``.
Each timed run is a fresh child process (imports done before the clock
starts; peak RSS is the child's own ``VmHWM``):

- ``bare``: ``SELECT subject, <10 simple aggregates> FROM read_parquet(...)
  GROUP BY subject`` fetched to Arrow. DuckDB reads 6 of the columns (its
  ``COUNT(ref)`` is answered from Parquet statistics);
- ``bare_wide``: the same kind of query with 11 simple aggregates that read
  every column the features read (entry_id, source, kind, ref too);
- ``features``: ``compute_features(path, engine="duckdb")`` with 0.2% of
  entries disputed and the consent register of the data, fetched to Arrow,
  sorted by subject;
- ``spark`` (with ``--spark``, once): the same on Spark ``local[2]``,
  excluding the session start-up, which is timed and printed apart.

Prints wall and CPU seconds and peak RSS of each (best of ``--repeat`` by
wall time) and the ratios features / bare. Target: ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

AS_OF = date(2026, 6, 30)
OUT = Path(__file__).resolve().parent / "out"
BARE = {
    "bare": (
        "SELECT subject, COUNT(*) AS n, SUM(amount) AS amount_sum, AVG(amount) AS amount_avg,"
        " MIN(occurred_at) AS first_at, MAX(occurred_at) AS last_at, SUM(balance) AS balances,"
        " MAX(credit_limit) AS limit_max, MAX(days_late) AS late_max, COUNT(ref) AS refs,"
        " COUNT(days_late) AS rated FROM read_parquet('{path}') GROUP BY subject"
    ),
    "bare_wide": (
        "SELECT subject, COUNT(*) AS n, SUM(amount) AS amount_sum, MIN(occurred_at) AS first_at,"
        " MAX(occurred_at) AS last_at, SUM(balance) AS balances, MAX(credit_limit) AS limit_max,"
        " MAX(days_late) AS late_max, MAX(entry_id) AS last_id, MIN(kind) AS first_kind,"
        " MIN(source) AS first_source, MAX(ref) AS last_ref"
        " FROM read_parquet('{path}') GROUP BY subject"
    ),
}
MODES = (*BARE, "features")


def dataset(residents: int, records: int, seed: int) -> Path:
    """The entries Parquet for these sizes, written once and reused across runs."""
    from creditcity.features.synthetic import entry_chunks

    path = OUT / f"entries_{residents}_{records}_{seed}.parquet"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _write_tables(path, entry_chunks(residents=residents, records=records, seed=seed, end=AS_OF))
    print(
        f"wrote {records:,} entries for {residents:,} residents to {path.name} "
        f"({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.0f} s"
    )
    return path


def partitioned_dataset(residents: int, records: int, parts: int, seed: int) -> Path:
    """A directory of ``parts`` Parquet files, each holding every entry of its own residents.

    The shape of a country export partitioned by subject: each file can be
    scored on its own (``creditcity score --snapshot DIR --partitioned``).
    Entries are clustered by subject within each 5M-entry row-group run.
    Written once (two parts at a time, one per core), then reused.
    """
    from concurrent.futures import ProcessPoolExecutor

    folder = OUT / f"parts_{residents}_{records}_{parts}_{seed}"
    done = folder / "COMPLETE"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    todo = [p for p in range(parts) if not (folder / f"part-{p:04d}.parquet").exists()]
    with ProcessPoolExecutor(max_workers=2) as pool:
        jobs = [
            pool.submit(_write_part, folder, p, residents // parts, records // parts, seed)
            for p in todo
        ]
        for count, job in enumerate(jobs, start=1):
            job.result()
            print(
                f"  {count}/{len(todo)} parts written, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    done.touch()
    return folder


def _write_part(folder: Path, part: int, residents: int, size: int, seed: int) -> None:
    from creditcity.features.synthetic import random_entries, subject_names

    people = subject_names(residents, seed=seed * 100_003 + part)
    chunk = 5_000_000
    tables = (
        random_entries(
            residents=len(people),
            records=min(chunk, size - start),
            end=AS_OF,
            seed=(seed * 100_003 + part) * 1_000 + index,
            subjects=people,
            grouped=True,
            first_entry_id=part * size + start,
        )
        for index, start in enumerate(range(0, size, chunk))
    )
    _write_tables(folder / f"part-{part:04d}.parquet", tables)


def _write_tables(path: Path, tables: Iterator[pa.Table]) -> None:
    """Stream tables into one Parquet file; it appears under its name only once complete."""
    partial = path.with_suffix(".partial")
    writer: pq.ParquetWriter | None = None
    for table in tables:
        if writer is None:
            writer = pq.ParquetWriter(partial, table.schema, compression="snappy")
        writer.write_table(table, row_group_size=1 << 20)
    if writer is not None:
        writer.close()
    partial.rename(path)


def side_inputs(path: Path, seed: int) -> tuple[Path, Path]:
    """Disputed ids (0.2%) and the consent register for the data, as small Parquet files."""
    import pyarrow.compute as pc

    from creditcity.domain.catalogue import CONSENT_KINDS
    from creditcity.features.synthetic import random_consents, random_disputed

    disputed_path = path.with_suffix(".disputed.parquet")
    consents_path = path.with_suffix(".consents.parquet")
    if disputed_path.exists() and consents_path.exists():
        return disputed_path, consents_path
    ids = pq.read_table(path, columns=["entry_id"])
    pq.write_table(random_disputed(ids, seed=seed), disputed_path)
    shared = pq.read_table(
        path,
        columns=["subject", "source", "kind"],
        filters=pc.field("kind").isin(pa.array(sorted(CONSENT_KINDS))),
    )
    pq.write_table(random_consents(shared, seed=seed, end=AS_OF), consents_path)
    return disputed_path, consents_path


def peak_rss_mib() -> float:
    """This process's peak resident set (``VmHWM``).

    Not ``getrusage``: Linux carries ``ru_maxrss`` across fork and exec, so a
    child would report its parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: Path, disputed: Path, consents: Path) -> None:
    """One timed run in this process; prints seconds, CPU, rows and peak RSS as JSON."""
    import duckdb

    from creditcity.features import compute_features

    extra: dict[str, float] = {}
    spark = None
    if mode == "spark":
        from creditcity.features.spark_engine import local_session

        began = time.perf_counter()
        spark = local_session()
        extra["startup"] = time.perf_counter() - began
    started, cpu_started = time.perf_counter(), time.process_time()
    if mode in BARE:
        with duckdb.connect(":memory:") as connection:
            rows = connection.sql(BARE[mode].format(path=path)).to_arrow_table().num_rows
    else:
        engine = "spark" if mode == "spark" else "duckdb"
        table = compute_features(
            path,
            as_of=AS_OF,
            disputed=pq.read_table(disputed),
            consents=pq.read_table(consents),
            engine=engine,
            spark=spark,
        )
        rows = table.num_rows
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": seconds,
                "cpu": cpu,
                "rows": rows,
                "rss_mib": peak_rss_mib(),
                **extra,
            }
        )
    )


def timed(mode: str, path: Path, disputed: Path, consents: Path) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "bench.bench_features",
        "--child",
        mode,
        "--path",
        str(path),
        "--disputed",
        str(disputed),
        "--consents",
        str(consents),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    startup = f"  (+{result['startup']:.1f} s session start-up)" if "startup" in result else ""
    print(
        f"  {mode:9s} {result['seconds']:7.2f} s wall {result['cpu']:7.2f} s CPU"
        f"  {result['rss_mib']:7.0f} MiB peak RSS  {int(result['rows']):,} subjects{startup}",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--records-per", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--path", type=Path)
    parser.add_argument("--spark", action="store_true", help="also time the Spark engine once")
    parser.add_argument("--disputed", type=Path)
    parser.add_argument("--consents", type=Path)
    parser.add_argument("--child", choices=[*MODES, "spark"])
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.path, args.disputed, args.consents)
        return
    path = args.path or dataset(args.residents, args.residents * args.records_per, args.seed)
    disputed, consents = side_inputs(path, args.seed)
    rows = pq.ParquetFile(path).metadata.num_rows
    print(f"{rows:,} entries in {path.name}, as of {AS_OF}")
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):
        for mode in MODES:
            result = timed(mode, path, disputed, consents)
            if mode not in best or result["seconds"] < best[mode]["seconds"]:
                best[mode] = result
    if args.spark:
        timed("spark", path, disputed, consents)
    features = best["features"]
    print(
        f"best of {args.repeat}: features {features['seconds']:.2f} s wall, "
        f"{features['cpu']:.2f} s CPU, {features['rss_mib']:.0f} MiB"
    )
    for mode in BARE:
        base = best[mode]
        print(
            f"  / {mode:9s} {base['seconds']:6.2f} s wall, {base['cpu']:6.2f} s CPU, "
            f"{base['rss_mib']:5.0f} MiB: ratio {features['seconds'] / base['seconds']:.2f} "
            f"wall, {features['cpu'] / base['cpu']:.2f} CPU (target <= 1.5)"
        )


if __name__ == "__main__":
    main()
