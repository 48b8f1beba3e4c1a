"""Batch rescoring against the bare engine: ``creditcity score --snapshot`` vs DuckDB group-bys.

    .venv/bin/python -m bench.bench_score [--residents 200000] [--records-per 50] [--parts N]

Same Parquet of live entries for all (``bench.bench_features``): one file
with entries in random order, or with ``--parts N`` a directory of N files
each holding whole subjects, clustered by subject (a country export
partitioned by subject). Each variant runs in a fresh child process, timed
from process start (imports included) to exit; its process tree (for Spark:
the JVM and its Python workers too) is sampled for the peak of its summed
RSS and for its CPU seconds (``bench.process_tree``):

- ``bare``: a hand-written DuckDB ``GROUP BY subject`` with ten simple
  aggregates, fetched to Arrow (the engine's floor for one pass);
- ``bare_same``: the hand-written query of ``bench/bare_features.py``, which
  computes the same aggregates as the feature registry (a test proves the
  results equal), fetched to Arrow; file by file with ``--parts``;
- ``spark`` (only when asked, ``--only score spark``): the same with ``--engine spark``
  (local[2]);
- ``score``: ``creditcity score --snapshot ... --model ... --out ...``
  (``--partitioned`` with ``--parts``): every feature, the scorecard, five
  dimensions, reason codes and percentile ranks, written to Parquet.

The model is a scorecard fitted once on 30,000 other synthetic residents
whose outcome follows their lateness and defaults; its quality is not the
point here, its shape (every registered feature) is.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np

from bench.bench_features import AS_OF, BARE, OUT, dataset, partitioned_dataset
from bench.process_tree import run_sampled


def model_file() -> Path:
    path = OUT / "bench-model.json"
    if path.exists():
        return path
    from datetime import UTC, datetime

    from creditcity.config import Settings
    from creditcity.features.engine import compute_features
    from creditcity.features.schema import empty_consents, empty_disputed
    from creditcity.features.synthetic import random_entries
    from creditcity.scoring.artefact import ModelArtefact
    from creditcity.services.scoring import new_scorecard

    entries = random_entries(residents=30_000, records=1_500_000, seed=99, end=AS_OF)
    features = compute_features(
        entries, as_of=AS_OF, disputed=empty_disputed(), consents=empty_consents()
    )
    names = [n for n in features.column_names if "late" in n or "default" in n]
    risk = sum(
        np.nan_to_num(features.column(n).to_numpy(zero_copy_only=False).astype(float))
        for n in names
    )
    rng = np.random.default_rng(0)
    y = (rng.random(features.num_rows) < 1 / (1 + np.exp(-(0.15 * risk - 3)))).astype(int)
    card = new_scorecard(Settings()).fit(features.drop_columns(["subject"]), y)
    created = datetime.now(UTC).replace(microsecond=0)
    ModelArtefact(
        card, version="bench", created_at=created.isoformat(), training_sha256="0" * 64
    ).save(path)
    return path


def _bare_same_script(files: list[Path]) -> str:
    day = (AS_OF - date(1970, 1, 1)).days
    return (
        "import duckdb\n"
        "from bench.bare_features import bare_features_sql\n"
        "con = duckdb.connect()\n"
        f"for path in {[str(f) for f in files]!r}:\n"
        f"    con.sql(bare_features_sql(path, {day})).to_arrow_table()\n"
    )


def _inputs(args: argparse.Namespace, records: int) -> tuple[Path, list[Path], str]:
    """The entries (written once, then reused): the path, its files and a scan pattern."""
    if args.parts:
        path = partitioned_dataset(args.residents, records, args.parts, args.seed)
        return path, sorted(path.glob("*.parquet")), str(path / "*.parquet")
    path = dataset(args.residents, records, args.seed)
    return path, [path], str(path)


def _prepare(args: argparse.Namespace) -> None:
    _inputs(args, args.residents * args.records_per)
    model_file()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--records-per", type=int, default=50)
    parser.add_argument("--parts", type=int, default=0, help="partitioned by subject into N files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=["bare", "bare_same", "score"])
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        _prepare(args)
        return
    # the data and model are made in a child: Linux carries a parent's peak RSS into the
    # children it forks, so this process must stay small for theirs to be their own
    subprocess.run(
        [sys.executable, "-m", "bench.bench_score", *sys.argv[1:], "--prepare"], check=True
    )
    records = args.residents * args.records_per
    path, files, scan = _inputs(args, records)
    model = model_file()
    simple = BARE["bare"].format(path=scan)
    commands = {
        "bare": [
            sys.executable,
            "-c",
            f"import duckdb; duckdb.connect().sql({simple!r}).to_arrow_table()",
        ],
        "bare_same": [sys.executable, "-c", _bare_same_script(files)],
        "score": [
            sys.executable,
            "-m",
            "creditcity",
            "score",
            "--snapshot",
            str(path),
            "--model",
            str(model),
            "--out",
            str(OUT / "scores.parquet"),
            "--as-of",
            AS_OF.isoformat(),
            "--json",
            *(["--partitioned"] if args.parts else []),
        ],
        # the same job on Spark (local[2]): --out is a directory of Parquet files
        "spark": [
            sys.executable,
            "-m",
            "creditcity",
            "score",
            "--snapshot",
            str(path),
            "--model",
            str(model),
            "--out",
            str(OUT / "scores-spark"),
            "--as-of",
            AS_OF.isoformat(),
            "--engine",
            "spark",
            "--json",
        ],
    }
    layout = f"{args.parts} files by subject" if args.parts else "one file, random order"
    print(f"{args.residents:,} residents, {records:,} entries ({layout})", flush=True)
    results = {}
    for name in args.only:
        run = run_sampled(commands[name])
        results[name] = run.seconds
        print(
            f"  {name:9s} {run.seconds:7.1f} s  {run.cpu_seconds:7.1f} CPU s"
            f"  {run.peak_tree_mib:7.0f} MiB peak RSS (process tree, {run.processes} processes)",
            flush=True,
        )
        if run.processes > 1:
            parts = ", ".join(f"{n} {s:.1f}" for n, s in sorted(run.cpu_by_name.items()))
            print(f"            CPU s by process: {parts}", flush=True)
    if "score" in results:
        for name in ("bare", "bare_same"):
            if name in results:
                print(f"  ratio score/{name}: {results['score'] / results[name]:.2f}x")
    if "spark" in results and "score" in results:
        print(f"  ratio spark/score (duckdb): {results['spark'] / results['score']:.2f}x")


if __name__ == "__main__":
    main()
