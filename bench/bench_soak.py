"""Soak: mixed traffic at a steady rate for minutes, bounded in time, on one store.

    .venv/bin/python -m bench.bench_soak [--minutes 10] [--rate 1000] [--window 30]
        [--residents 50000] [--workers 2] [--store sqlite|postgresql] [--postgres URL]
        [--connections 32] [--only decisions|outcomes|reads|records]

``creditcity serve`` (2 workers) gets, from ``wrk`` with a Lua script and a
per-connection delay that paces it to ``--rate`` requests/s in all (wrk waits
the delay after each answer, so the delay of the next window is set from the
time answers took in the last one: see :func:`_paced`): 60%
decisions (each with its own ``Idempotency-Key``), 10% outcome reports of
decisions approved earlier in the run, 20% audited score reads by the
operator, 10% record submissions by a bank. The run is cut into windows of
``--window`` seconds; each window prints its rate, p50/p99, errors (non-2xx
and socket errors) and the servers' resident memory, so p99 and RSS can be
read over time. At the end the audit chain is verified, and the server's
access log gives each route's answers, its p99 inside the server and every
refusal by status. Stops by itself after ``--minutes``. ``--only`` sends one
kind of request alone, to see what each costs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.bench_api import (
    KEY,
    PG_DEFAULT,
    _parse_wrk,
    _port,
    _start,
    _stop,
    _store_url,
    populate,
)

OPERATOR_KEY = "bench-operator-key-0123456789"
SOURCE_KEY = "bench-source-key-01234567890"
LUA = """
local subjects = {}
for line in io.lines("%(subjects)s") do subjects[#subjects + 1] = line end
local services = {"bike_deposit", "power_bank_deposit", "umbrella_deposit"}
local ids = {}
local sent = 0
local tag = 0
function init(args) math.randomseed(%(seed)d); tag = "%(window)d-" .. math.random(1e9) end
function delay() return %(delay)d end
local function headers(key, extra)
  local h = {["Content-Type"] = "application/json", ["X-API-Key"] = key}
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end
request = function()
  sent = sent + 1
  local m = %(mix)s
  local s = subjects[math.random(#subjects)]
  if m == 6 and #ids > 0 then
    local id = table.remove(ids, 1)
    return wrk.format("POST", "/v1/decisions/" .. id .. "/outcome",
      headers("%(key)s", {["Idempotency-Key"] = "o-" .. id}), '{"result":"returned_on_time"}')
  elseif m == 7 or m == 8 then
    return wrk.format("GET", "/v1/subjects/" .. s .. "/score",
      {["X-API-Key"] = "%(operator)s", ["X-Purpose"] = "soak"})
  elseif m == 9 then
    local body = '[{"idempotency_key":"soak-' .. tag .. '-' .. sent .. '","subject":"' .. s ..
      '","kind":"loan_instalment_paid","occurred_at":"2026-11-01","city":"hangzhou",' ..
      '"ref":"loan-' .. sent .. '","amount":1200,"days_late":0}]'
    return wrk.format("POST", "/v1/records", headers("%(source)s"), body)
  end
  local body = '{"subject":"' .. s .. '","service":"' .. services[math.random(3)] ..
    '","amount":"9.00","purpose":"deposit-free service"}'
  return wrk.format("POST", "/v1/decisions",
    headers("%(key)s", {["Idempotency-Key"] = tag .. "-" .. sent}), body)
end
response = function(status, hdrs, body)
  if #ids < 2000 and body:find('"approved":true', 1, true) then
    local id = body:match('"decision_id":"(%%x+)"')
    if id then ids[#ids + 1] = id end
  end
end
"""


#: the Lua expression choosing each request's kind: the mix, or one kind alone
_ONLY = {"decisions": "0", "outcomes": "(#ids > 100) and 6 or 0", "reads": "7", "records": "9"}


def _keys(folder: Path) -> Path:
    path = folder / "keys.toml"
    path.write_text(
        f'[[keys]]\nprincipal = "bike_operator:bench"\nrole = "provider"\nkey = "{KEY}"\n'
        'services = ["bike_deposit", "power_bank_deposit", "umbrella_deposit"]\n\n'
        f'[[keys]]\nprincipal = "operator:office"\nrole = "operator"\nkey = "{OPERATOR_KEY}"\n\n'
        f'[[keys]]\nprincipal = "bank:bench"\nrole = "source"\nkey = "{SOURCE_KEY}"\n'
    )
    return path


def _rss_mib(pid: int) -> float:
    """Resident memory of the server and its workers (same process group), in MiB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ProcessLookupError):
            continue
    return total / 1024


def _window(port: int, script: Path, seconds: int, connections: int) -> dict[str, float]:
    command = [
        *("wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"),
        *("-s", str(script), f"http://127.0.0.1:{port}/"),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return _parse_wrk(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--store", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only",
        choices=sorted(_ONLY),
        help="one kind of request instead of the mix (outcomes: after 100 approvals)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="creditcity-soak-") as tmp:
        folder = Path(tmp)
        url = _store_url(args.store, args, folder)
        subjects = populate(url, args.residents, args.seed)
        listing = folder / "subjects.txt"
        listing.write_text("\n".join(subjects) + "\n")
        script = folder / "soak.lua"
        mix = _ONLY[args.only] if args.only else "sent % 10"
        values = {"subjects": listing, "seed": args.seed, "key": KEY, "mix": mix}
        values.update(operator=OPERATOR_KEY, source=SOURCE_KEY)
        port = _port()
        env = {
            **os.environ,
            "CREDITCITY_HOME": str(folder / "home"),
            # the soak's reader and source send far above their default per-key rates
            "CREDITCITY_RATE_OPERATOR": "100000",
            "CREDITCITY_RATE_SOURCE": "100000",
        }
        command = [
            *(sys.executable, "-m", "creditcity", "serve", "--database-url", url),
            *("--keys", str(_keys(folder)), "--port", str(port), "--workers", str(args.workers)),
        ]
        _soak(command, env, port, (script, values), args, url)


def _paced(delay: float, measured: float, connections: int, rate: int) -> float:
    """The per-connection delay (ms) that brings the next window to ``rate`` requests/s.

    wrk waits ``delay`` after each answer, so a connection's cycle is the delay plus
    the time the answer took; the last window's rate tells that time.
    """
    cycle = connections * 1000 / max(measured, 1.0)  # ms per request per connection
    answered_in = max(0.0, cycle - delay)
    return max(0.0, connections * 1000 / rate - answered_in)


def _soak(
    command: list[str],
    env: dict[str, str],
    port: int,
    lua: tuple[Path, dict[str, object]],
    args: argparse.Namespace,
    url: str,
) -> None:
    script, values = lua
    delay = float(round(args.connections * 1000 / args.rate))
    server = _start(command, env, port, script.parent / "server.log")
    print(
        f"soak: {args.store}, {args.workers} workers, target {args.rate}/s "
        f"({args.connections} connections, paced window by window), "
        f"{args.minutes} min in {args.window} s windows",
        flush=True,
    )
    print(
        f"{'t s':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'RSS MiB':>10}"
        f"{'delay ms':>10}"
    )
    started, errors, total, window = time.monotonic(), 0, 0, 0
    rss_start = _rss_mib(server.pid)
    print(f"{0:>6}{'':>9}{'':>9}{'':>9}{'':>8}{rss_start:>10.0f}", flush=True)
    try:
        while time.monotonic() - started < args.minutes * 60:
            window += 1  # its own idempotency keys: a key reused with another body is a 422
            script.write_text(LUA % {**values, "delay": round(delay), "window": window})
            r = _window(port, script, args.window, args.connections)
            shown_delay = delay
            delay = _paced(delay, r["rate"], args.connections, args.rate)
            bad = int(r["non_2xx"]) + (0 if r["socket_errors"] == "none" else 1)
            errors, total = errors + bad, total + int(r["requests"])
            rss = _rss_mib(server.pid)
            elapsed = time.monotonic() - started
            print(
                f"{elapsed:>6.0f}{r['rate']:>9,.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
                f"{bad:>8}{rss:>10.0f}{shown_delay:>10.0f}",
                flush=True,
            )
    finally:
        _stop(server)
    print(f"total {total:,} requests, {errors} errors; RSS {rss_start:.0f} -> {rss:.0f} MiB")
    routes, refused = _access_log(script.parent / "server.log")
    for route, durations in sorted(routes.items()):
        durations.sort()
        p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))]
        print(f"  {route}: {len(durations):,} answered, p99 {p99:.1f} ms in the server")
    for (route, status), count in sorted(refused.items()):
        print(f"  {count:>8,} x {status} {route}")
    _verify(url)


def _access_log(log: Path) -> tuple[dict[str, list[float]], Counter[tuple[str, int]]]:
    """Time in the server by route, and answers other than 2xx by route and status."""
    routes: dict[str, list[float]] = {}
    tally: Counter[tuple[str, int]] = Counter()
    with log.open(errors="replace") as lines:
        for line in lines:
            if '"status"' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            status, route = entry.get("status"), str(entry.get("route"))
            routes.setdefault(route, []).append(float(entry.get("duration_ms", 0.0)))
            if isinstance(status, int) and not 200 <= status < 300:
                tally[(route, status)] += 1
    return routes, tally


def _verify(url: str) -> None:
    from creditcity.ledger.audit import chain
    from creditcity.ledger.db import make_engine
    from creditcity.rights.audit_chain import verify_chain

    with make_engine(url).connect() as conn:
        report = verify_chain(chain(conn))
    print(f"audit chain: {'intact' if report.intact else 'BROKEN'}, {report.count:,} rows")


if __name__ == "__main__":
    main()
