"""Certificates: issue one with a QR code and a link, list and revoke them, and /verify.

The link is ``/verify#<token>``: the token rides in the URL fragment, which a
browser never sends, so it reaches no server log. The verify page moves it
into its form and posts it; without JavaScript a person pastes it. Anyone
may verify (no sign-in): a landlord needs only the link or the code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from creditcity.domain.principals import Scope
from creditcity.errors import CreditCityError, InputRejected, Problem, http_status_for
from creditcity.services.certify import (
    check_certificate,
    issue_kept,
    issued_to,
    revoke_for,
    shown_certificate,
)
from creditcity.web.i18n import Speaker, speaker
from creditcity.web.render import Page, checked_form, page_for, read_form, refused, shown_errors

router = APIRouter(include_in_schema=False)
MAX_TOKEN = 4096


def _subject(page: Page) -> str:
    assert page.principal is not None and page.principal.subject is not None
    return page.principal.subject


def verify_link(page: Page, token: str) -> str:
    base = str(page.request.base_url).rstrip("/")
    return f"{base}/verify?lang={page.lang}#{token}"


def qr_code(link: str, title: str) -> Markup:
    """The link as a QR code, an inline SVG drawn here (nothing fetched)."""
    svg = segno.make(link, error="m").svg_inline(scale=3, dark="#1f2328", light="#ffffff")
    label = Markup.escape(title)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


async def _certificates_page(page: Page, *, status: int = 200, **extra: Any) -> Response:
    engine, keystore, subject = page.rt.engine, page.rt.keystore, _subject(page)
    listed = await run_in_threadpool(issued_to, engine, keystore, subject)
    shown = None
    jti = page.request.query_params.get("show", "")
    if jti:
        token = await run_in_threadpool(shown_certificate, engine, subject, jti)
        link = verify_link(page, token)
        found = next((c for c in listed if c.jti == jti), None)
        shown = {
            "link": link,
            "token": token,
            "qr": qr_code(link, page.gettext("QR code of the certificate link")),
            "record": found,
        }
    return page.render(
        "certificate.html",
        status=status,
        here="/me/certificate",
        listed=listed,
        shown=shown,
        **extra,
    )


@router.get("/me/certificate", response_class=HTMLResponse)
async def certificates(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    return await shown_errors(page, lambda: _certificates_page(page, typed={}))


def _days(text: str, page: Page) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 366:
        raise InputRejected(
            page.gettext("How many days?"),
            problems=[Problem(f"'{text[:10]}'", field="days", expected="1 to 366 days")],
        )
    return int(text)


@router.post("/me/certificate", response_class=HTMLResponse)
async def issue(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    form = await checked_form(page)
    typed = {"days": form.get("days", "30").strip(), "audience": form.get("audience", "").strip()}
    try:
        rt = page.rt
        issued = await run_in_threadpool(
            issue_kept,
            rt.engine,
            rt.keystore,
            _subject(page),
            settings=rt.settings,
            audience=typed["audience"] or None,
            ttl=timedelta(days=_days(typed["days"], page)),
        )
    except CreditCityError as error:
        return await _certificates_page(
            page, status=http_status_for(error), typed=typed, failed=error
        )
    target = f"/me/certificate?lang={page.lang}&show={issued.claims.jti}#shown"
    return RedirectResponse(target, status_code=303)


@router.post("/me/certificate/revoke", response_class=HTMLResponse)
async def revoke(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        form = await checked_form(page)
        rt = page.rt
        await run_in_threadpool(
            revoke_for, rt.engine, rt.keystore, _subject(page), form.get("jti", "")[:64]
        )
        return RedirectResponse(f"/me/certificate?lang={page.lang}#listed", status_code=303)

    return await shown_errors(page, work)


@router.get("/verify", response_class=HTMLResponse)
async def verify_form(request: Request) -> Response:
    return page_for(request).render("verify.html", verdict=None, token="", audience="")


def _other(page: Page) -> Speaker:
    """The other language, for a verdict a landlord and a holder can both read."""
    return speaker("en" if page.lang == "zh" else "zh")


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request) -> Response:
    """Valid or not, and why, for whoever holds the certificate (no sign-in)."""
    page = page_for(request)
    form = await read_form(request)
    token = form.get("token", "").strip()[:MAX_TOKEN]
    audience = form.get("audience", "").strip()[:64]
    try:
        claims = await run_in_threadpool(
            check_certificate, page.rt.engine, page.rt.keystore, token, audience=audience or None
        )
        verdict: dict[str, Any] = {"valid": True, "claims": claims}
    except CreditCityError as error:
        field = error.problems[0].field if error.problems else None
        verdict = {"valid": False, "why": REFUSALS.get(field or "", "signature")}
    status = 200 if verdict["valid"] else 422
    return page.render(
        "verify.html",
        status=status,
        here="/verify",
        verdict=verdict,
        token="",
        audience=audience,
        say_other=_other(page),
    )


#: the failing part of a refused certificate -> which explanation to show
REFUSALS = {"jti": "revoked", "exp": "expired", "aud": "audience", "iat": "clock"}
