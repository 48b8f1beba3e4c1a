"""Prometheus series of creditcity, all named ``creditcity_*``.

    HTTP_REQUESTS{route, method, status}     requests answered, by route template
    HTTP_LATENCY{route, method}              seconds from first byte in to last byte out
    DECISIONS{outcome}                       decisions answered (approved, partial, declined)
    GROUP_COMMIT_SIZE                        decisions committed together by the batcher
    INGESTED{result}                         records accepted, duplicate or rejected
    audit chain length, rescoring lag        read from the database at scrape time

With ``--workers N`` each worker writes its samples to files under
``PROMETHEUS_MULTIPROC_DIR`` (``serve`` sets it to a fresh temporary folder
before anything imports prometheus_client), and a scrape of any worker adds
them all up. Without it (one process, tests) the default registry is used.
The series live here, below ``api``, ``web`` and ``services``, so any layer
can count what it does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = [
    "CONTENT_TYPE_LATEST",
    "DECISIONS",
    "GROUP_COMMIT_SIZE",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "INGESTED",
    "MULTIPROC_ENV",
    "exposition",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "creditcity_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "creditcity_http_request_duration_seconds",
    "Seconds from the request's arrival to the end of the answer, by route template.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
DECISIONS = Counter(
    "creditcity_decisions", "Decisions answered, by outcome.", ["outcome", "service"]
)
GROUP_COMMIT_SIZE = Histogram(
    "creditcity_decision_group_commit_size",
    "Decisions committed in one transaction by the decision batcher.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
INGESTED = Counter(
    "creditcity_ingested_records", "Records submitted, by result.", ["result", "channel"]
)


class _ScrapeTime(Collector):
    """Figures read from the database when scraped (one reading serves every worker)."""

    def __init__(self, read: Callable[[], dict[str, float]]) -> None:
        self._read = read

    def collect(self) -> Iterable[Metric]:
        helps = {
            "creditcity_audit_chain_length": "Events in the tamper-evident audit chain.",
            "creditcity_rescoring_lag_seconds": "Seconds between the newest record received and "
            "the newest score computed (0 when scores are current).",
            "creditcity_up": "1 when the database answered this scrape.",
        }
        for name, value in self._read().items():
            yield GaugeMetricFamily(name, helps.get(name, name), value=value)


def exposition(read: Callable[[], dict[str, float]] | None = None) -> bytes:
    """The text exposition of every series (all workers' when multiprocess), plus the
    figures ``read`` returns at scrape time."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    if read is not None:
        registry.register(_ScrapeTime(read))
    return generate_latest(registry)


class _Default(Collector):
    """The process's default registry, inside a per-scrape registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()
