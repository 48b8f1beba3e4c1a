"""The credit office's model and restriction pages (the dashboard is :mod:`.operator`).

``/operator/model``: every model version with its validation (in-time and
out-of-time AUC, Gini and KS with intervals, population stability, the ROC
curve and the calibration by score band as SVG with their figures as tables,
the tier table with expected and observed default rates, the activation
gate), the report of any version, live or candidate, and activation of a
version that passed its gate. ``/operator/restrictions``: restrictions
binding people today, filtered by rule, record date, expiry and appeal state, paged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.domain.principals import Scope
from creditcity.errors import InputRejected, NotFound, Problem
from creditcity.services.model_registry import activate_version, list_versions, show_version
from creditcity.services.restriction_list import APPEALS, list_restrictions
from creditcity.web.charts import Curve, Rate, calibration, roc
from creditcity.web.render import Page, checked_form, page_for, refused, shown_errors

router = APIRouter()


@router.get("/operator/model", response_class=HTMLResponse)
async def model(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.OPERATE)) is not None:
        return no

    async def work() -> Response:
        query = request.query_params
        return await _model_page(page, query.get("version"), done=query.get("done") == "activated")

    return await shown_errors(page, work)


async def _model_page(page: Page, wanted: str | None, **extra: Any) -> Response:
    versions = await run_in_threadpool(list_versions, page.rt.engine)
    chosen = wanted or next((v["version"] for v in versions if v.get("active")), None)
    if chosen is None and versions:
        chosen = versions[0]["version"]
    if wanted is not None and wanted not in {v["version"] for v in versions}:
        raise NotFound(
            page.gettext("No such model version."),
            problems=[Problem(wanted[:80], "query", "version", "a version listed on this page")],
        )
    shown = await run_in_threadpool(show_version, page.rt.engine, chosen) if chosen else None
    charts = _validation_charts(page, shown["validation"]) if shown else {}
    return page.render(
        "operator_model.html", versions=versions, shown=shown, charts=charts, **extra
    )


def _samples(validation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, figures) of each validated sample the report holds, in time first."""
    return [(n, validation[n]) for n in ("in_time", "out_of_time") if validation.get(n)]


def _with_auc(name: str, sample: dict[str, Any]) -> str:
    """A curve's legend: its sample, and its AUC, so the picture names its own figure."""
    auc = (sample.get("auc") or {}).get("value")
    return name if auc is None else f"{name} (AUC {auc:.3f})"


def _validation_charts(page: Page, validation: dict[str, Any]) -> dict[str, Any]:
    """The ROC and calibration charts, or None where this version did not record them.

    Versions trained before ``curves_version`` existed have neither list; the
    page then says the figure is not in this version rather than draw nothing.
    """
    say = page.gettext
    names = {"in_time": say("In time"), "out_of_time": say("Out of time")}
    tones = {"in_time": "main", "out_of_time": "alt"}
    curves = [
        Curve(_with_auc(names[n], sample), [(p["fpr"], p["tpr"]) for p in sample["roc"]], tones[n])
        for n, sample in _samples(validation)
        if sample.get("roc")
    ]
    found = [(n, s) for n, s in _samples(validation) if s.get("calibration")]
    chosen = found[-1] if found else None  # out of time when there is one: the harder test
    charts: dict[str, Any] = {"roc": None, "calibration": None, "calibrated_on": None}
    if curves:
        charts["roc"] = roc(
            curves,
            title=say("ROC curve"),
            x_label=say("Good payers refused"),
            y_label=say("Defaulters refused"),
        )
    if chosen is not None:
        bands = [
            Rate(f"{b['low']}–{b['high']}", str(b["low"]), b["expected"], b["observed"])
            for b in chosen[1]["calibration"]
        ]
        charts["calibration"] = calibration(
            bands,
            title=say("Default rate by score band: expected and observed"),
            expected_label=say("Expected"),
            observed_label=say("Observed"),
        )
        charts["calibrated_on"] = chosen[0]
    return charts


@router.post("/operator/model/activate", response_class=HTMLResponse)
async def activate(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.OPERATE)) is not None:
        return no

    async def work() -> Response:
        form = await checked_form(page)
        version = form.get("version", "").strip()
        who = page.principal
        assert who is not None
        await run_in_threadpool(lambda: activate_version(page.rt.engine, version, actor=who.id))
        # POST-redirect-GET: a reload or the language switch never posts again
        return RedirectResponse(
            f"/operator/model?lang={page.lang}&version={version}&done=activated", status_code=303
        )

    return await shown_errors(page, work)


@router.get("/operator/restrictions", response_class=HTMLResponse)
async def restrictions(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.OPERATE)) is not None:
        return no

    async def work() -> Response:
        query = request.query_params
        rule = query.get("rule") or None
        since = _day(query.get("since"), "since", page)
        expires_by = _day(query.get("expires_by"), "expires_by", page)
        appeal = query.get("appeal") or None
        number = _page_number(query.get("page"))
        who = page.principal
        assert who is not None
        found = await run_in_threadpool(
            lambda: list_restrictions(
                page.rt.engine,
                page.rt.policy,
                page.rt.clock().date(),
                rule=rule,
                since=since,
                expires_by=expires_by,
                appeal=appeal,
                page=number,
                actor=who.id,
            )
        )
        triggers = {r.name: r.trigger for r in page.rt.policy.restrictions}
        return page.render(
            "operator_restrictions.html",
            found=found,
            triggers=triggers,
            chosen={"rule": rule, "since": since, "expires_by": expires_by, "appeal": appeal},
            appeals=APPEALS,
        )

    return await shown_errors(page, work)


def _day(text: str | None, field: str, page: Page) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputRejected(
            page.gettext("That is not a date."),
            problems=[Problem(text[:40], "query", field, "a date such as 2026-06-30")],
        ) from None


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1
