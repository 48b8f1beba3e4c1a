"""Batch rescoring against the bare engine: ``creditcity score --snapshot`` vs a DuckDB group-by.

    .venv/bin/python -m bench.bench_score [--residents 200000] [--records-per 50]

Same Parquet of live entries for both (``bench.bench_features.dataset``), each
run a fresh child process so its peak RSS is its own:

- ``bare``: a hand-written DuckDB ``GROUP BY subject`` with ten aggregates,
  fetched to Arrow (the engine's floor for one pass over the data);
- ``score``: ``creditcity score --snapshot ... --model ... --out ...``: every
  feature, the scorecard, five dimensions, reason codes and percentile ranks,
  written to Parquet (process start-up and imports included).

The model is a scorecard fitted once on 30,000 other synthetic residents
whose outcome follows their lateness and defaults; its quality is not the
point here, its shape (every registered feature) is.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.bench_features import AS_OF, BARE, OUT, dataset


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
    features = compute_features(entries, as_of=AS_OF, disputed=empty_disputed(),
                                consents=empty_consents())  # fmt: skip
    names = [n for n in features.column_names if "late" in n or "default" in n]
    risk = sum(np.nan_to_num(features.column(n).to_numpy(zero_copy_only=False).astype(float))
               for n in names)  # fmt: skip
    rng = np.random.default_rng(0)
    y = (rng.random(features.num_rows) < 1 / (1 + np.exp(-(0.15 * risk - 3)))).astype(int)
    card = new_scorecard(Settings()).fit(features.drop_columns(["subject"]), y)
    created = datetime.now(UTC).replace(microsecond=0)
    ModelArtefact(card, version="bench", created_at=created.isoformat(),
                  training_sha256="0" * 64).save(path)  # fmt: skip
    return path


def _run(command: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{command} failed ({status})")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--records-per", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    path = dataset(args.residents, args.residents * args.records_per, args.seed)
    model = model_file()
    query = BARE["bare"].format(path=path)
    script = f"import duckdb; print(duckdb.connect().sql({query!r}).to_arrow_table().num_rows)"
    bare = [sys.executable, "-c", script]
    ours = [sys.executable, "-m", "creditcity", "score", "--snapshot", str(path), "--model",
            str(model), "--out", str(OUT / "scores.parquet"), "--as-of", AS_OF.isoformat(),
            "--json"]  # fmt: skip
    print(f"{args.residents:,} residents, {args.residents * args.records_per:,} entries")
    results = {}
    for name, command in (("bare", bare), ("score", ours)):
        seconds, rss = _run(command)
        results[name] = seconds
        print(f"  {name:6s} {seconds:7.1f} s  {rss:7.0f} MiB peak RSS", flush=True)
    print(f"  ratio score/bare: {results['score'] / results['bare']:.2f}x")


if __name__ == "__main__":
    main()
