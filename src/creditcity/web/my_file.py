"""My file: records grouped by kind, filtered and paged; decisions; who looked; disputes.

Each record says whether it counts or why not and carries its own dispute
form, so a person disputes a record where they read it. Opening a dispute
answers with a redirect (POST-redirect-GET): reloading or switching the
language never re-posts. A refused form is shown again with what was typed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from creditcity.domain.principals import Scope
from creditcity.errors import CreditCityError, InputRejected, Problem, http_status_for
from creditcity.services.access_report import access_report
from creditcity.services.disputes import open_dispute
from creditcity.web.render import Page, checked_form, page_for, refused, shown_errors

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 10


def _subject(page: Page) -> str:
    assert page.principal is not None and page.principal.subject is not None
    return page.principal.subject


def _report(page: Page) -> dict[str, Any]:
    rt, who = page.rt, page.principal
    assert who is not None
    return access_report(
        rt.engine,
        _subject(page),
        settings=rt.settings,
        actor=who.id,
        output="portal",
    )


def shown_records(
    records: list[dict[str, Any]], kind: str, status: str, number: int
) -> dict[str, Any]:
    """Newest first, filtered by kind and by counting or not, one page of PAGE_SIZE."""
    newest = sorted(records, key=lambda r: (r["occurred_at"], r["entry_id"]), reverse=True)
    newest = [r for r in newest if r["kind"] != "retraction"]
    kinds = Counter(r["kind"] for r in newest)
    chosen = [
        r
        for r in newest
        if (not kind or r["kind"] == kind)
        and (status != "counts" or r["counts"])
        and (status != "excluded" or not r["counts"])
    ]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    number = min(max(1, number), pages)
    part = chosen[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in part:
        groups.setdefault(record["kind"], []).append(record)
    return {
        "groups": groups,
        "kinds": sorted(kinds.items(), key=lambda item: -item[1]),
        "total": len(chosen),
        "page": number,
        "pages": pages,
        "kind": kind,
        "status": status,
    }


async def _file_page(page: Page, *, status: int = 200, **extra: Any) -> Response:
    report = await run_in_threadpool(_report, page)
    query = page.request.query_params
    number = query.get("page", "1")
    records = shown_records(
        report["records"],
        query.get("kind", ""),
        query.get("status", ""),
        int(number) if number.isdigit() and len(number) < 6 else 1,
    )
    return page.render(
        "file.html", status=status, here="/me/file", r=report, shown=records, **extra
    )


@router.get("/me/file", response_class=HTMLResponse)
async def my_file(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    opened = request.query_params.get("opened", "")
    return await shown_errors(
        page, lambda: _file_page(page, opened=int(opened) if opened.isdigit() else None)
    )


@router.post("/me/dispute", response_class=HTMLResponse)
async def dispute(request: Request) -> Response:
    page = page_for(request)
    if (no := refused(page, Scope.SELF)) is not None:
        return no
    form = await checked_form(page)
    entry = form.get("entry", "").strip()
    try:
        if not entry.isdigit() or len(entry) > 18:
            raise InputRejected(
                page.gettext("Which record?"),
                problems=[Problem(page.gettext("Choose a record in your file."), field="entry")],
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
        )
    except CreditCityError as error:
        # shown again on the file page, next to the record, with what was typed
        return await _file_page(
            page,
            status=http_status_for(error),
            opened=None,
            failed={"entry": entry, "statement": form.get("statement", ""), "error": error},
        )
    target = f"/me/file?lang={page.lang}&opened={opened.dispute_id}#entry-{entry}"
    return RedirectResponse(target, status_code=303)
