"""In-process decision throughput and latency against a bare dict lookup, same run.

    .venv/bin/python -m bench.bench_decisions [--residents 1000000] [--requests 1000000]

1M synthetic scored residents live in a dict (subject -> (score, reasons)), the
stand-in for the precomputed-score store. The baseline is that dict lookup
alone; the decision is the lookup plus :func:`creditcity.domain.decisions.decide`
with the default policy, live restrictions (1% of residents) and outstanding
exposure (10%). Prints decisions/s, p50/p99 latency and their ratios.
Target: >= 50,000 decisions/s in-process.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from creditcity.domain.decisions import Reason, decide
from creditcity.domain.policy import Policy, default_policy
from creditcity.domain.restrictions import ActiveRestriction, AdjudicatedRecord, active_restrictions

Store = dict[str, tuple[int | None, tuple[Reason, ...]]]
Request = tuple[str, str, Decimal]
TODAY = date(2026, 11, 23)
REASON_POOL: tuple[tuple[Reason, ...], ...] = (
    (),
    (("PH-LATE", "Bills were paid late in the last 12 months"),),
    (
        ("OC-HIGH", "Card balances are high against their limits"),
        ("HL-SHORT", "The credit history is short"),
    ),
    (
        ("NO-MANY", "Several obligations were opened recently"),
        ("PR-FINE", "A traffic fine is overdue"),
        ("PH-LATE", "Bills were paid late"),
    ),
)


def residents(count: int, rng: random.Random) -> Store:
    """Subject pseudonyms -> (score or None for a thin file, reason codes)."""
    store: Store = {}
    for _ in range(count):
        subject = f"p_{rng.getrandbits(128):032x}"
        score = None if rng.random() < 0.03 else min(950, max(350, int(rng.gauss(640, 70))))
        store[subject] = (score, rng.choice(REASON_POOL))
    return store


def side_state(
    policy: Policy, subjects: Sequence[str], rng: random.Random
) -> tuple[dict[str, list[ActiveRestriction]], dict[str, dict[str, Decimal]]]:
    """Active restrictions for 1% of residents, outstanding exposure for 10%."""
    restricted: dict[str, list[ActiveRestriction]] = {}
    for subject in rng.sample(subjects, len(subjects) // 100):
        kind = rng.choice(("court_judgment", "proven_fraud"))
        record = AdjudicatedRecord(kind, "court:hangzhou", f"J-{subject[-6:]}", date(2026, 1, 5))
        restricted[subject] = active_restrictions(policy, [record], TODAY)
    owing: dict[str, dict[str, Decimal]] = {}
    services = sorted(s.id for s in policy.services.values() if s.counts_toward_exposure)
    for subject in rng.sample(subjects, len(subjects) // 10):
        picked = rng.sample(services, rng.randint(1, 3))
        owing[subject] = {s: Decimal(rng.randint(1, 300)) for s in picked}
    return restricted, owing


def requests(
    policy: Policy, subjects: Sequence[str], count: int, rng: random.Random
) -> list[Request]:
    services = list(policy.services.values())
    out: list[Request] = []
    for _ in range(count):
        service = rng.choice(services)
        top = int(service.max_amount)
        out.append((rng.choice(subjects), service.id, Decimal(rng.randint(1, top))))
    return out


def timed(loop: Callable[[], int]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, loop result)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    done = loop()
    return time.perf_counter() - start, time.process_time() - cpu, done


def percentiles(samples: list[int]) -> tuple[float, float]:
    samples.sort()
    return samples[len(samples) // 2] / 1000, samples[int(len(samples) * 0.99)] / 1000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--latency-sample", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    policy = default_policy()
    started = time.perf_counter()
    store = residents(args.residents, rng)
    subjects = list(store)
    restricted, owing = side_state(policy, subjects, rng)
    work = requests(policy, subjects, args.requests, rng)
    load = os.getloadavg()[0]
    print(
        f"setup: {args.residents:,} residents, {args.requests:,} requests "
        f"in {time.perf_counter() - started:.1f} s; load average {load:.1f} "
        f"on {os.cpu_count()} cores"
    )
    run(policy, store, restricted, owing, work, args.latency_sample)


def run(
    policy: Policy,
    store: Store,
    restricted: Mapping[str, list[ActiveRestriction]],
    owing: Mapping[str, dict[str, Decimal]],
    work: list[Request],
    sample: int,
) -> None:
    none: tuple[ActiveRestriction, ...] = ()
    empty: dict[str, Decimal] = {}

    def bare() -> int:
        found = 0
        for subject, _service, _amount in work:
            found += store[subject][0] is not None
        return found

    def decisions() -> int:
        approved = 0
        for subject, service, amount in work:
            score, reasons = store[subject]
            decision = decide(
                policy,
                service,
                amount,
                "bench",
                score=score,
                reasons=reasons,
                restrictions=restricted.get(subject, none),
                exposure=owing.get(subject, empty),
            )
            approved += decision.approved
        return approved

    bare_s, bare_cpu, _ = timed(bare)
    decide_s, decide_cpu, approved = timed(decisions)
    n = len(work)
    bare_rate, decide_rate = n / bare_s, n / decide_s
    print(
        f"bare dict lookup   : {bare_rate:>11,.0f} lookups/s   (wall {bare_s:.2f} s, "
        f"cpu {bare_cpu:.2f} s: {n / bare_cpu:,.0f}/s)"
    )
    print(
        f"lookup + decide()  : {decide_rate:>11,.0f} decisions/s (wall {decide_s:.2f} s, "
        f"cpu {decide_cpu:.2f} s: {n / decide_cpu:,.0f}/s), {approved / n:.1%} approved"
    )
    verdict = "met" if decide_rate >= 50_000 else "NOT met"
    print(
        f"throughput ratio decide/bare: {decide_rate / bare_rate:.3f} "
        f"(target >= 50,000 decisions/s: {verdict})"
    )
    latency(policy, store, restricted, owing, work[:sample])


def latency(
    policy: Policy,
    store: Store,
    restricted: Mapping[str, list[ActiveRestriction]],
    owing: Mapping[str, dict[str, Decimal]],
    work: list[Request],
) -> None:
    """Per-call latency; each sample includes one perf_counter_ns pair (~0.1 us)."""
    clock = time.perf_counter_ns
    bare_ns: list[int] = []
    decide_ns: list[int] = []
    none: tuple[ActiveRestriction, ...] = ()
    empty: dict[str, Decimal] = {}
    gc.collect()
    for subject, _service, _amount in work:
        t0 = clock()
        store[subject]
        bare_ns.append(clock() - t0)
    for subject, service, amount in work:
        t0 = clock()
        score, reasons = store[subject]
        restrictions = restricted.get(subject, none)
        exposure = owing.get(subject, empty)
        decide(
            policy,
            service,
            amount,
            "bench",
            score=score,
            reasons=reasons,
            restrictions=restrictions,
            exposure=exposure,
        )
        decide_ns.append(clock() - t0)
    b50, b99 = percentiles(bare_ns)
    d50, d99 = percentiles(decide_ns)
    print(f"latency bare dict  : p50 {b50:.2f} us, p99 {b99:.2f} us ({len(work):,} calls)")
    print(f"latency decide()   : p50 {d50:.2f} us, p99 {d99:.2f} us")
    print(f"latency ratio decide/bare: p50 {d50 / b50:.1f}x, p99 {d99 / b99:.1f}x")


if __name__ == "__main__":
    main()
