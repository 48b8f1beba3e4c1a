"""``POST /v1/decisions`` and ``POST /v1/decisions/{id}/outcome``: the provider's loop."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import PolicyDep, Provider, RuntimeDep
from creditcity.api.schemas import (
    DecisionCreate,
    DecisionPublic,
    ErrorOut,
    OutcomeCreate,
    OutcomePublic,
)
from creditcity.domain.subjects import resolve_subject
from creditcity.services.decide import DecisionRequest
from creditcity.services.outcomes import ensure_asked_by, report_outcome

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
DecisionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]{1,64}$")]


@router.post("", response_model=DecisionPublic, responses=_ERRORS, summary="Ask for a decision")
async def ask_decision(body: DecisionCreate, provider: Provider, rt: RuntimeDep) -> Any:
    """May this person use the service without a deposit, and up to how much?

    A decline is an answer (200), not an error. The decision, the audit
    event with your stated purpose, and any waiver record are committed
    before you get the answer.
    """
    request = DecisionRequest(
        subject=resolve_subject(body.subject, rt.settings.pseudonym_secret),
        service=body.service,
        amount=body.amount,
        purpose=body.purpose,
        provider=provider.id,
    )
    answer = await rt.batcher.decide(request)
    return answer.as_dict()


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
) -> Any:
    """Returned on time or late, lost, paid or overdue: a new record on the person's file."""
    await run_in_threadpool(ensure_asked_by, rt.engine, decision_id, provider.id)
    outcome = await run_in_threadpool(
        report_outcome,
        rt.engine,
        decision_id,
        body.result,
        policy=policy,
        settings=rt.settings,
        days_late=body.days_late,
    )
    return outcome.as_dict()
