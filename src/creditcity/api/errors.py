"""Errors as JSON: ``{error, message, problems: [{where, field, message, expected}]}``.

A :class:`CreditCityError` gets the status :func:`creditcity.errors.http_status_for`
gives it (the only place statuses are mapped); a body FastAPI cannot parse
becomes an :class:`InputRejected` naming each bad field, so a caller sees one
shape of error whatever went wrong, and bad input is never a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditcity.errors import CreditCityError, InputRejected, Problem, http_status_for

__all__ = ["error_body", "install_error_handlers", "rejected_request"]

_LOCATION = {"body": "request body", "query": "query string", "header": "header", "path": "path"}


def error_body(error: CreditCityError) -> dict[str, Any]:
    return {
        "error": type(error).__name__,
        "message": error.message,
        "problems": [
            {"where": p.where, "field": p.field, "message": p.message, "expected": p.expected}
            for p in error.problems[:200]
        ],
    }


def rejected_request(errors: Sequence[Any]) -> InputRejected:
    """FastAPI's validation errors as one :class:`InputRejected`, one problem per field."""
    problems = []
    for item in errors:
        loc = [str(part) for part in item.get("loc", ())]
        where = _LOCATION.get(loc[0], loc[0]) if loc else "request"
        field = ".".join(loc[1:]) if len(loc) > 1 else (loc[0] if loc else "")
        message = str(item.get("msg", "is not valid"))
        if item.get("type") == "json_invalid":
            message = "the body is not valid JSON: " + str(item.get("ctx", {}).get("error", ""))
            field = ""
        expected = _expected(item)
        problems.append(Problem(message, where=where, field=field, expected=expected))
    fields = ", ".join(sorted({p.field for p in problems if p.field})) or "the body"
    return InputRejected(f"request rejected: check {fields}", problems=problems)


def _expected(item: Any) -> str:
    ctx = item.get("ctx") or {}
    if "expected" in ctx:
        return str(ctx["expected"])
    for key, words in (
        ("min_length", "at least {} characters"),
        ("max_length", "at most {} characters"),
        ("ge", ">= {}"),
        ("le", "<= {}"),
    ):
        if key in ctx:
            return words.format(ctx[key])
    return ""


async def _on_creditcity_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CreditCityError)
    return JSONResponse(error_body(error), status_code=http_status_for(error))


async def _on_validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    rejected = rejected_request(error.errors())
    return JSONResponse(error_body(rejected), status_code=http_status_for(rejected))


async def _on_http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    names = {404: "NotFound", 405: "MethodNotAllowed"}
    body = {
        "error": names.get(error.status_code, "HTTPError"),
        "message": str(error.detail),
        "problems": [],
    }
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CreditCityError, _on_creditcity_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
