"""Rendering pages: the Jinja environment, the language, the signed-in person, the form token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from creditcity.bootstrap import Runtime
from creditcity.domain.principals import Principal, Scope
from creditcity.errors import (
    CreditCityError,
    InputRejected,
    NotAuthorised,
    Problem,
    http_status_for,
)
from creditcity.web import words
from creditcity.web.i18n import DEFAULT_LANG, LANGS, Speaker, speaker, translations
from creditcity.web.session import COOKIE, FORM_COOKIE, Sessions

__all__ = ["MAX_FORM_BYTES", "Page", "page_for", "read_form", "shown_errors"]

MAX_FORM_BYTES = 64 * 1024
LANG_COOKIE = "cc_lang"
#: the way to appeal where the policy names none in the reader's words
APPEAL_FALLBACK = words.N_(
    "Dispute the record on your file page, or write to the city credit office."
)


@cache
def environment(lang: str) -> Environment:
    """The templates with gettext installed for ``lang`` (one environment per language)."""
    env = Environment(
        loader=PackageLoader("creditcity", "web/templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def language(request: Request) -> str:
    """``?lang=`` first, then the cookie it set, then the browser's preference."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGS:
            return str(candidate)
    accept = request.headers.get("accept-language", "").lower()
    if accept.startswith("en"):
        return "en"
    return DEFAULT_LANG


class Page:
    """What every page needs: the request, language, runtime, sessions and who is signed in."""

    def __init__(self, request: Request, rt: Runtime, sessions: Sessions) -> None:
        self.request, self.rt, self.sessions = request, rt, sessions
        self.lang = language(request)
        self.say: Speaker = speaker(self.lang)
        self.gettext = self.say.gettext
        self.cookie = request.cookies.get(COOKIE)
        #: set by :func:`load_session`, which every portal route depends on
        self.principal: Principal | None = getattr(request.state, "principal", None)
        self.browser, self._new_browser = sessions.browser_token(request)

    def switch_url(self, here: str | None = None) -> str:
        """This page in the other language; after a POST, the page the form lives on (a GET)."""
        other = "en" if self.lang == "zh" else "zh"
        if here is None and self.request.method != "GET":
            here = "/"
        if here is not None:
            return f"{here}?lang={other}"
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return f"{self.request.url.path}?{urlencode([*query, ('lang', other)])}"

    def render(
        self, template: str, *, status: int = 200, here: str | None = None, **context: Any
    ) -> HTMLResponse:
        path = self.request.url.path
        context.setdefault("flash", None)
        context.setdefault("back", path if self.request.method == "GET" else "/")
        html = (
            environment(self.lang)
            .get_template(template)
            .render(
                say=self.say,
                word=self.say.word,
                lang=self.lang,
                path=path,
                switch_url=self.switch_url(here),
                who=self.principal,
                csrf=self.sessions.form_token(self.browser, self.cookie),
                demo=self.rt.demo,
                service_name=self._service,
                tier_name=self._tier,
                rule_text=self._rule,
                appeal_text=self._appeal,
                **context,
            )
        )
        response = HTMLResponse(html, status_code=status)
        chosen = self.request.query_params.get("lang")
        if chosen in LANGS:
            response.set_cookie(LANG_COOKIE, str(chosen), max_age=365 * 86400, samesite="lax")
        if self._new_browser:
            self.sessions.set_cookie(response, self.request, FORM_COOKIE, self.browser, 365 * 86400)
        return response

    def _service(self, service: str) -> str:
        """A service's name: the portal's words, else the policy's description, else its id."""
        if service in words.SERVICES:
            return self.say.word("SERVICES", service)
        found = self.rt.policy.services.get(service)
        return found.description.in_language(self.lang) if found else service

    def _rule(self, rule: str) -> str | None:
        """What a restriction rule is for, in the reader's language (None: not in the policy)."""
        found = next((r for r in self.rt.policy.restrictions if r.name == rule), None)
        return found.description.in_language(self.lang) if found else None

    def _appeal(self, rule: str) -> str:
        """How to appeal a restriction rule, in the reader's language and words for people."""
        found = next((r for r in self.rt.policy.restrictions if r.name == rule), None)
        if found is None:
            return self.gettext(APPEAL_FALLBACK)
        return found.appeal_route.in_language(self.lang)

    def _tier(self, tier: str | None) -> str:
        return self.say.word("TIERS", tier or "thin_file")


def page_for(request: Request) -> Page:
    rt: Runtime = request.app.state.runtime
    sessions: Sessions = request.app.state.sessions
    return Page(request, rt, sessions)


async def read_form(request: Request) -> Mapping[str, str]:
    """An url-encoded form body (the portal's forms send nothing else)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InputRejected(
            "the form is too large",
            problems=[
                Problem(
                    f"{len(body)} bytes", where="form", expected=f"at most {MAX_FORM_BYTES} bytes"
                )
            ],
        )
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as error:
        raise InputRejected(
            "the form cannot be read", problems=[Problem(str(error), "form")]
        ) from None
    return {name: values[-1] for name, values in parsed.items()}


async def checked_upload(page: Page, field: str) -> tuple[Mapping[str, str], bytes]:
    """A posted multipart form with one file in ``field``, checked like :func:`checked_form`.

    The edge has already refused a body over the route's limit before reading it.
    """
    try:
        form = await page.request.form(max_files=1, max_fields=20)
    except Exception as error:  # python-multipart's and Starlette's refusals alike
        raise InputRejected(
            "the form cannot be read", problems=[Problem(str(error)[:200], "form")]
        ) from None
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    _refuse_foreign(page, fields.get("csrf"))
    upload = form.get(field)
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise InputRejected(
            page.gettext("Choose a file to upload."),
            problems=[Problem("no file was sent", "form", field, "a CSV or Parquet file")],
        )
    return fields, await upload.read()


def refused(page: Page, scope: Scope) -> Response | None:
    """Why this page is not for the visitor (sign in first, or the wrong account), or None."""
    if page.principal is None:
        return RedirectResponse(f"/sign-in?lang={page.lang}", status_code=303)
    if scope not in page.principal.scopes:
        error = NotAuthorised(page.gettext("This account may not see this page."))
        return page.render("error.html", status=http_status_for(error), error=error, said=True)
    return None


async def checked_form(page: Page) -> Mapping[str, str]:
    """The posted form, if it came from this site with this browser's and session's token."""
    form = await read_form(page.request)
    _refuse_foreign(page, form.get("csrf"))
    return form


def _refuse_foreign(page: Page, token: str | None) -> None:
    """A form without this browser's and session's token did not come from this site."""
    if not page.sessions.form_ok(page.request, token):
        raise NotAuthorised(
            page.gettext(
                "This form has expired or did not come from this site; "
                "reload the page and try again."
            )
        )


async def load_session(request: Request) -> None:
    """Who the session cookie signs in (a dependency of every portal route)."""
    sessions: Sessions = request.app.state.sessions
    request.state.principal = await sessions.principal(request.cookies.get(COOKIE))


async def shown_errors(page: Page, action: Callable[[], Awaitable[Response]]) -> Response:
    """Run a page's work; a refusal from a service becomes a page that says what to fix."""
    try:
        return await action()
    except CreditCityError as error:
        return page.render("error.html", status=http_status_for(error), error=error)
