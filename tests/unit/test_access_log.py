"""The access log writes one JSON line per request, batched, and loses none at shutdown."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from creditcity.api import access_log
from creditcity.api.access_log import AccessLog
from creditcity.api.observability import Edge
from creditcity.logs import REQUEST_ID


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_carries_what_the_log_formatter_writes() -> None:
    stream = io.StringIO()
    log = AccessLog(stream)
    token = REQUEST_ID.set("req-1")
    try:
        log.request("POST", "/v1/decisions", "/v1/decisions", 200, 3.25, "127.0.0.1")
    finally:
        REQUEST_ID.reset(token)
    (line,) = _lines(stream)  # off an event loop: written at once
    assert line["logger"] == "creditcity.access" and line["message"] == "request"
    assert line["request_id"] == "req-1" and line["level"] == "info"
    assert {k: line[k] for k in ("method", "path", "route", "status", "duration_ms")} == {
        "method": "POST",
        "path": "/v1/decisions",
        "route": "/v1/decisions",
        "status": 200,
        "duration_ms": 3.25,
    }
    assert str(line["time"]).endswith("+00:00")


def test_on_the_loop_lines_wait_for_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_log, "EVERY", 0.05)
    stream = io.StringIO()
    log = AccessLog(stream)

    async def serve() -> tuple[str, str]:
        for i in range(3):
            log.request("GET", f"/p{i}", "/p", 200, 1.0, None)
        before = stream.getvalue()
        await asyncio.sleep(0.2)
        return before, stream.getvalue()

    before, after = asyncio.run(serve())
    assert before == ""  # buffered
    assert [line["path"] for line in _lines(io.StringIO(after))] == ["/p0", "/p1", "/p2"]


def test_a_full_buffer_is_written_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_log, "MAX_LINES", 4)
    monkeypatch.setattr(access_log, "EVERY", 60.0)
    stream = io.StringIO()
    log = AccessLog(stream)

    async def serve() -> int:
        for i in range(5):
            log.request("GET", f"/p{i}", "/p", 200, 1.0, None)
        return len(_lines(stream))

    assert asyncio.run(serve()) == 4
    log.flush()
    assert len(_lines(stream)) == 5


def test_the_log_level_turns_it_off() -> None:
    logger = logging.getLogger("creditcity.access")
    before = logger.level
    logger.setLevel(logging.WARNING)
    try:
        assert not AccessLog(io.StringIO()).enabled
    finally:
        logger.setLevel(before)


def test_the_edge_writes_the_last_lines_at_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_log, "EVERY", 3600.0)  # only the shutdown can write them
    stream = io.StringIO()
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    edge = Edge(app, lines=AccessLog(stream))
    logging.getLogger("creditcity.access").setLevel(logging.INFO)
    with TestClient(edge) as client:
        for _ in range(3):
            assert client.get("/ping").status_code == 200
        assert stream.getvalue() == ""
    assert [line["status"] for line in _lines(stream)] == [200, 200, 200]
