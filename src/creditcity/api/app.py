"""The API as a FastAPI app over a runtime: routers, error handlers, OpenAPI.

    build_api(runtime) -> FastAPI

The runtime comes from :func:`creditcity.bootstrap.bootstrap`; the portal is
added beside the API by :mod:`creditcity.asgi`, not from here (the API and the
portal are two doors into the same services). OpenAPI is served at
``/openapi.json`` and browsable at ``/docs``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from creditcity.api.errors import document_problems, install_error_handlers
from creditcity.api.routes import decisions, federation, me, operator, public, records, subjects
from creditcity.api.routes.operations import install_operations
from creditcity.bootstrap import Runtime

__all__ = ["build_api"]

DESCRIPTION = """\
The city credit bureau's API. Roles: **source** (submits records), **provider**
(asks decisions, reports outcomes), **resident** (their own file and rights),
**operator** (the city credit office). Send your key in `X-API-Key`. Every read
of a person's data states why in `X-Purpose` (or a `purpose` query parameter);
the reason is kept in the tamper-evident audit log the person can read.
Errors are RFC 9457 problem details (`application/problem+json`: type, title, status,
detail, instance) with a `problems` list naming each field: `{where, field, message, expected}`.
"""


def _lifespan(runtime: Runtime) -> Any:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = runtime.keyring.keep_fresh()  # requests authenticate from memory only
        try:
            yield
        finally:
            stop()

    return lifespan


def build_api(runtime: Runtime) -> FastAPI:
    """The API's app; ``runtime`` is kept on ``app.state`` for the dependencies."""
    app = FastAPI(
        lifespan=_lifespan(runtime),
        title="creditcity",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,  # served from local assets: see creditcity.api.routes.operations
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    install_operations(app)
    for module in (records, decisions, subjects, me, public, operator, federation):
        app.include_router(module.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the record model the records body refers to."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["RecordIn"] = records.RECORD_SCHEMA.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        app.openapi_schema = document_problems(schema)
    return app.openapi_schema
