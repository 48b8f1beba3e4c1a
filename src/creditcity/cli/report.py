"""``creditcity report SUBJECT [--json] [--html FILE] [--as-of DATE]``: subject access report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.cli.dispute import Subject, subject_of
from creditcity.cli.purge import AsOf
from creditcity.config import get_settings


@app.command()
def report(
    subject: Subject,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a readable HTML page to this file.")
    ] = None,
    as_of: AsOf = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Everything held about a person: records, scores, decisions, disputes, consents, accesses."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.access_report import access_report, render_html

    with reported_errors(as_json):
        engine = open_engine(database_url)
        body = access_report(
            engine,
            subject_of(subject),
            settings=get_settings(),
            as_of=as_of.date() if as_of else None,
            output="html" if html else ("json" if as_json else "text"),
        )
        if html:
            html.write_text(render_html(body), encoding="utf-8")
        emit(as_json, body, lambda: _print(body, html))


def _print(r: dict[str, Any], html: Path | None) -> None:
    s = r["summary"]
    console.print(f"[bold]Credit file of {r['subject']}[/] as of {r['as_of']}", markup=True)
    console.print(
        f"{s['records']} records ({s['counting']} counting, {s['excluded']} excluded), "
        f"{s['decisions']} decisions, {s['disputes']} disputes, {s['accesses']} accesses"
    )
    current = r["scores"]["current"]
    if current:
        console.print(
            f"score {current['score']} (tier {current['tier']}), as of {current['as_of']}"
        )
        for reason in current["reasons"]:
            console.print(
                f"  - {reason.get('text', reason) if isinstance(reason, dict) else reason}"
            )
    else:
        console.print("no score yet (thin file)")
    console.print("[bold]records[/]", markup=True)
    for rec in r["records"]:
        state = (
            "counts"
            if rec["counts"]
            else "excluded: " + "; ".join(x["why"] for x in rec["excluded"])
        )
        console.print(
            f"  #{rec['entry_id']} {rec['occurred_at'][:10]} {rec['kind']} "
            f"({rec['source']}, {rec['basis']}) — {state}"
        )
    _print_rest(r)
    if html:
        console.print(f"HTML report written to {html}")


def _print_rest(r: dict[str, Any]) -> None:
    for d in r["decisions"]:
        outcome = "approved" if d["approved"] else "declined"
        console.print(
            f"  decision {d['decided_at'][:16]} {d['service']} {outcome} "
            f"for {d['requested_by']} ({d['purpose']})"
        )
    for x in r["restrictions"]:
        console.print(
            f"  restriction {x['rule']}: until {x['expires_on']}; appeal: {x['appeal_route']['en']}"
        )
    for d in r["disputes"]:
        console.print(
            f"  dispute {d['dispute_id']} on #{d['entry_id']}: {d['status']} — “{d['statement']}”"
        )
    console.print(f"  consents: {', '.join(r['consents']['active']) or 'none'}")
    console.print("[bold]who accessed this file[/]", markup=True)
    for a in r["accesses"]:
        console.print(f"  {a['at'][:19]} {a['actor']} ({a['role']}) {a['action']}: {a['purpose']}")
