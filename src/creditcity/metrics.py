"""Prometheus series of creditcity, all named ``creditcity_*``.

    http_requests{route, method, status}     requests answered, by route template
    http_latency{route, method}              seconds from first byte in to last byte out
    decisions{outcome, service}              decisions answered, by outcome
    group_commit_size                        decisions committed together by the batcher
    ingested{result, channel}                records accepted, duplicate or rejected
    federation_refusals{reason}              federation batches and requests refused
    audit chain length, rescoring lag        read from the database at scrape time

With ``--workers N`` each worker writes its samples to files under
``PROMETHEUS_MULTIPROC_DIR`` (``serve`` sets it to a fresh temporary folder
before anything imports prometheus_client), and a scrape of any worker adds
them all up. Without it (one process, tests) the default registry is used.
The series live here, below ``api``, ``web`` and ``services``, so any layer
can count what it does; they are made on first use (:func:`series`), so that
importing this module does not import prometheus_client before ``serve`` has
chosen where samples go.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram

__all__ = ["CONTENT_TYPE", "MULTIPROC_ENV", "Series", "exposition", "series"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Series:
    """The process's series; made on first use, after ``serve`` chose their storage."""

    http_requests: Counter
    http_latency: Histogram
    decisions: Counter
    group_commit_size: Histogram
    ingested: Counter
    federation_refusals: Counter


@cache
def series() -> Series:
    """The series (prometheus_client is imported here, not when this module is)."""
    from prometheus_client import Counter, Histogram

    return Series(
        http_requests=Counter(
            "creditcity_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
        ),
        http_latency=Histogram(
            "creditcity_http_request_duration_seconds",
            "Seconds from the request's arrival to the end of the answer, by route template.",
            ["route", "method"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
        ),
        decisions=Counter(
            "creditcity_decisions",
            "Decisions answered, by outcome and service.",
            ["outcome", "service"],
        ),
        group_commit_size=Histogram(
            "creditcity_decision_group_commit_size",
            "Decisions committed in one transaction by the decision batcher.",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
        ),
        ingested=Counter(
            "creditcity_ingested_records",
            "Records submitted, by result (accepted, duplicate, rejected) and channel.",
            ["result", "channel"],
        ),
        federation_refusals=Counter(
            "creditcity_federation_refusals",
            "Federation batches and requests refused, by reason (tampered, gap, replay, "
            "unknown peer, unreachable, ...); each is also in the refusals log.",
            ["reason"],
        ),
    )


def _scrape_time(read: Callable[[], dict[str, float]]) -> Any:
    """Figures read from the database when scraped (one reading serves every worker)."""
    from prometheus_client.core import GaugeMetricFamily
    from prometheus_client.registry import Collector

    helps = {
        "creditcity_audit_chain_length": "Events in the tamper-evident audit chain.",
        "creditcity_rescoring_lag_seconds": "Seconds between the newest record received and "
        "the newest score computed (0 when scores are current).",
        "creditcity_up": "1 when the database answered this scrape.",
    }

    class ScrapeTime(Collector):
        def collect(self) -> Iterable[Any]:
            for name, value in read().items():
                yield GaugeMetricFamily(name, helps.get(name, name), value=value)

    return ScrapeTime()


def exposition(read: Callable[[], dict[str, float]] | None = None) -> bytes:
    """The text exposition of every series (all workers' when multiprocess), plus the
    figures ``read`` returns at scrape time."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    series()  # a scrape before any request still lists every series
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Default(REGISTRY))
    if read is not None:
        registry.register(_scrape_time(read))
    return generate_latest(registry)


class _Default:
    """The process's default registry, inside a per-scrape registry."""

    def __init__(self, registry: Any) -> None:
        self._registry = registry

    def collect(self) -> Iterable[Any]:
        return self._registry.collect()  # type: ignore[no-any-return]


def count_ingested(channel: str, *, accepted: int, duplicate: int, rejected: int) -> None:
    """Records submitted through ``channel`` (``http``), by result."""
    ingested = series().ingested
    for result, n in (("accepted", accepted), ("duplicate", duplicate), ("rejected", rejected)):
        if n:
            ingested.labels(result, channel).inc(n)


def count_federation_refusal(reason: str) -> None:
    """A refused federation batch or request (its reason is one of a fixed set)."""
    series().federation_refusals.labels(reason).inc()


def count_group_commit(outcomes: Iterable[tuple[str, bool]]) -> None:
    """One committed batch of decisions: its size, and each ``(service, approved)``."""
    s = series()
    n = 0
    for service, approved in outcomes:
        s.decisions.labels("approved" if approved else "declined", service).inc()
        n += 1
    if n:
        s.group_commit_size.observe(n)
