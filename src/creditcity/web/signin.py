"""Signing in and out of the portal: with a key, with the city's identity provider, or (only
under ``creditcity demo``) with one tap into a demo account.

Every sign-in form is checked like every other form (origin and form token),
so a page on another site cannot sign a person in to an account of its
choosing. A session is a server-side row: signing out ends it, and so does
revoking the key it was signed in with.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.domain.principals import Principal, Role
from creditcity.errors import NotAuthorised
from creditcity.web.oidc import FLOW_COOKIE, FLOW_SECONDS, OidcClient
from creditcity.web.render import Page, checked_form, page_for
from creditcity.web.session import COOKIE

__all__ = ["demo_router", "router"]

router = APIRouter(include_in_schema=False)
#: mounted by ``creditcity demo`` only: under ``serve`` the route does not exist
demo_router = APIRouter(include_in_schema=False)


def _form_page(page: Page, *, status: int = 200, failed: str = "") -> Response:
    """The sign-in page; ``failed`` is why the last attempt did not sign in (in words)."""
    demos = page.rt.keyring.demo_keys() if page.rt.demo else []
    return page.render(
        "signin.html",
        status=status,
        demos=demos,
        failure=failed,
        oidc=page.rt.settings.oidc_enabled,
    )


def _refused_form(page: Page) -> str:
    return page.gettext(
        "This form has expired or did not come from this site; reload the page and try again."
    )


def _bad_key(page: Page) -> str:
    return page.gettext("That key is not valid.")


def _idp_failed(page: Page) -> str:
    return page.gettext("The city's identity service did not sign you in; please try again.")


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request) -> Response:
    return _form_page(page_for(request))


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    page = page_for(request)
    try:
        form = await checked_form(page)
    except NotAuthorised:
        return _form_page(page, status=403, failed=_refused_form(page))
    found = await run_in_threadpool(page.rt.keyring.lookup, form.get("key", "").strip())
    if found is None:
        return _form_page(page, status=401, failed=_bad_key(page))
    return await _signed_in(page, found.principal, found.key_id)


@demo_router.post("/sign-in/demo", response_class=HTMLResponse)
async def sign_in_demo(request: Request) -> Response:
    """One tap into a demo account (a key marked ``demo``), offered by ``creditcity demo`` only."""
    page = page_for(request)
    try:
        form = await checked_form(page)
    except NotAuthorised:
        return _form_page(page, status=403, failed=_refused_form(page))
    found = page.rt.keyring.demo_key(form.get("key_id", "")) if page.rt.demo else None
    if found is None:
        return _form_page(page, status=403, failed=_bad_key(page))
    return await _signed_in(page, found.principal, found.key_id)


async def _signed_in(page: Page, principal: Principal, key_id: str | None) -> Response:
    token = await page.sessions.start(principal, key_id)
    target = "/operator" if principal.role is Role.OPERATOR else "/me"
    response = RedirectResponse(f"{target}?lang={page.lang}", status_code=303)
    page.sessions.set_cookie(response, page.request, COOKIE, token, page.sessions.lifetime)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    page = page_for(request)
    try:
        await checked_form(page)
    except NotAuthorised:
        return _form_page(page, status=403, failed=_refused_form(page))
    await page.sessions.end(page.cookie)
    response = RedirectResponse(f"/?lang={page.lang}", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _client(request: Request) -> OidcClient | None:
    found: OidcClient | None = getattr(request.app.state, "oidc", None)
    return found


def _callback_uri(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/sign-in/oidc/callback"


@router.get("/sign-in/oidc")
async def sign_in_oidc(request: Request) -> Response:
    """Off to the city's identity provider (404 when none is configured)."""
    page, client = page_for(request), _client(request)
    if client is None:
        return page.render("error.html", status=404, error=NotAuthorised(_idp_failed(page)))
    try:
        flow = await run_in_threadpool(client.begin, _callback_uri(request))
    except NotAuthorised:
        return _form_page(page, status=502, failed=_idp_failed(page))
    response = RedirectResponse(flow.redirect, status_code=303)
    page.sessions.set_cookie(response, request, FLOW_COOKIE, flow.cookie, FLOW_SECONDS)
    return response


@router.get("/sign-in/oidc/callback")
async def sign_in_oidc_callback(request: Request, code: str = "", state: str = "") -> Response:
    page, client = page_for(request), _client(request)
    if client is None:
        return page.render("error.html", status=404, error=NotAuthorised(_idp_failed(page)))
    cookie = request.cookies.get(FLOW_COOKIE)
    try:
        principal = await run_in_threadpool(
            client.finish, cookie, code, state, _callback_uri(request)
        )
    except NotAuthorised:
        return _form_page(page, status=401, failed=_idp_failed(page))
    response = await _signed_in(page, principal, None)
    response.delete_cookie(FLOW_COOKIE, path="/")
    return response
