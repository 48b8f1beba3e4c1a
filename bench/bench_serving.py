"""Serving state for a whole city: memory and lookup speed of the in-memory score table.

    .venv/bin/python -m bench.bench_serving [--residents 22000000] [--baseline 2000000]

Builds a :class:`creditcity.services.serving.ScoreTable` for ``--residents``
synthetic people (random pseudonyms, scores, one of two models, four reasons
out of 400 distinct ones) straight from numpy arrays, as a worker holds it,
and reports the resident-set growth it cost and the lookups per second of
``find``. Side by side, the obvious Python structure -- a dict from pseudonym
to a (score, model, reasons) tuple -- for ``--baseline`` people, scaled to
the city, so the ratio says what the arrays save. Target: a 22-million-person
city within 1 GiB per worker.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from creditcity.services.serving import REASON_SLOTS, ScoreTable

MIB = 1024 * 1024


def rss() -> int:
    """This process's resident set now, in bytes (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def table(residents: int, seed: int) -> ScoreTable:
    rng = np.random.default_rng(seed)
    halves = np.frombuffer(rng.bytes(16 * residents), dtype=np.uint64).reshape(-1, 2)
    order = np.lexsort((halves[:, 1], halves[:, 0]))
    return ScoreTable(
        hi=halves[order, 0].copy(),
        lo=halves[order, 1].copy(),
        score=rng.integers(350, 951, residents, dtype=np.uint16),
        model=rng.integers(0, 2, residents, dtype=np.uint8),
        reasons=rng.integers(1, 401, (residents, REASON_SLOTS), dtype=np.uint16),
        models=["m-2026-11", "m-2026-12"],
        reason_table=[("", ""), *((f"R{i:03d}", f"reason {i}") for i in range(1, 401))],
    )


def lookups(found: ScoreTable, count: int) -> float:
    """``find`` calls per second for people who are in the table."""
    picks = [
        f"p_{int(found.hi[i]):016x}{int(found.lo[i]):016x}"
        for i in np.random.default_rng(1).integers(0, len(found), count)
    ]
    began = time.perf_counter()
    for subject in picks:
        assert found.find(subject) is not None
    return count / (time.perf_counter() - began)


def baseline(people: int) -> int:
    """Bytes a dict of tuples costs for ``people`` (measured, not estimated)."""
    rng = random.Random(2)
    before = rss()
    held = {
        f"p_{rng.getrandbits(128):032x}": (
            rng.randint(350, 950),
            "m-2026-12",
            tuple((f"R{rng.randint(1, 400):03d}", "reason") for _ in range(REASON_SLOTS)),
        )
        for _ in range(people)
    }
    grown = rss() - before
    del held
    return grown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=22_000_000)
    parser.add_argument("--baseline", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    before = rss()
    began = time.perf_counter()
    built = table(args.residents, args.seed)
    seconds = time.perf_counter() - began
    grown = rss() - before
    rate = lookups(built, 200_000)
    per_person = grown / args.residents
    print(
        f"ScoreTable, {args.residents:,} residents: arrays {built.nbytes / MIB:,.0f} MiB, "
        f"RSS grew {grown / MIB:,.0f} MiB ({per_person:.1f} B/person), built in {seconds:.1f} s; "
        f"find {rate:,.0f}/s"
    )
    del built
    dict_bytes = baseline(args.baseline)
    dict_per = dict_bytes / args.baseline
    print(
        f"dict of tuples, {args.baseline:,} residents: RSS grew {dict_bytes / MIB:,.0f} MiB "
        f"({dict_per:.0f} B/person) -> {dict_per * args.residents / MIB / 1024:,.1f} GiB "
        f"for {args.residents:,}"
    )
    print(
        f"ratio dict / arrays: {dict_per / per_person:.1f}x; "
        f"target: {args.residents:,} residents within 1,024 MiB per worker "
        f"({'met' if grown <= 1024 * MIB else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
