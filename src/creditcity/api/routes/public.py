"""Public routes, no key: the active points table, the policy, and the city's public keys.

Anyone can recompute a score by hand from the points table and see exactly
what each tier unlocks; a landlord verifies a certificate offline against
the keys.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import PolicyDep, RuntimeDep
from creditcity.api.schemas import ErrorOut
from creditcity.services.published import active_scorecard

router = APIRouter(tags=["public"])


@router.get(
    "/v1/public/scorecard", responses={404: {"model": ErrorOut}}, summary="The active points table"
)
async def scorecard(rt: RuntimeDep) -> dict[str, Any]:
    """Score = base points + the points of the bin each of your values falls in."""
    return await run_in_threadpool(active_scorecard, rt.engine)


@router.get("/v1/public/policy", summary="Tiers, what each unlocks, and restrictions")
async def policy(policy: PolicyDep) -> dict[str, Any]:
    return policy.summary()


@router.get("/.well-known/jwks.json", summary="The city's public keys for certificates")
async def jwks(rt: RuntimeDep) -> dict[str, Any]:
    keys: dict[str, Any] = await run_in_threadpool(rt.keystore.jwks)
    return keys
