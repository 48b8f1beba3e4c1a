"""The fast lane for ``POST /v1/decisions``: the happy path without the framework's rounds.

    DecisionLane(app, runtime_of=lambda: app.state.runtime, limits_of=...)

Every bike unlock is a decision, and on the hot path FastAPI's routing,
dependency solving, body validation and response building cost a worker more
than the decision itself (profiled under ``python -m bench.bench_api``). This
pure ASGI app sits inside the edge (request id, security headers, metrics,
access log and body limits all still apply) and answers a decision request
itself when everything about it is ordinary: a JSON body that the route's own
model (:class:`~creditcity.api.schemas.DecisionCreate`) accepts, a known
provider key with the decisions scope and rate to spend, a well-formed
``Idempotency-Key``. The decision is the same call the route makes
(:func:`creditcity.api.routes.decisions.shown_decision`).

Anything else is handed to the FastAPI app with the body replayed, before
anything was decided or spent: the route then gives the answer it always
gives (401, 403, 422 with its problem list, 429), so there is one definition
of every error and the OpenAPI schema still describes the route. A refusal
raised while deciding (a service the key does not run, an idempotency key
reused with another body) is answered here, by the same problem renderer the
app's error handler uses; nothing was written for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditcity.api.errors import problem_response
from creditcity.api.limits import RateLimits
from creditcity.api.routes.decisions import shown_decision
from creditcity.api.schemas import DecisionCreate
from creditcity.bootstrap import Runtime
from creditcity.domain.principals import Principal
from creditcity.domain.principals import Scope as KeyScope
from creditcity.errors import CreditCityError

__all__ = ["DECISIONS_PATH", "DecisionLane"]

DECISIONS_PATH = "/v1/decisions"
#: what the route's ``Idempotency-Key`` header admits (see routes.decisions.IdempotencyKey)
_IDEMPOTENCY_KEY = re.compile(rb"^[\x21-\x7e]{1,128}$")
_JSON = b"application/json"


class _Route:
    """What the edge's metrics read off ``scope['route']``: the route template."""

    path = DECISIONS_PATH


_ROUTE = _Route()


class DecisionLane:
    """Answer ordinary decision requests directly; hand the rest to ``app`` unchanged."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        runtime_of: Callable[[], Runtime],
        limits_of: Callable[[], RateLimits | None],
    ) -> None:
        self.app = app
        self._runtime_of, self._limits_of = runtime_of, limits_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != DECISIONS_PATH
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive)
        except CreditCityError as error:  # a streamed body over the limit (BodyLimit)
            await problem_response(error)(scope, receive, send)
            return
        if body is None:  # the client went away mid-body: nothing to answer
            return
        asked = self._ordinary(scope, body)
        if asked is None:
            await self.app(scope, _replay(body, receive), send)
            return
        principal, create, key = asked
        scope["route"] = _ROUTE
        try:
            shown = await shown_decision(self._runtime_of(), create, principal, key)
        except CreditCityError as error:
            await problem_response(error)(scope, receive, send)
            return
        await _send_json(send, shown)

    def _ordinary(
        self, scope: Scope, body: bytes
    ) -> tuple[Principal, DecisionCreate, str | None] | None:
        """The caller, body and key of an ordinary request; None for anything else."""
        api_key = key = None
        json_body = False
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                api_key = value
            elif name == b"idempotency-key":
                key = value
            elif name == b"content-type":
                json_body = value.split(b";", 1)[0].strip().lower() == _JSON
        if api_key is None or not json_body:
            return None
        if key is not None and not _IDEMPOTENCY_KEY.match(key):
            return None
        try:
            create = DecisionCreate.model_validate_json(body)
        except ValidationError:
            return None
        principal = self._admitted(scope, api_key)  # last: nothing is spent for a fallback
        if principal is None:
            return None
        return principal, create, key.decode() if key is not None else None

    def _admitted(self, scope: Scope, api_key: bytes) -> Principal | None:
        """The provider behind ``api_key`` once it has spent one request of its rate."""
        principal = self._runtime_of().keyring.authenticate(api_key.decode("latin-1"))
        if principal is None or KeyScope.DECISIONS not in principal.scopes:
            return None
        limits = self._limits_of()
        if limits is not None:
            client = scope.get("client")
            try:
                limits.refuse_if_locked(client[0] if client else "")
                limits.admit(principal)
            except CreditCityError:  # the route refuses it again, with the same 429
                return None
        return principal


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body; None if the client disconnected before sending it all."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the already-read body once, then the real one's messages."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _send_json(send: Send, shown: dict[str, Any]) -> None:
    # as FastAPI's JSONResponse renders it
    payload = json.dumps(
        shown, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-length", str(len(payload)).encode()),
                (b"content-type", _JSON),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
