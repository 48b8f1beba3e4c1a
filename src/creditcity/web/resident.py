"""The resident's pages: my score and its five dimensions, my file, disputes, consents,
certificates. Every view of the file is an audited access, stated as the portal's purpose."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.api.hooks import rescore_hook
from creditcity.api.published import DimensionRange, active_scorecard, dimension_ranges
from creditcity.domain.catalogue import Dimension
from creditcity.domain.policy import Policy
from creditcity.domain.principals import Scope
from creditcity.errors import InputRejected, NotFound, Problem
from creditcity.services import consent
from creditcity.services.access_report import access_report, render_html
from creditcity.services.certify import issue_for
from creditcity.services.disputes import open_dispute
from creditcity.services.show import show_subject
from creditcity.web.charts import Bar, bars
from creditcity.web.render import Page, checked_form, page_for, refused, shown_errors

router = APIRouter(include_in_schema=False)
PURPOSE = "resident portal: my own score"


def _subject(page: Page) -> str:
    assert page.principal is not None and page.principal.subject is not None
    return page.principal.subject


@router.get("/me", response_class=HTMLResponse)
async def my_credit(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        rt, who = page.rt, page.principal
        assert who is not None
        view = await run_in_threadpool(
            show_subject,
            rt.engine,
            _subject(page),
            settings=rt.settings,
            actor=who.id,
            role="resident",
            purpose=PURPOSE,
        )
        shown = view.as_dict()
        ranges = await run_in_threadpool(_ranges, page)
        chart = _dimension_chart(page, shown.get("dimensions") or {}, ranges)
        return page.render(
            "me.html", view=shown, chart=chart, unlocks=unlocks(rt.policy, shown["score"])
        )

    return await shown_errors(page, work)


def _ranges(page: Page) -> dict[str, DimensionRange]:
    try:
        return dimension_ranges(active_scorecard(page.rt.engine))
    except NotFound:
        return {}


def _dimension_chart(
    page: Page, dimensions: dict[str, float], ranges: dict[str, DimensionRange]
) -> Any:
    """One bar per dimension: its points as a share of the most that dimension can give."""
    rows = []
    for key in [d.value for d in Dimension]:
        if key not in dimensions:
            continue
        points = float(dimensions[key])
        span = ranges.get(key)
        if span is None or span.high <= span.low:  # the model gives this dimension no spread
            share = 1.0 if span is not None else 0.0
        else:
            share = (points - span.low) / (span.high - span.low)
        tone = "good" if share >= 0.67 else "fair" if share >= 0.34 else "weak"
        top = f" / {span.high}" if span else ""
        rows.append(Bar(page.t(f"dim.{key}"), share, f"{points:.0f}{top}", tone))
    return bars(rows, title=page.t("me.dimensions")) if rows else None


def unlocks(policy: Policy, score: int | None) -> list[tuple[str, str, Decimal]]:
    """(service, kind, the most granted) for every service the person's tier may use."""
    if score is None:
        thin = policy.thin_file
        return [
            (s, policy.services[s].kind.value, thin.max_amount)
            for s in sorted(thin.services)
            if s in policy.services
        ]
    rank = policy.tier_for(score).rank
    return [
        (s.id, s.kind.value, limit)
        for s in policy.services.values()
        if (limit := s.limits[rank]) is not None
    ]


@router.get("/me/file", response_class=HTMLResponse)
async def my_file(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        rt, who = page.rt, page.principal
        assert who is not None
        report = await run_in_threadpool(
            access_report,
            rt.engine,
            _subject(page),
            settings=rt.settings,
            actor=who.id,
            output="portal",
            on_change=rescore_hook(rt.engine),
        )
        return page.render("file.html", r=report)

    return await shown_errors(page, work)


@router.get("/me/report", response_class=HTMLResponse)
async def my_report(request: Request) -> Response:
    """The whole access report as one printable page (the report template)."""
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        rt, who = page.rt, page.principal
        assert who is not None
        report = await run_in_threadpool(
            access_report,
            rt.engine,
            _subject(page),
            settings=rt.settings,
            actor=who.id,
            output="html",
            on_change=rescore_hook(rt.engine),
        )
        return HTMLResponse(render_html(report))

    return await shown_errors(page, work)


@router.get("/me/dispute", response_class=HTMLResponse)
async def dispute_form(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    entry = request.query_params.get("entry", "")
    return page.render("dispute.html", entry=entry if entry.isdigit() else "", opened=None)


@router.post("/me/dispute", response_class=HTMLResponse)
async def dispute(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        form = await checked_form(page)
        entry = form.get("entry", "").strip()
        if not entry.isdigit() or len(entry) > 18:
            raise InputRejected(
                "which record?",
                problems=[
                    Problem(
                        f"'{entry[:20]}' is not a record number",
                        field="entry",
                        expected="the number shown on the record in your file",
                    )
                ],
            )
        rt, who = page.rt, page.principal
        assert who is not None
        opened = await run_in_threadpool(
            open_dispute,
            rt.engine,
            _subject(page),
            int(entry),
            form.get("statement", ""),
            settings=rt.settings,
            actor=who.id,
            on_change=rescore_hook(rt.engine),
        )
        return page.render("dispute.html", entry=entry, opened=opened.as_dict())

    return await shown_errors(page, work)


@router.get("/me/consents", response_class=HTMLResponse)
async def consents(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    who = page.principal
    assert who is not None

    async def work() -> Response:
        state = await run_in_threadpool(
            consent.list_consents, page.rt.engine, _subject(page), actor=who.id
        )
        return page.render("consents.html", state=state.as_dict())

    return await shown_errors(page, work)


@router.post("/me/consents", response_class=HTMLResponse)
async def change_consent(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        form = await checked_form(page)
        change = consent.withdraw if form.get("action") == "withdraw" else consent.grant
        rt = page.rt
        state = await run_in_threadpool(
            change,
            rt.engine,
            _subject(page),
            form.get("source", ""),
            on_change=rescore_hook(rt.engine),
        )
        return page.render("consents.html", state=state.as_dict())

    return await shown_errors(page, work)


@router.get("/me/certificate", response_class=HTMLResponse)
async def certificate_form(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    return page.render("certificate.html", issued=None)


@router.post("/me/certificate", response_class=HTMLResponse)
async def certificate(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        form = await checked_form(page)
        days = form.get("days", "30").strip()
        if not days.isdigit() or not 1 <= int(days) <= 366:
            raise InputRejected(
                "how many days?",
                problems=[Problem(f"'{days[:10]}'", field="days", expected="1 to 366 days")],
            )
        audience = form.get("audience", "").strip() or None
        rt = page.rt
        issued = await run_in_threadpool(
            issue_for,
            rt.engine,
            rt.keystore,
            _subject(page),
            settings=rt.settings,
            audience=audience,
            ttl=timedelta(days=int(days)),
        )
        return page.render("certificate.html", issued=issued.as_dict())

    return await shown_errors(page, work)
