"""The served application: the API and the portal, side by side over one runtime.

    uvicorn --factory creditcity.asgi:create_app      # settings from CREDITCITY_*

``creditcity serve`` builds the same thing. The API (:mod:`creditcity.api`)
and the portal (:mod:`creditcity.web`) are siblings: both are assembled here
and neither imports the other.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from creditcity.api import build_api
from creditcity.api.edge import install_edge
from creditcity.bootstrap import Runtime, bootstrap
from creditcity.config import Settings
from creditcity.web.portal import install_portal

__all__ = ["create_app", "serve_runtime"]


def serve_runtime(runtime: Runtime, *, portal: bool = True) -> FastAPI:
    """The app for an existing runtime."""
    app = build_api(runtime)
    if portal:
        install_portal(app, runtime)
    # outermost, around the API and the portal alike: request ids, headers, metrics, limits
    install_edge(app, runtime.settings)
    return app


def create_app(
    database_url: str | None = None,
    *,
    settings: Settings | None = None,
    keys: Path | None = None,
    portal: bool = True,
    demo: bool = False,
) -> FastAPI:
    """A ready app on ``database_url`` (default: the settings'), migrated to the newest schema.

    API keys live in the database (``creditcity keys``); ``keys`` names a TOML
    keys file to import first (see :mod:`creditcity.services.key_file`). ``demo``
    is for ``creditcity demo`` only: it adds one-tap demo sign-in and a banner.
    """
    runtime = bootstrap(settings, database_url=database_url, keys=keys, demo=demo)
    return serve_runtime(runtime, portal=portal)
