"""The office's pages on the demo city, timed in process (no network), after signing in.

    make demo                                  # once: the 10,000-resident city in .demo/
    .venv/bin/python -m bench.bench_office_pages [--dir .demo] [--requests 12]

Prints the time of ``GET /operator`` in Chinese (the median leaves out the first two
requests, which fill caches) and of the model and restriction pages. The issue's
target is ``/operator`` under 150 ms on a 20,000-resident city.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import tomllib
from pathlib import Path

from fastapi.testclient import TestClient

from creditcity.asgi import create_app

BASE = "http://127.0.0.1"


def _timed(client: TestClient, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        began = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
    return times


def _sign_in(client: TestClient, key: str) -> None:
    page = client.get("/sign-in").text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    if found is None:
        raise SystemExit("the sign-in page carries no form token")
    answer = client.post(
        "/sign-in",
        data={"key": key, "csrf": found.group(1)},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in refused: {answer.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=Path(".demo"))
    parser.add_argument("--requests", type=int, default=12)
    args = parser.parse_args()
    with (args.dir / "keys.toml").open("rb") as source:
        keys = tomllib.load(source)["keys"]
    operator = next(k["key"] for k in keys if k["role"] == "operator")
    # the keys are imported here too: a city built with ``demo --no-serve`` has none stored
    app = create_app(f"sqlite:///{args.dir / 'creditcity.db'}", keys=args.dir / "keys.toml")
    with TestClient(app, base_url=BASE) as client:
        _sign_in(client, operator)
        times = _timed(client, "/operator?lang=zh", args.requests)
        print("GET /operator (zh), ms:", [round(t) for t in times])
        print(f"median {statistics.median(times[2:]):.0f} ms, min {min(times):.0f} ms")
        for path in ("/operator/restrictions?lang=zh", "/operator/model?lang=zh"):
            print(f"{path}: median {statistics.median(_timed(client, path, 5)):.0f} ms")


if __name__ == "__main__":
    main()
