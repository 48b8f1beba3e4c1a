"""The portal added to an app: its routes, static files and sessions over the runtime.

    install_portal(app, runtime)

Called by :mod:`creditcity.asgi` beside the API; the portal reads the same
runtime (``app.state.runtime``) the API does and never imports the API.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from creditcity.bootstrap import Runtime
from creditcity.web import routes, signin
from creditcity.web.error_pages import install_error_pages
from creditcity.web.oidc import OidcClient
from creditcity.web.render import load_session
from creditcity.web.session import Sessions

__all__ = ["install_portal"]


def install_portal(app: FastAPI, runtime: Runtime) -> None:
    """Serve the portal at ``/`` (pages) and ``/static`` (styles, scripts, fonts)."""
    app.state.sessions = Sessions(runtime.engine, runtime.settings)
    if runtime.settings.oidc_enabled:
        app.state.oidc = OidcClient(runtime.settings)
    static = StaticFiles(directory=str(files("creditcity.web") / "static"))
    app.mount("/static", static, name="static")
    app.include_router(routes.router)
    if runtime.demo:  # under ``serve`` the one-tap demo sign-in does not exist at all
        app.include_router(signin.demo_router, dependencies=[Depends(load_session)])
    install_error_pages(app)
