"""Operations: ``/healthz``, ``/readyz``, ``/metrics``, and the API docs served from here.

``/healthz`` answers while the process runs (a liveness probe restarts a dead
one); ``/readyz`` is 503 until the database answers, its schema is current, a
model is active and the signing key is usable (a load balancer sends no
traffic before). ``/metrics`` is the Prometheus text exposition; keep it on
the internal network (the reverse proxy need not pass it on).

Swagger UI (``/docs``) and ReDoc (``/redoc``) load their scripts and styles
from ``/docs-assets``, files that ship in the installed ``fastapi-offline``
package: nothing comes from a CDN, so the docs work offline and under a
strict Content-Security-Policy.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import RuntimeDep
from creditcity.api.errors import OWN_BODY
from creditcity.metrics import CONTENT_TYPE, exposition
from creditcity.services.operations import readiness, scrape_figures

router = APIRouter(tags=["operations"])
ASSETS = "/docs-assets"


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database, migrations, active model, signing key",
    responses={
        503: {
            "description": "not ready; each check says why",
            "content": {"application/json": {"schema": {"type": "object"}}},
            OWN_BODY: True,
        }
    },
)
async def readyz(rt: RuntimeDep) -> Any:
    s = rt.settings
    found = await run_in_threadpool(readiness, rt.engine, s.keys_dir or s.home / "keys")
    return JSONResponse(found.as_dict(), status_code=200 if found.ready else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics (creditcity_*)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}}}},
)
async def metrics(rt: RuntimeDep) -> Response:
    text = await run_in_threadpool(exposition, lambda: scrape_figures(rt.engine))
    return Response(text, media_type=CONTENT_TYPE)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs", include_in_schema=False)
async def swagger(request: Request) -> HTMLResponse:
    root = _root(request)
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title="creditcity API",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
    )


@router.get("/redoc", include_in_schema=False)
async def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    return get_redoc_html(
        openapi_url=f"{root}/openapi.json",
        title="creditcity API",
        redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
        with_google_fonts=False,
    )


def install_operations(app: FastAPI) -> None:
    """The operations routes and the docs' local assets."""
    app.include_router(router)
    assets = files("fastapi_offline") / "static"
    app.mount(ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")
