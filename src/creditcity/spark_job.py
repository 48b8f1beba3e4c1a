"""The Spark scoring job as a script for ``spark-submit`` (the same code as ``--engine spark``).

    spark-submit --master spark://HOST:7077 --py-files creditcity.zip \\
        src/creditcity/spark_job.py --snapshot DIR --model model.json --out OUT \\
        [--as-of 2026-06-30]

On a cluster the session comes from ``spark-submit`` (master, executors,
memory); here nothing is configured but the job itself.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score a Parquet export of entries on Spark.")
    parser.add_argument("--snapshot", required=True, help="export directory (or URI)")
    parser.add_argument("--model", required=True, type=Path, help="model artefact (JSON)")
    parser.add_argument("--out", required=True, help="output directory (or URI) for scores")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    from pyspark.sql import SparkSession

    from creditcity.services.spark_scoring import score_snapshot_spark

    session = SparkSession.builder.appName("creditcity-score").getOrCreate()
    run = score_snapshot_spark(
        args.snapshot, as_of=args.as_of, artefact_path=args.model, out=args.out, spark=session
    )
    print(f"scored {run.scored:,} people into {args.out} in {run.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
