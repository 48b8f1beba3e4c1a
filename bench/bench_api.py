"""Decisions over HTTP against a bare FastAPI endpoint, side by side in the same run.

    .venv/bin/python -m bench.bench_api [--residents 50000] [--seconds 10] [--rounds 3]
        [--warmup 10] [--connections 8] [--workers 2] [--stores sqlite,postgresql]
        [--postgres URL] [--profile]

Both servers run 2 uvicorn workers on 127.0.0.1 and are loaded in turn (never
at once) by ``wrk`` (Debian's package: one thread, 8 keep-alive connections,
a Lua script that sends each request for a random resident, service and
amount). The bare endpoint is the least an HTTP decision can be: a pydantic
body and a dict lookup of a precomputed score. ``creditcity serve`` does the
whole decision: key check, subject check, stored score, live restrictions,
exposure, the decision row, the audit chain event, the waiver record, and a
commit (decisions that arrive together share one, see
:mod:`creditcity.services.decision_batching`) before it answers. Every
request carries its own ``Idempotency-Key``, as a provider's client would.
All servers (the bare endpoint, then ``creditcity serve`` on each store:
SQLite, and PostgreSQL in a fresh schema) run for the whole benchmark; each is
warmed up (a new database grows its files at first), then they are loaded in
turn for ``--rounds`` alternating rounds, and the median round of each is
reported, so that the shared machine's drift falls on all of them alike.
Prints requests/s, p50/p99 and the ratio; ``--profile`` also profiles batched
decisions in-process to show where a decision's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

POLICY_SERVICES: tuple[tuple[str, int], ...] = (
    ("bike_deposit", 299),
    ("power_bank_deposit", 99),
    ("umbrella_deposit", 39),
    ("library_deposit", 100),
    ("rental_deposit", 2600),
    ("agency_fee", 1300),
    ("pay_later_clinic", 2000),
    ("pay_later_transit", 200),
    ("pay_later_public_office", 500),
)
KEY = "bench-provider-key-0123456789"
SERVICES = ", ".join(f'"{s}"' for s, _ in POLICY_SERVICES)
SUBJECTS_FILE = "CREDITCITY_BENCH_SUBJECTS"  # bare app workers read their table from here

# --- the bare endpoint --------------------------------------------------------------------


class Ask(BaseModel):
    subject: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)
    amount: float | str
    purpose: str = Field(min_length=1, max_length=500)


def _bare_table() -> dict[str, int]:
    path = os.environ.get(SUBJECTS_FILE)  # bench-only wiring; the product reads Settings
    if not path:
        return {}
    return {s: 600 for s in Path(path).read_text().split()}


bare_app = FastAPI()
_SCORES = _bare_table()


@bare_app.post("/v1/decisions")
async def bare_decision(body: Ask) -> dict[str, Any]:
    score = _SCORES.get(body.subject)
    return {
        "subject": body.subject,
        "service": body.service,
        "approved": score is not None and score >= 600,
        "score": score,
    }


# --- data, servers, load ------------------------------------------------------------------


def populate(url: str, residents: int, seed: int) -> list[str]:
    """Scores for ``residents`` people (3% thin files) and an unpaid judgment for 1%."""
    from creditcity.ledger.db import analyse, make_engine, migrate
    from creditcity.ledger.scores import save_scores
    from creditcity.ledger.unit_of_work import UnitOfWork

    rng = random.Random(seed)
    subjects = [f"p_{uuid.UUID(int=rng.getrandbits(128)).hex}" for _ in range(residents)]
    engine = make_engine(url)
    migrate(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "subject": s,
            "as_of": date.today(),
            "computed_at": now,
            "model_version": "bench",
            "score": max(350, min(950, int(rng.gauss(640, 70)))),
            "percentile": 50.0,
            "city": "hangzhou",
            "dimensions": {},
            "reasons": [{"code": "PH-LATE", "text": "late"}],
        }
        for s in subjects[: int(residents * 0.97)]
    ]
    with UnitOfWork(engine) as uow:
        for start in range(0, len(rows), 5000):
            save_scores(uow.conn, rows[start : start + 5000])
        uow.commit()
    _judgments(engine, subjects[: residents // 100])
    analyse(engine, "scores", "entries", "subjects")  # as a scoring run and an import leave them
    engine.dispose()
    return subjects


def _judgments(engine: Any, subjects: list[str]) -> None:
    from creditcity.config import Settings
    from creditcity.services.ingest import ingest_files

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "judgments.jsonl"
        path.write_text(
            "".join(
                json.dumps(
                    {
                        "source": "court:bench",
                        "idempotency_key": f"j{i}",
                        "subject": s,
                        "kind": "court_judgment",
                        "occurred_at": "2026-01-05",
                        "ref": f"J{i}",
                        "amount": 5000,
                    }
                )
                + "\n"
                for i, s in enumerate(subjects)
            )
        )
        assert ingest_files([path], engine=engine, settings=Settings()).ok


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(
    command: list[str], env: dict[str, str], port: int, log: Path
) -> subprocess.Popen[bytes]:
    """Start a server whose output goes to ``log``.

    Never to a pipe nobody reads: the access log would fill it within a few
    hundred requests and the server would block writing to it.
    """
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text(errors='replace')[-4000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                time.sleep(1.0)  # let every worker finish starting
                return server
        time.sleep(0.2)
    raise SystemExit("server did not start within 60 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


LUA = """
local subjects = {}
for line in io.lines("%(subjects)s") do subjects[#subjects + 1] = line end
local services = {%(services)s}
local tops = {%(tops)s}
local thread_seed = 0
local sent = 0
local tag = 0
function init(args) math.randomseed(%(seed)d + thread_seed); tag = math.random(1e9) end
request = function()
  sent = sent + 1
  local s = subjects[math.random(#subjects)]
  local i = math.random(#services)
  local amount = string.format("%%.2f", 1 + math.random() * (tops[i] - 1))
  local body = '{"subject":"' .. s .. '","service":"' .. services[i] ..
               '","amount":"' .. amount .. '","purpose":"deposit-free service"}'
  return wrk.format("POST", "/v1/decisions",
                    {["Content-Type"] = "application/json", ["X-API-Key"] = "%(key)s",
                     ["Idempotency-Key"] = tag .. "-" .. sent}, body)
end
"""


def _wrk(port: int, script: Path, seconds: int, connections: int) -> dict[str, float]:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/v1/decisions",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    try:
        return _parse_wrk(out)
    except (AttributeError, KeyError):
        raise SystemExit(f"cannot read wrk's report:\n{out}") from None


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def _parse_wrk(out: str) -> dict[str, float]:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rate": rate,
        "p50": p50,
        "p99": p99,
        "requests": total,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "none",
    }  # type: ignore[dict-item]


def _script(folder: Path, subjects: list[str], seed: int) -> Path:
    listing = folder / "subjects.txt"
    listing.write_text("\n".join(subjects) + "\n")
    script = folder / "decide.lua"
    script.write_text(
        LUA
        % {
            "subjects": listing,
            "seed": seed,
            "key": KEY,
            "services": ", ".join(f'"{s}"' for s, _ in POLICY_SERVICES),
            "tops": ", ".join(str(t) for _, t in POLICY_SERVICES),
        }
    )
    return script


def _keys(folder: Path) -> Path:
    path = folder / "keys.toml"
    path.write_text(
        f'[[keys]]\nprincipal = "bike_operator:bench"\nrole = "provider"\nkey = "{KEY}"\n'
        f"services = [{SERVICES}]\n"
    )
    return path


@dataclass
class Server:
    """One server under test: how to start it, and what each round measured."""

    name: str
    command: list[str]
    port: int
    script: Path
    rounds: list[dict[str, float]] = field(default_factory=list)

    def median(self) -> dict[str, float]:
        """The round with the median rate (its p50 and p99 go with it)."""
        ranked = sorted(self.rounds, key=lambda r: r["rate"])
        return ranked[len(ranked) // 2]


def _measure(servers: list[Server], env: dict[str, str], args: argparse.Namespace) -> None:
    """Start every server, warm each up, then load them in turn for ``--rounds`` rounds.

    The machine's speed drifts (other tenants): alternating rounds and taking
    medians compares the servers under the same conditions, which one run
    each would not.
    """
    started = []
    try:
        for server in servers:
            log = server.script.parent / f"server-{server.port}.log"
            started.append(_start(server.command, env, server.port, log))
            _wrk(server.port, server.script, args.warmup, args.connections)
        for round_no in range(1, args.rounds + 1):
            for server in servers:
                result = _wrk(server.port, server.script, args.seconds, args.connections)
                server.rounds.append(result)
                print(
                    f"  round {round_no} {server.name}: {result['rate']:,.0f}/s, "
                    f"p99 {result['p99']:.2f} ms, non-2xx {result['non_2xx']}, "
                    f"socket errors {result['socket_errors']}",
                    flush=True,
                )
    finally:
        for process in started:
            _stop(process)


def _profile(url: str, subjects: list[str], count: int, batch: int) -> None:
    """Where a decision's time goes: batched decisions in-process, profiled."""
    from creditcity.config import Settings
    from creditcity.ledger.db import make_engine
    from creditcity.services.decide import DecisionRequest, policy_for
    from creditcity.services.decision_batching import DecisionBatcher

    settings = Settings()
    engine = make_engine(url)
    batcher = DecisionBatcher(engine, policy=policy_for(settings), settings=settings)
    rng = random.Random(1)
    requests = [
        DecisionRequest(
            rng.choice(subjects),
            s,
            f"{rng.uniform(1, t):.2f}",
            "deposit-free service",
            "bike_operator:bench",
        )
        for s, t in (rng.choice(POLICY_SERVICES) for _ in range(count))
    ]
    for size in (1, 8):
        began, cpu = time.perf_counter(), time.process_time()
        for start in range(0, count, size):
            batcher.run(requests[start : start + size])
        wall, used = time.perf_counter() - began, time.process_time() - cpu
        print(
            f"\nin-process, one thread, batches of {size}: {count / wall:,.0f} decisions/s, "
            f"{used / count * 1e3:.2f} ms CPU each (not profiled)"
        )
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for start in range(0, count, batch):
        batcher.run(requests[start : start + batch])
    profiler.disable()
    seconds = time.perf_counter() - began
    print(f"profiled, batches of {batch}: {seconds / count * 1e3:.3f} ms each")
    stats = pstats.Stats(profiler)
    print(f"{'step (cumulative, per decision)':<58}{'ms':>8}{'share':>8}")
    for name, ms in _steps(stats, count):
        print(f"{name:<58}{ms:>8.3f}{ms / (seconds / count * 1e3):>8.0%}")


STEPS = (
    ("services/decide.py", "decide_in", "decide_in (the whole decision)"),
    ("ledger/decisions.py", "score_for_decision", "  read the stored score"),
    ("ledger/decisions.py", "adjudicated_records", "  read adjudicated records (restrictions)"),
    ("ledger/decisions.py", "open_exposure", "  read open exposure"),
    ("domain/decisions.py", "decide", "  decide (pure policy)"),
    ("ledger/decisions.py", "insert_decision", "  insert the decision row"),
    ("ledger/audit.py", "record_access", "  audit chain: read head, seal, insert"),
    ("services/record_writer.py", "write_record", "  waiver record: validate + append"),
    ("services/notices.py", "notify_restrictions", "  restriction notices"),
    ("ledger/unit_of_work.py", "commit", "commit (one per batch)"),
    ("sqlalchemy/engine/base.py", "_execute_context", "all SQL statements through SQLAlchemy"),
    ("{method 'execute' of 'sqlite3.Cursor' objects}", "", "  of which inside the SQLite driver"),
)


def _steps(stats: pstats.Stats, count: int) -> list[tuple[str, float]]:
    """Cumulative seconds of the named functions, per decision, in milliseconds."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    found = []
    for path, function, label in STEPS:
        total = sum(
            entry[3]
            for (file, _, name), entry in table.items()
            if (file.endswith(path) and name == function) or (not function and name == path)
        )
        if total:
            found.append((label, total / count * 1e3))
    return found


PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _store_url(store: str, args: argparse.Namespace, folder: Path) -> str:
    """A fresh database for one store: a new SQLite file, or a new PostgreSQL schema."""
    if store == "sqlite":
        return f"sqlite:///{folder / 'api.db'}"
    from sqlalchemy import create_engine, text

    schema = f"bench_api_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return f"{args.postgres}?options=-csearch_path%3D{schema}"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=10, help="per round and server")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--warmup", type=int, default=10, help="seconds per server first")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="creditcity-bench-api-") as tmp:
        folder = Path(tmp)
        urls = {store: _store_url(store, args, folder) for store in stores}
        subjects = {store: populate(url, args.residents, args.seed) for store, url in urls.items()}
        script = _script(folder, subjects[stores[0]], args.seed)
        env = {
            **os.environ,
            "CREDITCITY_HOME": str(folder / "home"),
            SUBJECTS_FILE: str(folder / "subjects.txt"),
        }
        print(
            f"{args.residents:,} residents; wrk 1 thread, {args.connections} connections, "
            f"{args.rounds} rounds of {args.seconds} s per server after {args.warmup} s warm-up; "
            f"{args.workers} workers each",
            flush=True,
        )
        port = _port()
        bare_command = [
            *(sys.executable, "-m", "uvicorn", "bench.bench_api:bare_app"),
            *("--port", str(port), "--workers", str(args.workers)),
            *("--log-level", "warning", "--no-access-log"),
        ]
        servers = [Server("bare FastAPI (pydantic + dict)", bare_command, port, script)]
        keys = _keys(folder)
        for store, url in urls.items():
            port = _port()
            (folder / store).mkdir()
            store_script = _script(folder / store, subjects[store], args.seed)
            full_command = [
                *(sys.executable, "-m", "creditcity", "serve", "--database-url", url),
                *("--keys", str(keys), "--port", str(port)),
                *("--workers", str(args.workers)),
            ]
            servers.append(
                Server(f"creditcity decisions, {store}", full_command, port, store_script)
            )
        _measure(servers, env, args)
        results = [(server.name, server.median()) for server in servers]
        _report(results)
        if args.profile:
            _profile(urls[stores[0]], subjects[stores[0]], 3000, 8)


def _report(results: list[tuple[str, dict[str, float]]]) -> None:
    bare = results[0][1]
    print(f"\n{'':<36}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}")
    for name, r in results:
        ratio = r["rate"] / bare["rate"]
        print(f"{name:<36}{r['rate']:>10,.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{ratio:>8.3f}")
    print("targets: >= 3,000/s, p99 < 20 ms, ratio >= 0.30 (design goal 0.70)")


if __name__ == "__main__":
    main()
