"""Errors on portal pages as pages: 404, 403 and 500 in the reader's language, with a way back.

The API answers errors as JSON; a person who mistypes a portal address, or
whose form has expired, should see a page instead. These handlers wrap the
app's JSON ones: a request for an API path (or one that does not ask for
HTML) still gets JSON.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditcity.errors import CreditCityError, NotAuthorised, NotFound, http_status_for
from creditcity.web.render import page_for

__all__ = ["install_error_pages"]

Handler = Callable[[Request, Any], Response | Awaitable[Response]]
_API = (
    "/v1/",
    "/.well-known/",
    "/openapi.json",
    "/docs",
    "/redoc",
    "/static/",
    "/healthz",
    "/readyz",
    "/metrics",
)
_log = logging.getLogger(__name__)


def _wants_page(request: Request) -> bool:
    path = request.url.path
    accept = request.headers.get("accept", "")
    # browsers ask for text/html; API clients and tools ask for JSON or anything
    return not path.startswith(_API) and "text/html" in accept


def _page(request: Request, error: CreditCityError, status: int, *, said: bool = False) -> Response:
    """``said``: the error's message is already in the reader's language."""
    page = page_for(request)
    return page.render("error.html", status=status, here="/", error=error, back="/", said=said)


async def _answer(handler: Handler, request: Request, error: Exception) -> Response:
    result = handler(request, error)
    return await result if inspect.isawaitable(result) else result


def install_error_pages(app: FastAPI) -> None:
    """Put HTML in front of the app's JSON error handlers for portal paths."""
    json_http: Handler = app.exception_handlers[StarletteHTTPException]
    json_error: Handler = app.exception_handlers[CreditCityError]
    json_crash: Handler | None = app.exception_handlers.get(Exception)

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if not _wants_page(request) or error.status_code not in (403, 404, 405):
            return await _answer(json_http, request, error)
        words = page_for(request).say
        shown = (
            NotFound(words.gettext("There is no such page."))
            if error.status_code != 403
            else NotAuthorised(words.gettext("This account may not see this page."))
        )
        status = 404 if error.status_code == 405 else error.status_code
        return _page(request, shown, status, said=True)

    async def on_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, CreditCityError)
        if not _wants_page(request):
            return await _answer(json_error, request, error)
        return _page(request, error, http_status_for(error))

    async def on_crash(request: Request, error: Exception) -> Response:
        if not _wants_page(request) and json_crash is not None:
            return await _answer(json_crash, request, error)
        _log.exception("portal page failed", exc_info=error)
        words = page_for(request).say
        shown = CreditCityError(
            words.gettext("Something went wrong on our side. Please try again.")
        )
        return _page(request, shown, 500, said=True)

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(CreditCityError, on_error)
    app.add_exception_handler(Exception, on_crash)
