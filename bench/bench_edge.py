"""What the edge middlewares cost a request: one FastAPI route, bare and behind the edge.

    .venv/bin/python -m bench.bench_edge [--requests 20000]

Both apps are the same FastAPI app with one POST route (a pydantic body, a
dict answer); one is wrapped by :func:`creditcity.api.edge.install_edge`
(request id, security headers, metrics, access log off as when logging is
not configured, body limit). Requests are driven through ASGI in-process, one
after another, so the difference is the middlewares' own CPU time per request
(no network, no server). Prints requests/s of each, the ratio, and the
microseconds the edge adds.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from creditcity.api.edge import install_edge
from creditcity.config import Settings

BODY = b'{"subject": "p_0123456789abcdef0123456789abcdef", "service": "bike_deposit", "amount": 99}'


class Ask(BaseModel):
    subject: str
    service: str
    amount: float


def _app(edge: bool) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/decisions")
    async def decide(body: Ask) -> dict[str, Any]:
        return {"approved": True, "subject": body.subject, "waived": body.amount}

    if edge:
        install_edge(app, Settings(access_log=True))
    return app


async def _drive(app: FastAPI, n: int) -> float:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/decisions",
        "raw_path": b"/v1/decisions",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(BODY)).encode()),
            (b"x-api-key", b"k" * 24),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(_: dict[str, Any]) -> None:
        return None

    for _ in range(200):  # warm up: routes compiled, metric children made
        await app(dict(scope), receive, send)
    started = time.perf_counter()
    for _ in range(n):
        await app(dict(scope), receive, send)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    n = parser.parse_args().requests
    bare = asyncio.run(_drive(_app(edge=False), n))
    edged = asyncio.run(_drive(_app(edge=True), n))
    print(f"bare FastAPI route:   {n / bare:>10,.0f} requests/s ({bare / n * 1e6:.1f} µs each)")
    print(f"behind the edge:      {n / edged:>10,.0f} requests/s ({edged / n * 1e6:.1f} µs each)")
    print(f"ratio edge/bare:      {bare / edged:.3f}")
    print(f"the edge adds:        {(edged - bare) / n * 1e6:.1f} µs a request")


if __name__ == "__main__":
    main()
