"""Errors as RFC 9457 problem details (``application/problem+json``), whatever went wrong.

    {"type": "urn:creditcity:problem:input-rejected", "title": "Input rejected",
     "status": 422, "detail": "request rejected: check amount",
     "instance": "urn:creditcity:request:<request id>",
     "problems": [{"where": "request body", "field": "amount", "message": ..., "expected": ...}]}

A :class:`CreditCityError` gets the status, type and title
:mod:`creditcity.errors` maps for it (the only place they are mapped); a body
FastAPI cannot parse becomes an :class:`InputRejected` naming each bad field;
Starlette's own 404/405 become problems too; anything unexpected is a 500
problem with the request id and no traceback (the traceback goes to the log).
The edge middlewares (limits) answer with the same body through
:func:`send_problem`, before the request reaches the app.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from creditcity.errors import (
    PROBLEM_TYPE,
    CreditCityError,
    InputRejected,
    NotAuthenticated,
    NotFound,
    Problem,
    TooMany,
    http_status_for,
    problem_type_for,
)
from creditcity.logs import REQUEST_ID

__all__ = [
    "PROBLEM_JSON",
    "error_body",
    "install_error_handlers",
    "problem_response",
    "rejected_request",
    "send_problem",
    "undecodable_body",
]

PROBLEM_JSON = "application/problem+json"
#: a response marked so in ``responses={...}`` keeps the body its route documents
OWN_BODY = "x-own-body"
#: what a 401 tells the caller to send (RFC 9110 §11.6.1; the scheme is our header's name)
WWW_AUTHENTICATE = 'APIKey header="X-API-Key", realm="creditcity"'
MAX_PROBLEMS = 200
_LOCATION = {"body": "request body", "query": "query string", "header": "header", "path": "path"}
_HTTP_TITLES = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    500: ("internal", "Internal error"),
}
log = logging.getLogger("creditcity.api")


def instance() -> str:
    """This occurrence: the request's id, which the logs carry too."""
    return f"urn:creditcity:request:{REQUEST_ID.get() or 'none'}"


def error_body(error: CreditCityError) -> dict[str, Any]:
    """The problem details of ``error`` (``problems`` is an extension member)."""
    kind, title = problem_type_for(error)
    return {
        "type": kind,
        "title": title,
        "status": http_status_for(error),
        "detail": error.message,
        "instance": instance(),
        "problems": [
            {"where": p.where, "field": p.field, "message": p.message, "expected": p.expected}
            for p in error.problems[:MAX_PROBLEMS]
        ],
    }


def problem_headers(error: CreditCityError) -> dict[str, str]:
    """401 says how to authenticate; 429 says when to come back."""
    if isinstance(error, NotAuthenticated):
        return {"WWW-Authenticate": WWW_AUTHENTICATE}
    if isinstance(error, TooMany):
        return {"Retry-After": str(error.retry_after)}
    return {}


def problem_response(error: CreditCityError, **extra: Any) -> Response:
    """``error`` as a problem+json response; ``extra`` adds extension members."""
    body = {**error_body(error), **extra}
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=http_status_for(error),
        media_type=PROBLEM_JSON,
        headers=problem_headers(error),
    )


async def send_problem(send: Send, error: CreditCityError) -> None:
    """Answer with ``error`` straight from an ASGI middleware (no app, no body read)."""
    body = json.dumps(error_body(error), ensure_ascii=False).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((k.lower().encode(), v.encode()) for k, v in problem_headers(error).items()),
    ]
    await send(
        {"type": "http.response.start", "status": http_status_for(error), "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})


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


def _http_problem(status: int, detail: str) -> dict[str, Any]:
    slug, title = _HTTP_TITLES.get(status, ("http-error", "HTTP error"))
    return {
        "type": PROBLEM_TYPE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance(),
        "problems": [],
    }


async def _on_creditcity_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, CreditCityError)
    return problem_response(error)


async def _on_validation_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return problem_response(rejected_request(error.errors()))


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        missing = NotFound(
            f"there is no {request.url.path[:200]!r}; /docs lists every route",
            problems=[Problem("no route", where="path", expected="a path /openapi.json lists")],
        )
        return problem_response(missing)
    if isinstance(error.__cause__, CreditCityError):  # raised while FastAPI read the body
        return problem_response(error.__cause__)
    if error.status_code == 400 and "parsing the body" in str(error.detail):
        # Starlette could not decode the body (not UTF-8, or a broken form): the caller's
        # mistake, named like any other bad body.
        return problem_response(undecodable_body())
    body = _http_problem(error.status_code, str(error.detail))
    return Response(
        json.dumps(body).encode(),
        status_code=error.status_code,
        media_type=PROBLEM_JSON,
        headers=error.headers,
    )


def undecodable_body() -> InputRejected:
    """The error for a body that is not UTF-8 (routes that decode bodies themselves use it)."""
    return InputRejected(
        "the request body cannot be decoded",
        problems=[
            Problem(
                "the body is not UTF-8 text in the declared format",
                where="request body",
                expected="UTF-8 JSON (application/json) or a UTF-8 form",
            )
        ],
    )


async def _on_unexpected(_: Request, error: Exception) -> Response:
    """A bug of ours: logged with its traceback, answered without one."""
    log.error("unhandled error", exc_info=error)
    body = _http_problem(
        500, "the service failed to answer this request; quote the instance to the city office"
    )
    return Response(json.dumps(body).encode(), status_code=500, media_type=PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CreditCityError, _on_creditcity_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


_DOCUMENTED = {
    "401": "no key, or one that is unknown or revoked (see WWW-Authenticate)",
    "413": "the body is larger than this route accepts",
    "429": "a limit is reached; retry after Retry-After seconds",
    "500": "the service failed; quote the instance to the city office",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Every error response in the OpenAPI schema as problem+json, with the statuses any
    route may answer (401, 413, 429, 500) documented on every operation."""
    from creditcity.api.schemas import ErrorOut

    ref = {"$ref": "#/components/schemas/ErrorOut"}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    documented = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(documented.pop("$defs", {}))
    components["ErrorOut"] = documented
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, words in _DOCUMENTED.items():
                responses.setdefault(status, {"description": words})
            for status, response in responses.items():
                # a route may document its own body for a status (``/readyz``'s checks)
                if status[:1] in ("4", "5") and not response.pop(OWN_BODY, False):
                    response["content"] = {PROBLEM_JSON: {"schema": ref}}
    return schema
