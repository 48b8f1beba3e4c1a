"""Decisions with storage, in-process: the full use case against the bare minimum, same run.

    .venv/bin/python -m bench.bench_decide_storage [--residents 20000] [--requests 3000]
        [--database-url sqlite:///bench/out/decide.db]

The full use case is :func:`creditcity.services.decide.decide_request`: read the
stored score, the live adjudicated records and the open exposure, decide, store
the decision, append the audit event (hash chain), write the ``deposit_waived``
/ ``pay_later_charged`` record on approval, and notice new restrictions, in one
transaction. The baseline is the least any stored decision needs: one indexed
SELECT of the score and one INSERT of the decision row, in one transaction.
Prints decisions/s, p50/p99 and their ratios, and the SQL statements per call.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event, insert, select

from creditcity.config import Settings
from creditcity.domain.policy import default_policy
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.scores import save_scores
from creditcity.ledger.tables import decisions, scores
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decide import DecisionRequest, decide_request
from creditcity.services.ingest import ingest_files

SETTINGS = Settings(pseudonym_secret="bench-decide-secret")
POLICY = default_policy()
SERVICES = [(s.id, float(s.max_amount)) for s in POLICY.services.values()]
PROVIDER = {"bike_deposit": "bike_operator:b", "pay_later_clinic": "clinic:c"}


def _populate(engine: Engine, residents: int, rng: random.Random, tmp: str) -> list[str]:
    subjects = [f"p_{uuid.UUID(int=rng.getrandbits(128)).hex}" for _ in range(residents)]
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "subject": s,
            "as_of": date.today(),
            "computed_at": now,
            "model_version": "bench",
            "score": max(350, min(950, int(rng.gauss(640, 70)))),
            "percentile": 0.5,
            "city": "hangzhou",
            "dimensions": {},
            "reasons": [{"code": "PH-LATE", "text": "late"}],
        }
        for s in subjects[: int(residents * 0.97)]  # 3% thin files
    ]
    with UnitOfWork(engine) as uow:
        for start in range(0, len(rows), 5000):
            save_scores(uow.conn, rows[start : start + 5000])
        uow.commit()
    _judgments(engine, subjects[: residents // 100], tmp)
    return subjects


def _judgments(engine: Engine, subjects: list[str], tmp: str) -> None:
    """1% of residents carry an unpaid court judgment (a live restriction)."""
    import csv
    from pathlib import Path

    path = Path(tmp) / "judgments.csv"
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["source", "idempotency_key", "subject", "kind", "occurred_at", "ref", "amount"]
        )
        for i, s in enumerate(subjects):
            out.writerow(["court:bench", f"j{i}", s, "court_judgment", "2026-01-05", f"J{i}", 5000])
    assert ingest_files([path], engine=engine, settings=SETTINGS).ok


def _requests(subjects: list[str], count: int, rng: random.Random) -> list[DecisionRequest]:
    out = []
    for _ in range(count):
        service, top = rng.choice(SERVICES)
        amount = f"{rng.uniform(1, top):.2f}"
        out.append(
            DecisionRequest(
                rng.choice(subjects),
                service,
                amount,
                "bench",
                PROVIDER.get(service, "creditcity:bench"),
            )
        )
    return out


def _full(engine: Engine) -> Callable[[DecisionRequest], None]:
    def call(request: DecisionRequest) -> None:
        decide_request(engine, request, policy=POLICY, settings=SETTINGS)

    return call


def _bare(engine: Engine) -> Callable[[DecisionRequest], None]:
    def call(request: DecisionRequest) -> None:
        with UnitOfWork(engine) as uow:
            uow.conn.execute(
                select(scores.c.score)
                .where(scores.c.subject == request.subject)
                .order_by(scores.c.score_id.desc())
                .limit(1)
            ).first()
            uow.conn.execute(
                insert(decisions),
                {
                    "decision_id": uuid.uuid4().hex,
                    "subject": request.subject,
                    "service": request.service,
                    "amount": float(request.amount),
                    "purpose": request.purpose,
                    "requested_by": request.provider,
                    "decided_at": datetime.now(UTC).replace(tzinfo=None),
                    "approved": False,
                    "waived_amount": 0.0,
                    "credit_line": 0.0,
                    "reasons": [],
                    "restrictions": [],
                    "policy_version": POLICY.version,
                },
            )
            uow.commit()

    return call


def _timed(
    call: Callable[[DecisionRequest], None], requests: list[DecisionRequest]
) -> dict[str, float]:
    latencies = []
    began = time.perf_counter()
    for request in requests:
        t0 = time.perf_counter()
        call(request)
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "rate": len(requests) / wall,
        "p50": latencies[len(latencies) // 2] * 1e3,
        "p99": latencies[int(len(latencies) * 0.99)] * 1e3,
    }


def _statements(
    engine: Engine, call: Callable[[DecisionRequest], None], requests: list[DecisionRequest]
) -> float:
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    for request in requests:
        call(request)
    event.remove(engine, "before_cursor_execute", count)
    return seen[0] / len(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--database-url", default="sqlite:///bench/out/decide.db")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import tempfile
    from pathlib import Path

    if args.database_url.startswith("sqlite:///"):
        db = Path(args.database_url.removeprefix("sqlite:///"))
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(args.database_url)
    migrate(engine)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        subjects = _populate(engine, args.residents, rng, tmp)
    warm = _requests(subjects, 200, rng)
    _timed(_bare(engine), warm)
    _timed(_full(engine), warm)
    requests = _requests(subjects, args.requests, rng)
    bare = _timed(_bare(engine), requests)
    full = _timed(_full(engine), requests)
    per_call = _statements(engine, _full(engine), requests[:200])
    dialect = engine.dialect.name
    print(f"{dialect}: {args.residents:,} residents, {args.requests:,} requests, one thread")
    print(f"{'':<28}{'rate /s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for name, r in (("bare SELECT + INSERT", bare), ("decide_request (full)", full)):
        print(f"{name:<28}{r['rate']:>10,.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}")
    ratio = full["rate"] / bare["rate"]
    slower = full["p50"] / bare["p50"]
    print(
        f"ratio full / bare: rate {ratio:.3f}, p50 {slower:.2f}x; "
        f"{per_call:.1f} SQL statements per decision"
    )


if __name__ == "__main__":
    main()
