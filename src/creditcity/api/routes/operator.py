"""``/v1/operator/...``: the city credit office's figures and disputes queue."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import Operator, PolicyDep, Purpose, RuntimeDep
from creditcity.api.schemas import DisputePublic, DisputeResolution, ErrorOut
from creditcity.services.audit_log import record_figures_read
from creditcity.services.disputes import list_disputes, resolve_dispute
from creditcity.services.stats import city_stats

router = APIRouter(prefix="/v1/operator", tags=["operator"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.get("/stats", responses=_ERRORS, summary="Deposits waived, exposure, approval rates")
async def stats(who: Operator, purpose: Purpose, rt: RuntimeDep, policy: PolicyDep) -> Any:
    figures = await run_in_threadpool(city_stats, rt.engine, policy=policy)
    await run_in_threadpool(record_figures_read, rt.engine, who, purpose, "stats.read")
    return figures.as_dict()


@router.get(
    "/disputes", response_model=list[DisputePublic], responses=_ERRORS, summary="The disputes queue"
)
async def disputes(
    who: Operator,
    purpose: Purpose,
    rt: RuntimeDep,
    status: Annotated[Literal["pending", "upheld", "rejected"] | None, Query()] = None,
) -> Any:
    """Oldest first; overdue disputes are upheld (burden on the record) before listing."""
    found = await run_in_threadpool(list_disputes, rt.engine, status=status, actor=who.id)
    return [d.as_dict() for d in found]


@router.post(
    "/disputes/{dispute_id}/resolution",
    response_model=DisputePublic,
    responses=_ERRORS,
    summary="Uphold or reject a dispute",
)
async def resolve(
    dispute_id: Annotated[int, Path(ge=1, le=2**62)],
    body: DisputeResolution,
    who: Operator,
    rt: RuntimeDep,
) -> Any:
    """Upheld withdraws the record (a retraction entry); rejected lets it count again."""
    closed = await run_in_threadpool(
        resolve_dispute,
        rt.engine,
        dispute_id,
        upheld=body.upheld,
        note=body.note,
        actor=who.id,
    )
    return closed.as_dict()
