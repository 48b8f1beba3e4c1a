"""Limits at the edge: body sizes before reading, requests per key, failed keys per address.

    BodyLimit(app, default=1 MiB, by_prefix=(("/v1/decisions", 16 KiB), ("/v1/records", 64 MiB)))
    RateLimits.from_settings(settings)   # .admit(principal), .refuse_if_locked(addr), .failed(addr)

:class:`BodyLimit` is pure ASGI and sits outside everything else: a declared
``Content-Length`` over the route's limit is answered 413 before one byte of
the body is read (and before the key is looked at); a body without one
(chunked) is counted as it streams and refused the moment it passes the
limit, so a 300 MB body costs the server nothing.

Rate limits are token buckets per key **per process**: with ``--workers N``
a key may spend up to N times its rate in all (the limit is a guard against
floods, not a quota; a shared store would cost every decision a round trip).
Failed authentication is counted per client address (the proxy's forwarded
address when ``forwarded_allow_ips`` trusts it): past the limit in the window,
every key from that address is refused with 429 until the window ends.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditcity.api.errors import send_problem
from creditcity.config import Settings
from creditcity.domain.principals import Principal, Role
from creditcity.errors import Problem, TooLarge, TooMany

__all__ = ["BodyLimit", "RateLimits", "body_limit_for"]

#: addresses remembered at most (oldest forgotten first), so a scan cannot fill memory
MAX_TRACKED = 100_000


def _too_large(limit: int, declared: int | None) -> TooLarge:
    size = f"{declared:,} bytes" if declared is not None else f"more than {limit:,} bytes"
    return TooLarge(
        f"the body is too large for this route ({size})",
        problems=[
            Problem(
                size,
                where="request body",
                field="Content-Length",
                expected=f"at most {limit:,} bytes; split it into several requests",
            )
        ],
    )


class BodyLimit:
    """Refuse bodies over the route's limit, declared or streamed, before they are read."""

    def __init__(self, app: ASGIApp, *, default: int, by_prefix: tuple[tuple[str, int], ...]):
        self.app = app
        self.default = default
        self.by_prefix = by_prefix

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.by_prefix:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await send_problem(send, _too_large(limit, declared))
            return
        if declared is not None:  # the server delivers no more than declared
            await self.app(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit, None)
        return message

    return counted


def body_limit_for(app: ASGIApp, settings: Settings) -> BodyLimit:
    """The body limits the settings name, around ``app``."""
    return BodyLimit(
        app,
        default=settings.max_body_bytes,
        by_prefix=(
            ("/v1/decisions", settings.max_decision_body_bytes),
            ("/v1/records", settings.max_records_body_bytes),
            # a fairness group file (one line per resident), uploaded by the office
            ("/operator/fairness", settings.max_records_body_bytes),
        ),
    )


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimits:
    """Token buckets per key and failure windows per address, in this process."""

    def __init__(
        self,
        rates: dict[Role, tuple[float, float]],
        *,
        failures: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rates = rates  # role -> (tokens per second, burst)
        self._failures = failures
        self._window = window
        self._now = clock
        self._buckets: dict[tuple[str, Role], _Bucket] = {}
        self._failed: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        s = settings
        return cls(
            {
                Role.RESIDENT: (s.rate_resident, s.rate_resident * s.rate_burst_seconds),
                Role.SOURCE: (s.rate_source, s.rate_source * s.rate_burst_seconds),
                Role.PROVIDER: (s.rate_provider, s.rate_provider * s.rate_burst_seconds),
                Role.OPERATOR: (s.rate_operator, s.rate_operator * s.rate_burst_seconds),
            },
            failures=s.auth_failures_max,
            window=s.auth_failure_window_seconds,
        )

    def admit(self, principal: Principal) -> None:
        """Spend one request of ``principal``'s key, or raise :class:`TooMany`."""
        rate, burst = self._rates.get(principal.role, (0.0, 0.0))
        if rate <= 0:
            return  # no limit for this role
        key = (principal.id, principal.role)
        now = self._now()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(burst, now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = (1 - bucket.tokens) / rate
        raise TooMany(
            f"too many requests for the key of {principal.id}",
            retry_after=math.ceil(wait),
            problems=[
                Problem(
                    f"more than {rate:g} requests a second (bursts of {burst:g})",
                    where="header",
                    field="X-API-Key",
                    expected="fewer requests; wait for Retry-After seconds",
                )
            ],
        )

    def refuse_if_locked(self, address: str) -> None:
        """Raise :class:`TooMany` while ``address`` has failed too often in the window."""
        with self._lock:
            found = self._failed.get(address)
        if found is None:
            return
        started, count = found
        left = started + self._window - self._now()
        if count >= self._failures and left > 0:
            raise TooMany(
                "too many failed keys from this address",
                retry_after=math.ceil(left),
                problems=[
                    Problem(
                        f"{count} unknown or missing keys in {self._window:g} s",
                        where="header",
                        field="X-API-Key",
                        expected="the key the city credit office issued to you, "
                        "after Retry-After seconds",
                    )
                ],
            )

    def failed(self, address: str) -> None:
        """Count one failed authentication from ``address``."""
        now = self._now()
        with self._lock:
            started, count = self._failed.pop(address, (now, 0))
            if now - started >= self._window:
                started, count = now, 0
            self._failed[address] = (started, count + 1)
            while len(self._failed) > MAX_TRACKED:
                self._failed.popitem(last=False)
