"""``make bench``: every benchmark at its default size, one after the other.

Each benchmark is also its own command (``python -m bench.<name> --help``);
docs/benchmarks.md gives the sizes its recorded figures used. One failing
benchmark (say ``bench_api`` without Debian's ``wrk``) does not stop the rest;
the summary names it and the exit code is 1.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    "bench_ingest",
    "bench_simulate",
    "bench_scorecard",
    "bench_features",
    "bench_score",
    "bench_freshness",
    "bench_decisions",
    "bench_decide_storage",
    "bench_api",
    "bench_serving",
)


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n== python -m bench.{name}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False)
        seconds = time.perf_counter() - started
        print(f"== {name}: exit {done.returncode} after {seconds:.0f} s", flush=True)
        if done.returncode != 0:
            failed.append(name)
    print("\nall benchmarks ran" if not failed else f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
