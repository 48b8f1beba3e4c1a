"""``creditcity decide``, ``outcome`` and ``stats``: deposit-free services from the command line.

    creditcity decide SUBJECT SERVICE --amount X --purpose TEXT [--provider ROLE:NAME]
    creditcity outcome DECISION_ID --result returned_on_time|returned_late|lost|paid|overdue
    creditcity stats

A decline is an answer, not an error (exit 0); bad input exits 1 naming the
field. Services are imported inside the commands so ``creditcity --help``
stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.decide import DecisionAnswer
    from creditcity.services.outcomes import OutcomeReport
    from creditcity.services.stats import CityStats


@app.command()
def decide(
    subject: Annotated[str, typer.Argument(help="National ID or pseudonym (p_...).")],
    service: Annotated[str, typer.Argument(help="Service id, e.g. bike_deposit.")],
    amount: Annotated[str, typer.Option("--amount", help="Yuan requested, e.g. 299.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why the decision is asked.")],
    provider: Annotated[
        str, typer.Option("--provider", help="Who asks, as role:name.")
    ] = "creditcity:cli",
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """May this person use SERVICE without deposit, and up to how much? Stores the decision."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.decide import DecisionRequest, decide_request, policy_for
    from creditcity.services.federation import person_named

    with reported_errors(as_json):
        settings = get_settings()
        pseudonym, links = person_named(subject, settings)
        request = DecisionRequest(
            subject=pseudonym,
            links=links,
            service=service,
            amount=amount,
            purpose=purpose,
            provider=provider,
        )
        answer = decide_request(
            open_engine(database_url), request, policy=policy_for(settings), settings=settings
        )
        emit(as_json, answer.as_dict(), lambda: _print_decision(answer))


@app.command()
def outcome(
    decision_id: Annotated[str, typer.Argument(help="The decision id decide returned.")],
    result: Annotated[
        str,
        typer.Option("--result", help="returned_on_time, returned_late, lost, paid or overdue."),
    ],
    days_late: Annotated[
        int | None, typer.Option("--days-late", help="Days late (returned_late, paid).")
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Report how a deposit-free borrowing or a pay-later ended; the person is rescored."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.decide import policy_for
    from creditcity.services.outcomes import report_outcome

    with reported_errors(as_json):
        settings = get_settings()
        report = report_outcome(
            open_engine(database_url),
            decision_id,
            result,
            policy=policy_for(settings),
            settings=settings,
            days_late=days_late,
        )
        emit(as_json, report.as_dict(), lambda: _print_outcome(report))


@app.command()
def stats(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """The operator's figures: deposits waived, exposure, approval and loss rates, rights."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.decide import policy_for
    from creditcity.services.stats import city_stats

    with reported_errors(as_json):
        settings = get_settings()
        figures = city_stats(open_engine(database_url), policy=policy_for(settings))
        emit(as_json, figures.as_dict(), lambda: _print_stats(figures))


def _print_decision(answer: DecisionAnswer) -> None:
    d = answer.decision
    who = f"tier {d.tier}, score {d.score}" if d.score is not None else "no score yet (thin file)"
    if d.approved:
        what = f"{d.credit_line} pay-later" if d.credit_line else f"{d.waived_amount} waived"
        head = f"[green]APPROVED[/] {d.service}: {what} of {d.amount_requested} ({who})"
    else:
        head = f"[red]DECLINED[/] {d.service}: {d.amount_requested} ({who})"
    console.print(head)
    console.print(f"decision {answer.decision_id} (policy {d.policy_version})")
    for code, text in d.reasons:
        console.print(f"  {code}: {text}", markup=False)
    if d.benefits:
        console.print(f"  benefits: {', '.join(d.benefits)}")
    for notice in answer.notices:
        console.print(f"notice sent to the person: {notice.text}", markup=False)


def _print_outcome(report: OutcomeReport) -> None:
    status = "already reported (duplicate, nothing written)" if report.duplicate else "recorded"
    console.print(f"decision {report.decision_id}: {report.result.value} -> {report.kind} {status}")
    state = "released" if report.released else "still owed"
    left = ", ".join(f"{s} {a}" for s, a in report.exposure.items()) or "nothing"
    console.print(f"exposure {state}; the person now owes back: {left}")
    if not report.duplicate:
        console.print("rescored" if report.rescored else "not rescored (no active model yet)")


def _print_stats(figures: CityStats) -> None:
    data: dict[str, Any] = figures.as_dict()
    for label, key in (
        ("deposits waived", "deposits_waived"),
        ("fees waived", "fees_waived"),
        ("pay-later granted", "pay_later_granted"),
        ("exposure (owed back now)", "exposure"),
    ):
        block = data[key]
        parts = ", ".join(f"{s} {a}" for s, a in block["by_service"].items())
        console.print(f"{label}: {block['total']}" + (f" ({parts})" if parts else ""))
    for label, key, part in (
        ("approval rate", "approval_rate_by_tier", "approved"),
        ("loss rate on waived deposits", "loss_rate_by_tier", "lost"),
    ):
        console.print(f"{label} by tier:")
        for tier, r in data[key].items():
            whole = r["decisions"] if part == "approved" else r["closed"]
            rate = "-" if r["rate"] is None else f"{r['rate']:.1%}"
            console.print(f"  {tier:<12} {rate:>7}  ({r[part]} of {whole})")
    rs = data["restrictions"]
    console.print(
        f"restrictions: {rs['active']} active on {rs['people_restricted']} people, "
        f"{rs['lifted']} lifted; {rs['notices_sent']} notices sent"
    )
    console.print(f"people who looked at their own file: {data['residents_who_looked']}")
