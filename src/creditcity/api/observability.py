"""The edge every request passes: its id, security headers, metrics and the access log.

    Edge(app, access_log=True)

One pure ASGI middleware (not ``BaseHTTPMiddleware``, which costs a task and a
queue per request) around the whole service, API and portal alike:

- **request id**: the caller's ``X-Request-ID`` when it is 1–128 safe
  characters, else a fresh one; set in :data:`creditcity.logs.REQUEST_ID`
  for the logs and error bodies, and returned in ``X-Request-ID``;
- **security headers** on every answer: a Content-Security-Policy with
  ``frame-ancestors 'none'``, ``nosniff``, a strict Referrer-Policy, and
  ``Cache-Control: no-store`` on everything personal (the API but its public
  routes, the resident's and the office's pages, sign-in);
- **metrics**: requests by route *template* (never the raw path, so ids do not
  explode the series), method and status, and a latency histogram;
- **access log**: one JSON line per request (``creditcity.access``), written a few
  times a second (:mod:`creditcity.api.access_log`).
"""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditcity.api.access_log import AccessLog
from creditcity.ids import unique_hex
from creditcity.logs import REQUEST_ID
from creditcity.metrics import series

__all__ = ["Edge", "route_template"]

_SAFE_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
#: pages and routes with nothing personal: cacheable, and the API docs need inline scripts
_PUBLIC = ("/v1/public/", "/.well-known/", "/static/", "/docs", "/redoc", "/openapi.json")
_PUBLIC_PAGES = frozenset({"/", "/scorecard", "/policy", "/healthz", "/readyz", "/metrics"})
_CSP = (
    b"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    b"object-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"
)
#: Swagger UI and ReDoc start with an inline script and ReDoc runs a blob worker
_DOCS_CSP = _CSP + b"; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" even
    # on the portal's own form posts, and the portal refuses posts not from its origin
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
_NO_STORE = (b"cache-control", b"no-store")


def route_template(scope: Scope, root: str) -> str:
    """The matched route's template with its mount prefix, e.g. ``/v1/decisions/{decision_id}``
    (``<unmatched>`` when no route matched, so unknown paths share one series)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "<unmatched>"
    prefix = scope.get("root_path", "")[len(root) :]
    return f"{prefix}{path}"


class Edge:
    """Request id, security headers, metrics and access log for every HTTP request."""

    def __init__(
        self, app: ASGIApp, *, access_log: bool = True, lines: AccessLog | None = None
    ) -> None:
        """``lines``: where access lines go (default: the process's stderr)."""
        self.app = app
        self.access_log = access_log
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._series = series()
        self._access = lines or AccessLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._flushing_at_shutdown(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id.decode())
        path: str = scope["path"]
        extra = self._headers_for(path, request_id)
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                if any(name.lower() == b"cache-control" for name, _ in headers):
                    extra_now = [h for h in extra if h[0] != b"cache-control"]
                else:
                    extra_now = extra
                message["headers"] = headers + extra_now
            await send(message)

        root = scope.get("root_path", "")
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            self._observe(scope, root, status, elapsed)
            REQUEST_ID.reset(token)

    @staticmethod
    def _headers_for(path: str, request_id: bytes) -> list[tuple[bytes, bytes]]:
        docs = path.startswith(("/docs", "/redoc"))
        headers = [
            *_ALWAYS,
            (b"content-security-policy", _DOCS_CSP if docs else _CSP),
            (b"x-request-id", request_id),
        ]
        if not (path in _PUBLIC_PAGES or path.startswith(_PUBLIC)):
            headers.append(_NO_STORE)
        return headers

    def _observe(self, scope: Scope, root: str, status: int, elapsed: float) -> None:
        route = route_template(scope, root)
        method: str = scope["method"]
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self._series.http_requests.labels(route, method, str(status)),
                self._series.http_latency.labels(route, method),
            )
            if len(self._children) < 10_000:  # bounded: templates x methods x statuses
                self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)
        if self.access_log and self._access.enabled:
            client = scope.get("client")
            self._access.request(
                method,
                scope["path"][:512],
                route,
                status,
                round(elapsed * 1000, 3),
                client[0] if client else None,
            )

    def _flushing_at_shutdown(self, send: Send) -> Send:
        """``send`` for the lifespan: the buffered access lines go out before shutdown ends."""

        async def sent(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown"):
                self._access.flush()
            await send(message)

        return sent


def _request_id(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            if _SAFE_ID.match(value):
                return bytes(value)
            break
    return unique_hex(64).encode()
