"""Federation: propagation A -> B on loopback, and exchange throughput.

    .venv/bin/python -m bench.bench_federation [--judgments 40] [--records 50000]
        [--interval 1.0] [--postgres URL]

``propagation``: two ``creditcity serve`` nodes (separate processes,
databases and homes; B pulls every ``--interval`` s, the default of
``serve``). One at a time, a court judgment about a resident of both
cities is ingested in A; the clock starts when A's import has committed and
stops when B's decision facts show the person restricted. Side by side: a
bare loopback HTTP GET to A (the network floor) and the target (2 s).

``throughput``: in one process, ``--records`` judgments about residents of
both cities are published by A (signed batches), served, verified and
applied by B (ledger entries of B's people), end to end. Side by side: the
bare engine storing the same rows in B (one ``executemany`` INSERT into a
plain table), the floor of any exchange that ends in B's ledger.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from tests.support.federation import Node, bill, court, peer, wait_until

from creditcity.rights.federation_tokens import sign_request
from creditcity.services.federation import keystore_for
from creditcity.services.federation_exchange import publish_due, receive_batches, serve_feed


def _people(n: int, offset: int = 0) -> list[str]:
    return [f"3301061990{i + offset:08d}" for i in range(n)]


def propagation(work: Path, judgments: int, interval: float) -> None:
    a = Node("hangzhou", f"sqlite:///{work / 'a.db'}", work / "home-a", interval=interval)
    b = Node("suzhou", f"sqlite:///{work / 'b.db'}", work / "home-b", interval=interval)
    peer(a, b, work)
    people = _people(judgments)
    b.ingest([bill(p, f"w-{p}") for p in people], work, "residents")
    a.start()
    b.start()
    waits = []
    try:
        with httpx.Client() as client:
            floor = [_get(client, a.url) for _ in range(50)]
        for n, person in enumerate(people):
            a.ingest([court(person, f"J-{n}")], work, f"j{n}")
            waits.append(
                wait_until(
                    lambda p=person: any("pay_later_clinic" in r.blocks for r in b.restrictions(p)),
                    timeout=30,
                    what=f"judgment {n} in B",
                )
            )
    finally:
        a.stop()
        b.stop()
    p50, p99 = np.percentile(waits, [50, 99])
    print(f"propagation A->B ({judgments} judgments, pull every {interval} s, SQLite):")
    print(
        f"  p50 {p50 * 1000:7.0f} ms   p99 {p99 * 1000:7.0f} ms   max {max(waits) * 1000:7.0f} ms"
    )
    print(f"  bare loopback GET p50 {np.percentile(floor, 50) * 1000:.1f} ms")
    print(f"  ratio p99/target (2 s): {p99 / 2.0:.2f}")


def _get(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    client.get(url + "/v1/public/policy")
    return time.perf_counter() - started


def throughput(work: Path, records: int, database: str | None) -> None:
    a_url = database or f"sqlite:///{work / 'ta.db'}"
    a = Node("hangzhou", a_url, work / "t-home-a")
    b = Node("suzhou", f"sqlite:///{work / 'tb.db'}", work / "t-home-b")
    peer(a, b, work)
    people = _people(records, offset=10_000_000)
    b.ingest([bill(p, f"w-{p}") for p in people], work, "t-residents")
    a.ingest([court(p, f"T-{p}") for p in people], work, "t-judgments")
    started = time.perf_counter()
    publish_due(a.engine, a.settings)
    published = time.perf_counter()
    after, applied = 0, 0
    while True:
        token = sign_request(keystore_for(b.settings), b.city, a.city)
        batches = serve_feed(a.engine, a.settings, token, after)["batches"]
        if not batches:
            break
        got = receive_batches(b.engine, b.settings, a.city, batches)
        assert not got.refused, got.refused
        after += got.accepted
        applied += got.records
    done = time.perf_counter()
    assert applied == records, (applied, records)
    bare = _bare_insert(work / "bare.db", records)
    total = done - started
    print(f"exchange throughput ({records:,} judgments, {after} signed batches):")
    apply = done - published
    print(f"  publish (sign) {published - started:6.2f} s; serve+verify+apply {apply:6.2f} s")
    print(f"  end to end {records / total:10,.0f} records/s  ({total:.2f} s)")
    print(f"  bare executemany INSERT into B {records / bare:10,.0f} rows/s  ({bare:.2f} s)")
    print(f"  ratio exchange/bare: {bare / total:.2f}")


def _bare_insert(path: Path, records: int) -> float:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE e (source TEXT, key TEXT, subject TEXT, kind TEXT, at TEXT, ref TEXT, "
        "amount REAL, UNIQUE (source, key))"
    )
    rows = [
        (
            "court:x",
            f"k{i}",
            f"p_{i:032x}",
            "court_judgment",
            "2026-11-20 09:00:00",
            f"T{i}",
            18000.0,
        )
        for i in range(records)
    ]
    started = time.perf_counter()
    conn.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--judgments", type=int, default=40)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--postgres", help="A's database for the throughput run (a URL)")
    parser.add_argument("--only", nargs="*", default=["propagation", "throughput"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="federation-bench-") as folder:
        work = Path(folder)
        if "throughput" in args.only:
            throughput(work, args.records, args.postgres)
        if "propagation" in args.only:
            propagation(work, args.judgments, args.interval)


if __name__ == "__main__":
    main()
