"""Public pages (home, points table, tiers); signing in is :mod:`creditcity.web.signin`.

Every page reads ``?lang=zh|en``; forms post url-encoded bodies with a CSRF
token. Errors from the services are shown on the page with each problem,
never as a stack trace.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.errors import NotFound
from creditcity.services.published import active_scorecard, dimension_ranges
from creditcity.web import certificates, my_file, office, operator, resident, signin
from creditcity.web.render import load_session, page_for

router = APIRouter(include_in_schema=False, dependencies=[Depends(load_session)])
router.include_router(signin.router)
router.include_router(resident.router)
router.include_router(my_file.router)
router.include_router(certificates.router)
router.include_router(operator.router)
router.include_router(office.router)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    return page_for(request).render("home.html")


@router.get("/scorecard", response_class=HTMLResponse)
async def scorecard(request: Request) -> Response:
    page = page_for(request)
    try:
        card: dict[str, Any] | None = await run_in_threadpool(active_scorecard, page.rt.engine)
    except NotFound:
        card = None
    groups: dict[str, list[dict[str, Any]]] = {}
    for feature in (card or {}).get("features", []):
        groups.setdefault(str(feature.get("dimension") or "unassigned"), []).append(feature)
    ranges = dimension_ranges(card) if card else {}
    return page.render("scorecard.html", card=card, groups=groups, ranges=ranges)


@router.get("/policy", response_class=HTMLResponse)
async def policy(request: Request) -> Response:
    page = page_for(request)
    return page.render("policy.html", policy=page.rt.policy.summary())
