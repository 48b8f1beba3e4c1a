"""The operator's pages: score distribution, deposits waived, approval and loss rates by
tier and service, deposits waived and exposure by month, the disputes queue, and the
fairness audit (group labels from a file, held in memory only)."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.domain.principals import Scope
from creditcity.services.audit_log import record_figures_read
from creditcity.services.disputes import list_disputes, resolve_dispute
from creditcity.services.fairness_audit import audit_fairness_upload
from creditcity.services.score_distribution import EDGES, score_distribution
from creditcity.services.stats import office_view
from creditcity.web.charts import Bar, bars, histogram
from creditcity.web.office_figures import office_charts
from creditcity.web.render import (
    Page,
    checked_form,
    checked_upload,
    page_for,
    refused,
    shown_errors,
)

router = APIRouter(include_in_schema=False)
PURPOSE = "operator portal: city figures"


async def _dashboard(page: Page, **extra: Any) -> Response:
    rt, who = page.rt, page.principal
    assert who is not None
    city = page.request.query_params.get("city") or None
    figures, office = await run_in_threadpool(lambda: office_view(rt.engine, policy=rt.policy))
    spread = await run_in_threadpool(score_distribution, rt.engine, city)
    await run_in_threadpool(record_figures_read, rt.engine, who, PURPOSE, "portal.dashboard")
    queue = await run_in_threadpool(list_disputes, rt.engine, status="open", actor=who.id)
    stats = figures.as_dict()
    now = rt.clock()
    title = page.gettext("Score distribution (%(city)s)", city=city or page.gettext("all cities"))
    charts = {
        "spread": histogram(spread.counts, EDGES, title=title, ticks=range(350, 951, 100)),
        "waived": _money_bars(
            page, figures.deposits_waived, page.gettext("Deposits waived, by service")
        ),
        "exposure": _money_bars(page, figures.exposure, page.gettext("Still owed back (exposure)")),
        **office_charts(page.say, office, page._tier),
    }
    return page.render(
        "operator.html",
        stats=stats,
        spread=spread,
        charts=charts,
        office=office,
        queue=[_queued(d.as_dict(), now) for d in queue],
        **extra,
    )


def _queued(dispute: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A dispute as the queue shows it: whose, and whole days left to answer (0: due today)."""
    deadline = datetime.fromisoformat(dispute["deadline"])
    left = (deadline.replace(tzinfo=None) - now.replace(tzinfo=None)).total_seconds()
    return {**dispute, "days_left": max(0, math.ceil(left / 86_400)), "person": dispute["subject"]}


def _money_bars(page: Page, amounts: dict[str, Decimal], title: str) -> Any:
    if not amounts:
        return None
    top = max(amounts.values()) or Decimal(1)
    rows = [
        Bar(page._service(s), float(a / top), page.say.money_text(a))
        for s, a in sorted(amounts.items(), key=lambda item: -item[1])
    ]
    return bars(rows, title=title)


@router.get("/operator", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.OPERATE)) is not None:
        return no
    return await shown_errors(page, lambda: _dashboard(page))


@router.post("/operator/disputes/{dispute_id}", response_class=HTMLResponse)
async def resolve(request: Request, dispute_id: int) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.OPERATE)) is not None:
        return no

    async def work() -> Response:
        form = await checked_form(page)
        rt, who = page.rt, page.principal
        assert who is not None
        closed = await run_in_threadpool(
            resolve_dispute,
            rt.engine,
            dispute_id,
            upheld=form.get("outcome") == "uphold",
            note=form.get("note", ""),
            actor=who.id,
        )
        return await _dashboard(page, resolved=closed.as_dict())

    return await shown_errors(page, work)


@router.post("/operator/fairness", response_class=HTMLResponse)
async def fairness(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.OPERATE)) is not None:
        return no

    async def work() -> Response:
        form, data = await checked_upload(page, "groups")
        attribute = form.get("attribute", "").strip() or "group"
        rt, who = page.rt, page.principal
        assert who is not None
        audit = await run_in_threadpool(
            audit_fairness_upload,
            rt.engine,
            data,
            attribute=attribute,
            actor=who.id,
            settings=rt.settings,
        )
        return await _dashboard(
            page, fairness=audit.decisions.as_dict(), eligibility=audit.policy.as_dict()
        )

    return await shown_errors(page, work)
