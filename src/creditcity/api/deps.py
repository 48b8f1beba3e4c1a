"""Typed dependencies, so a route's signature reads as what it needs: an engine, a caller
with a scope, a stated purpose.

    def score(subject: str, who: SubjectReader, purpose: Purpose, engine: EngineDep): ...

The :class:`~creditcity.bootstrap.Runtime` (engine, settings, policy, keys, the
city's signing keys, the decision batcher) is built once by
:func:`creditcity.bootstrap.bootstrap` and kept on ``app.state``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import Engine

from creditcity.api.limits import RateLimits
from creditcity.bootstrap import Runtime
from creditcity.config import Settings
from creditcity.domain.policy import Policy
from creditcity.domain.principals import Principal, Scope
from creditcity.domain.storable import EXPECTED, unstorable
from creditcity.errors import InputRejected, NotAuthenticated, NotAuthorised, Problem

MAX_PURPOSE = 200
API_KEY_HEADER = "X-API-Key"


# Dependencies that only read memory are ``async``: FastAPI runs a plain ``def``
# dependency on the thread pool, a hop that cost a decision more than its policy.


async def runtime(request: Request) -> Runtime:
    found: Runtime = request.app.state.runtime
    return found


RuntimeDep = Annotated[Runtime, Depends(runtime)]


async def _engine(rt: RuntimeDep) -> Engine:
    return rt.engine


async def _settings(rt: RuntimeDep) -> Settings:
    return rt.settings


async def _policy(rt: RuntimeDep) -> Policy:
    return rt.policy


EngineDep = Annotated[Engine, Depends(_engine)]
SettingsDep = Annotated[Settings, Depends(_settings)]
PolicyDep = Annotated[Policy, Depends(_policy)]

_api_key = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="The key the city credit office issued to you (source, provider, "
    "resident or operator).",
)


def authenticated(request: Request, key: str | None) -> Principal:
    """The caller behind ``X-API-Key``; a missing or unknown key is refused (401), an address
    that sent too many such is refused (429), and each key spends its role's rate (429)."""
    rt: Runtime = request.app.state.runtime
    limits: RateLimits | None = getattr(request.app.state, "limits", None)
    address = request.client.host if request.client else ""
    if limits is not None:
        limits.refuse_if_locked(address)
    try:
        principal = _authenticate(rt, key)
    except NotAuthenticated:
        if limits is not None and key:  # a wrong key is a guess; a missing one is not
            limits.failed(address)
        raise
    if limits is not None:
        limits.admit(principal)
    return principal


async def current_principal(
    request: Request, key: Annotated[str | None, Security(_api_key)] = None
) -> Principal:
    """Any signed-in caller (see :func:`authenticated`)."""
    return authenticated(request, key)


def _authenticate(rt: Runtime, key: str | None) -> Principal:
    if not key:
        raise NotAuthenticated(
            "an API key is required",
            problems=[
                Problem(
                    "no key was sent",
                    where="header",
                    field=API_KEY_HEADER,
                    expected="the key the city credit office issued to you",
                )
            ],
        )
    principal = rt.keyring.authenticate(key)
    if principal is None:
        raise NotAuthenticated(
            "unknown API key",
            problems=[
                Problem(
                    "this key is not (or no longer) valid",
                    where="header",
                    field=API_KEY_HEADER,
                    expected="a current key",
                )
            ],
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def needs(scope: Scope) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only callers whose key carries ``scope``."""

    # One dependency, not a chain of them: each level of a chain costs every request
    # a round of FastAPI's dependency solving, on the hottest path there is.
    async def check(
        request: Request, key: Annotated[str | None, Security(_api_key)] = None
    ) -> Principal:
        principal = authenticated(request, key)
        if scope not in principal.scopes:
            raise NotAuthorised(
                f"a {principal.role} key cannot do this",
                problems=[
                    Problem(
                        f"the key of {principal.id} lacks the scope '{scope}'",
                        where="header",
                        field=API_KEY_HEADER,
                        expected=f"a key with scope '{scope}'",
                    )
                ],
            )
        return principal

    return check


Source = Annotated[Principal, Depends(needs(Scope.RECORDS_WRITE))]
Provider = Annotated[Principal, Depends(needs(Scope.DECISIONS))]
Resident = Annotated[Principal, Depends(needs(Scope.SELF))]
Operator = Annotated[Principal, Depends(needs(Scope.OPERATE))]


async def stated_purpose(
    x_purpose: Annotated[
        str | None,
        Header(alias="X-Purpose", description="Why you read this (UTF-8, percent-encoded)."),
    ] = None,
    purpose: Annotated[
        str | None, Query(max_length=MAX_PURPOSE, description="Why you read this.")
    ] = None,
) -> str:
    """Every read of a person's data says why; the reason goes to the audit log."""
    text = (unquote(x_purpose) if x_purpose is not None else purpose or "").strip()
    if not text or len(text) > MAX_PURPOSE:
        raise InputRejected(
            "a purpose is required: say why you read this person's data",
            problems=[
                Problem(
                    "missing" if not text else "too long",
                    where="header",
                    field="X-Purpose",
                    expected=f"1 to {MAX_PURPOSE} characters in the X-Purpose header "
                    "(or a 'purpose' query parameter), e.g. 'tenancy application'",
                )
            ],
        )
    if why := unstorable(text):
        raise InputRejected(
            "the stated purpose cannot be stored",
            problems=[
                Problem(
                    why,
                    where="header" if x_purpose is not None else "query string",
                    field="X-Purpose" if x_purpose is not None else "purpose",
                    expected=EXPECTED,
                )
            ],
        )
    return text


Purpose = Annotated[str, Depends(stated_purpose)]
