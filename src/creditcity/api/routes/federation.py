"""The federation feed: this city's signed batches, for its peer cities only.

A peer proves who it is with a short-lived token signed by its own key
(``Authorization: Bearer ...``); a city that is not a peer gets 403 naming
how its operator would be added. The batches themselves are signed, so the
peer verifies them whatever carried them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import Operator, RuntimeDep
from creditcity.api.schemas import ErrorOut
from creditcity.errors import NotAuthorised, Problem
from creditcity.services.federation import list_peers
from creditcity.services.federation_exchange import FEED_LIMIT, serve_feed
from creditcity.services.federation_witness import witnessed_for

router = APIRouter(tags=["federation"])


@router.get(
    "/v1/federation/batches",
    responses={403: {"model": ErrorOut}},
    summary="Signed batches of shareable records after a sequence number",
)
async def batches(
    rt: RuntimeDep,
    after: Annotated[int, Query(ge=0, description="the last batch number already held")] = 0,
    limit: Annotated[int, Query(ge=1, le=FEED_LIMIT)] = FEED_LIMIT,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Batches numbered above ``after``, oldest first: records, forwarded disputes, checkpoints."""
    feed: dict[str, Any] = await run_in_threadpool(
        serve_feed, rt.engine, rt.settings, _bearer(authorization), after, limit
    )
    return feed


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorised(
            "a federation request must carry a token signed by the peer city",
            problems=[
                Problem("no bearer token", "request", "Authorization", "Bearer <signed request>")
            ],
        )
    return token.strip()


@router.get(
    "/v1/federation/checkpoints",
    responses={403: {"model": ErrorOut}},
    summary="The signed audit checkpoints this city keeps of the peer asking",
)
async def checkpoints(
    rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    """What this city witnessed of the asking peer's audit chain, for its `audit verify`."""
    kept: dict[str, Any] = await run_in_threadpool(
        witnessed_for, rt.engine, rt.settings, _bearer(authorization)
    )
    return kept


@router.get(
    "/v1/operator/federation/peers",
    responses={403: {"model": ErrorOut}},
    summary="Peers, how far their feeds are read, and batches refused by reason",
)
async def peers(who: Operator, rt: RuntimeDep) -> dict[str, Any]:
    """For the operator: each peer's cursor and the count of refused batches per reason."""
    found = await run_in_threadpool(list_peers, rt.engine)
    return {"city": rt.settings.city, "peers": [p.as_dict() for p in found]}
