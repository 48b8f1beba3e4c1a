"""The middlewares every request passes, installed once where the app is assembled.

    install_edge(app, settings)

Outermost first: :class:`~creditcity.api.observability.Edge` (request id,
security headers, metrics, access log), then
:class:`~creditcity.api.limits.BodyLimit` (413 before reading), then the
:class:`~creditcity.api.decision_lane.DecisionLane` (ordinary decision
requests answered without the framework's rounds), then the app's own stack
(its 500 handler included, so even a crash gets the request id, the headers
and a metric). Both are pure ASGI: together they cost a few
microseconds a request (``python -m bench.bench_edge``). The per-key rate
limits live on ``app.state.limits``; :func:`creditcity.api.deps.current_principal`
spends them once the key is known.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp

from creditcity.api.decision_lane import DecisionLane
from creditcity.api.limits import RateLimits, body_limit_for
from creditcity.api.observability import Edge
from creditcity.config import Settings

__all__ = ["install_edge"]


def install_edge(app: FastAPI, settings: Settings) -> None:
    """Wrap ``app``'s middleware stack in the edge middlewares (idempotent per app)."""
    app.state.limits = RateLimits.from_settings(settings)
    if getattr(app.state, "edge_installed", False):
        return
    app.state.edge_installed = True
    build = app.build_middleware_stack

    def stack() -> ASGIApp:
        lane = DecisionLane(
            build(), runtime_of=lambda: app.state.runtime, limits_of=lambda: app.state.limits
        )
        return Edge(body_limit_for(lane, settings), access_log=settings.access_log)

    app.build_middleware_stack = stack  # type: ignore[method-assign]
