"""Public pages (home, points table, tiers) and signing in and out.

Every page reads ``?lang=zh|en``; forms post url-encoded bodies with a CSRF
token. Errors from the services are shown on the page with each problem,
never as a stack trace.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.domain.principals import Role
from creditcity.errors import NotFound
from creditcity.services.published import active_scorecard, dimension_ranges
from creditcity.web import my_file, operator, resident
from creditcity.web.render import Page, page_for, read_form
from creditcity.web.session import COOKIE, LIFETIME

router = APIRouter(include_in_schema=False)
router.include_router(resident.router)
router.include_router(my_file.router)
router.include_router(operator.router)


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


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request) -> Response:
    page = page_for(request)
    return page.render("signin.html", demos=page.rt.keyring.demo_principals(), failed=False)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    page = page_for(request)
    form = await read_form(request)
    principal = page.rt.keyring.authenticate(form.get("key", "").strip())
    if principal is None:
        return page.render(
            "signin.html", status=403, demos=page.rt.keyring.demo_principals(), failed=True
        )
    return _signed_in(page, principal.role, page.sessions.issue(principal))


@router.post("/sign-in/demo", response_class=HTMLResponse)
async def sign_in_demo(request: Request) -> Response:
    """One tap into a demo account; only principals marked ``demo = true`` in the keys file."""
    page = page_for(request)
    form = await read_form(request)
    role = form.get("role", "")
    found = (
        page.rt.keyring.principal(form.get("principal", ""), Role(role))
        if role in Role.__members__.values()
        else None
    )
    if found is None or not found.demo:
        return page.render(
            "signin.html", status=403, demos=page.rt.keyring.demo_principals(), failed=True
        )
    return _signed_in(page, found.role, page.sessions.issue(found))


def _signed_in(page: Page, role: Role, cookie: str) -> Response:
    target = "/operator" if role is Role.OPERATOR else "/me"
    response = RedirectResponse(f"{target}?lang={page.lang}", status_code=303)
    response.set_cookie(COOKIE, cookie, max_age=LIFETIME, httponly=True, samesite="lax")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    response = RedirectResponse(f"/?lang={page_for(request).lang}", status_code=303)
    response.delete_cookie(COOKIE)
    return response
