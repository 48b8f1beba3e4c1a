"""The app factory: wire storage, policy, keys and routers into one FastAPI app.

    create_app(database_url, *, settings=None, keys=None) -> FastAPI

``keys`` is a keys file (see :mod:`creditcity.api.keys`) or a loaded
:class:`KeyRing`; without keys only the public routes and pages answer.
OpenAPI is served at ``/openapi.json`` and browsable at ``/docs``; the
portal (Chinese and English) at ``/``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from creditcity.api.batching import DecisionBatcher
from creditcity.api.deps import Runtime
from creditcity.api.errors import install_error_handlers
from creditcity.api.keys import KeyRing
from creditcity.api.routes import decisions, federation, me, operator, public, records, subjects
from creditcity.config import Settings, get_settings
from creditcity.ledger.db import make_engine, migrate
from creditcity.services.decide import policy_for

__all__ = ["create_app"]

DESCRIPTION = """\
The city credit bureau's API. Roles: **source** (submits records), **provider**
(asks decisions, reports outcomes), **resident** (their own file and rights),
**operator** (the city credit office). Send your key in `X-API-Key`. Every read
of a person's data states why in `X-Purpose` (or a `purpose` query parameter);
the reason is kept in the tamper-evident audit log the person can read.
Errors are `{error, message, problems: [{where, field, message, expected}]}`.
"""


def create_app(
    database_url: str,
    *,
    settings: Settings | None = None,
    keys: Path | KeyRing | None = None,
    portal: bool = True,
) -> FastAPI:
    """A ready app on ``database_url`` (migrated to the newest schema)."""
    settings = settings or get_settings()
    engine = make_engine(database_url)
    migrate(engine)
    policy = policy_for(settings)
    keyring = keys if isinstance(keys, KeyRing) else KeyRing.load(keys) if keys else KeyRing()
    app = FastAPI(title="creditcity", version="0.1.0", description=DESCRIPTION)
    app.state.runtime = Runtime(
        engine=engine,
        settings=settings,
        policy=policy,
        keyring=keyring,
        batcher=DecisionBatcher(engine, policy=policy, settings=settings),
    )
    install_error_handlers(app)
    for module in (records, decisions, subjects, me, public, operator, federation):
        app.include_router(module.router)
    if portal:
        from creditcity.web import routes as web
        from creditcity.web.session import Sessions

        app.state.sessions = Sessions(keyring, settings.pseudonym_secret)
        app.mount(
            "/static", StaticFiles(directory=str(files("creditcity.web") / "static")), name="static"
        )
        app.include_router(web.router)
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
        app.openapi_schema = schema
    return app.openapi_schema
