"""The resident's pages: my score and its five dimensions, my file, disputes, consents,
certificates. Every view of the file is an audited access, stated as the portal's purpose."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.domain.catalogue import Dimension
from creditcity.domain.principals import Scope
from creditcity.errors import NotFound
from creditcity.services import consent
from creditcity.services.access_report import access_report
from creditcity.services.consent_switches import switches
from creditcity.services.published import DimensionRange, active_scorecard, dimension_ranges
from creditcity.services.standing import Standing, standing
from creditcity.services.what_if import what_if
from creditcity.web.charts import Band, Bar, bars, gauge, line
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
        found = await run_in_threadpool(
            standing,
            rt.engine,
            _subject(page),
            settings=rt.settings,
            actor=who.id,
            purpose=PURPOSE,
            lang=page.lang,
        )
        shown = found.shown()
        chosen = _chosen(page)
        forecast = None
        if chosen and found.view.score is not None:
            forecast = await run_in_threadpool(
                what_if, rt.engine, _subject(page), chosen, as_of=found.view.score.as_of
            )
        ranges = await run_in_threadpool(_ranges, page)
        return page.render(
            "me.html",
            view=shown,
            found=found,
            chosen=chosen,
            forecast=forecast,
            reasons=[reason_words(page, r) for r in shown["reasons"]],
            charts=_my_charts(page, found, ranges),
        )

    return await shown_errors(page, work)


def _chosen(page: Page) -> list[int]:
    """The records ticked in the what-if panel (``?settle=12&settle=15``)."""
    picked = page.request.query_params.getlist("settle")
    return sorted({int(v) for v in picked if v.isdigit() and len(v) < 19})


def reason_words(page: Page, reason: dict[str, Any]) -> dict[str, Any]:
    """A reason in the reader's words (the reason catalogue's, already in the page's
    language) with what would raise the score and by exactly how many points.

    A reason stored before the catalogue existed has no direction: it is named by its
    feature and the points it cost.
    """
    if "direction" in reason:
        return {
            "text": reason["text"],
            "advice": reason.get("advice", ""),
            "points": int(reason.get("points_gain", reason.get("points_lost", 0))),
        }
    return {
        "text": page.say.word("FEATURES", str(reason.get("feature", ""))),
        "advice": "",
        "points": int(reason.get("points_lost", 0)),
    }


def _my_charts(page: Page, found: Standing, ranges: dict[str, DimensionRange]) -> dict[str, Any]:
    shown = found.shown()
    if shown["score"] is None:
        return {}
    bands = [Band(t.min_score, t.max_score, page._tier(t.name)) for t in page.rt.policy.tiers]
    tier = page._tier(shown["tier"])
    title = page.gettext(
        "Score %(score)s of 350–950, tier %(tier)s", score=shown["score"], tier=tier
    )
    history = [(page.say.date(day), score) for day, score in found.history]
    trend = None
    if len(history) > 1:
        trend = line(history, title=page.gettext("Score history"), low=350, high=950)
    return {
        "gauge": gauge(shown["score"], bands, title=title),
        "history": trend,
        "dimensions": _dimension_chart(page, shown.get("dimensions") or {}, ranges),
    }


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
        if span is None or span.high <= span.low:
            # the model gives this dimension no spread: an empty bar, not a full green one
            share, tone = 0.0, "main"
        else:
            share = (points - span.low) / (span.high - span.low)
            tone = "good" if share >= 0.67 else "fair" if share >= 0.34 else "weak"
        top = f" / {span.high}" if span else ""
        rows.append(Bar(page.say.word("DIMENSIONS", key), share, f"{points:.0f}{top}", tone))
    return bars(rows, title=page.gettext("Five dimensions")) if rows else None


@router.get("/me/report", response_class=HTMLResponse)
async def my_report(request: Request) -> Response:
    """The whole access report in the reader's language, inside the site's header, printable.

    Retractions are not listed as records of their own: the record they withdraw says so.
    """
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
            lang=page.lang,
        )
        records = sorted(
            (r for r in report["records"] if r["kind"] != "retraction"),
            key=lambda r: (r["occurred_at"], r["entry_id"]),
            reverse=True,
        )
        current = report["scores"]["current"]
        reasons = [reason_words(page, x) for x in current["reasons"]] if current else []
        # the five dimensions in their usual order; the scale's base points are not one
        held = current["dimensions"] if current else {}
        dimensions = [(d.value, held[d.value]) for d in Dimension if d.value in held]
        return page.render(
            "report.html", r=report, records=records, reasons=reasons, dimensions=dimensions
        )

    return await shown_errors(page, work)


@router.get("/me/dispute", response_class=HTMLResponse)
async def dispute_form(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    entry = request.query_params.get("entry", "")
    return page.render("dispute.html", entry=entry if entry.isdigit() else "", opened=None)


@router.get("/me/consents", response_class=HTMLResponse)
async def consents(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    who = page.principal
    assert who is not None

    async def work() -> Response:
        engine, subject = page.rt.engine, _subject(page)
        state = await run_in_threadpool(consent.list_consents, engine, subject, actor=who.id)
        found = await run_in_threadpool(switches, engine, subject, actor=who.id)
        return page.render("consents.html", state=state.as_dict(), switches=found)

    return await shown_errors(page, work)


@router.post("/me/consents", response_class=HTMLResponse)
async def change_consent(request: Request) -> Response:
    """Flip one switch, then show the page again by a redirect (reloading never re-posts)."""
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no

    async def work() -> Response:
        form = await checked_form(page)
        change = consent.withdraw if form.get("action") == "withdraw" else consent.grant
        rt = page.rt
        await run_in_threadpool(
            change,
            rt.engine,
            _subject(page),
            form.get("source", ""),
        )
        return RedirectResponse(f"/me/consents?lang={page.lang}", status_code=303)

    return await shown_errors(page, work)
