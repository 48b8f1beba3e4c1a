"""``POST /v1/decisions`` and ``POST /v1/decisions/{id}/outcome``: the provider's loop."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import PolicyDep, Provider, RuntimeDep
from creditcity.api.schemas import (
    DecisionCreate,
    DecisionPublic,
    ErrorOut,
    OutcomeCreate,
    OutcomePublic,
)
from creditcity.bootstrap import Runtime
from creditcity.domain.principals import Principal, Scope
from creditcity.services.decide import DecisionAnswer, DecisionRequest
from creditcity.services.federation import person_named
from creditcity.services.outcomes import report_outcome

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
DecisionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]{1,64}$")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (e.g. a UUID) per request: a retry with the same "
        "key gets the first answer back and decides nothing twice; the same key with a "
        "different request is refused (422).",
    ),
]


@router.post("", response_model=DecisionPublic, responses=_ERRORS, summary="Ask for a decision")
async def ask_decision(
    body: DecisionCreate, provider: Provider, request: Request, key: IdempotencyKey = None
) -> Any:
    """May this person use the service without a deposit, and up to how much?

    A decline is an answer (200), not an error. Only the services your key
    names are asked (others are 403), and the numeric score is shown only to a
    key with the scope ``decisions:score``. The decision, the audit event with
    your stated purpose, and any waiver record are committed before you get
    the answer.
    """
    rt: Runtime = request.app.state.runtime  # not a dependency: one less to solve per decision
    # Already the public shape (a test holds it to DecisionPublic field for field):
    # answered as is, without validating it again against the response model.
    return JSONResponse(await shown_decision(rt, body, provider, key))


async def shown_decision(
    rt: Runtime, body: DecisionCreate, provider: Principal, key: str | None
) -> dict[str, Any]:
    """The committed decision for ``body`` as ``provider`` may see it (the route's answer).

    Also what :mod:`creditcity.api.decision_lane` answers ordinary requests with.
    Raises the :class:`~creditcity.errors.CreditCityError` the request was refused with.
    """
    subject, links = person_named(body.subject, rt.settings)
    asked = DecisionRequest(
        subject=subject,
        links=links,
        service=body.service,
        amount=body.amount,
        purpose=body.purpose,
        provider=provider.id,
        services=provider.services,
        idempotency_key=key,
    )
    answer = await rt.batcher.decide(asked)
    shown = answer.as_dict() if isinstance(answer, DecisionAnswer) else dict(answer)
    if Scope.DECISIONS_SCORE not in provider.scopes:
        shown["score"] = None
    return shown


@router.post(
    "/{decision_id}/outcome",
    response_model=OutcomePublic,
    responses=_ERRORS,
    summary="Report how a decision ended",
)
async def report(
    decision_id: DecisionId,
    body: OutcomeCreate,
    provider: Provider,
    rt: RuntimeDep,
    policy: PolicyDep,
    key: IdempotencyKey = None,
) -> Any:
    """Returned on time or late, lost, paid or overdue: a new record on the person's file.

    Only the provider that got the decision reports it; the answer shows your
    own open exposure of the person, per service.
    """
    outcome = await run_in_threadpool(
        report_outcome,
        rt.engine,
        decision_id,
        body.result,
        policy=policy,
        settings=rt.settings,
        days_late=body.days_late,
        provider=provider.id,
        idempotency_key=key,
    )
    return outcome.as_dict()
