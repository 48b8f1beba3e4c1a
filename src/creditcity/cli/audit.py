"""``creditcity audit verify | fairness --groups PATH``: the operator's checks.

``verify`` exits 0 when the audit chain is intact and 1 naming the first
broken seq. ``fairness`` judges every labelled resident's eligibility by the
policy (unscored people included) and the stored decisions, flags an impact
ratio whose bootstrap interval lies below 0.8, and with ``--outcomes`` adds
calibration and the equal-opportunity difference; ``--plot`` draws it. The
group file is read, joined in memory and forgotten (nothing of it is stored).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.rights.audit_chain import ChainAnchor, ChainReport
    from creditcity.rights.fairness import FairnessReport
    from creditcity.rights.fairness_policy import PolicyFairness
    from creditcity.services.fairness_audit import FairnessAudit
    from creditcity.services.federation_witness import WitnessedVerdict

audit_app = typer.Typer(help="Verify the audit log; audit fairness.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor", help="A published head, SEQ:HASH, to detect cut or rewritten logs."
        ),
    ] = None,
    checkpoints: Annotated[
        bool,
        typer.Option(
            "--checkpoints",
            help="Also check every signed checkpoint this city published and its peers kept.",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Recompute every link of the audit chain; exit 1 at the first broken row."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.audit_log import verify_audit_log

    if checkpoints:
        _verify_witnessed(database_url, as_json)
        return
    with reported_errors(as_json):
        verdict = verify_audit_log(open_engine(database_url), anchor=_anchor(anchor))
        emit(as_json, verdict.as_dict(), lambda: _print_verdict(verdict))
    if not verdict.intact:
        raise typer.Exit(1)


def _verify_witnessed(database_url: str | None, as_json: bool) -> None:
    from creditcity.cli._wiring import open_engine
    from creditcity.services.federation_witness import verify_witnessed_log

    with reported_errors(as_json):
        verdict = verify_witnessed_log(open_engine(database_url), get_settings())
        emit(as_json, verdict.as_dict(), lambda: _print_witnessed(verdict))
    if not verdict.intact:
        raise typer.Exit(1)


def _print_witnessed(verdict: WitnessedVerdict) -> None:
    report = verdict.report
    for city, said in sorted(verdict.witnesses.items()):
        console.print(f"witness {city}: {said}")
    if report.intact:
        console.print(
            f"audit log intact: {report.chain.count:,} rows, "
            f"{report.checked} witnessed checkpoint(s) hold"
        )
        return
    console.print(f"audit log BROKEN: {report.reason}", style="bold red")


def _anchor(text: str | None) -> ChainAnchor | None:
    from creditcity.rights.audit_chain import ChainAnchor

    if text is None:
        return None
    seq, _, head = text.partition(":")
    if not seq.isdigit() or len(head) != 64:
        raise typer.BadParameter(
            "expected SEQ:HASH, e.g. 1042:3f9a… (64 hex)", param_hint="--anchor"
        )
    return ChainAnchor(int(seq), head.lower())


def _print_verdict(verdict: ChainReport) -> None:
    if verdict.intact:
        console.print(f"audit log intact: {verdict.count:,} rows; head {verdict.head}")
        return
    console.print(
        f"audit log BROKEN at seq {verdict.first_broken_seq} ({verdict.kind}): {verdict.reason}",
        style="bold red",
    )
    console.print(f"rows 1..{verdict.count} are intact (head {verdict.head})")


@audit_app.command("fairness")
def fairness(
    groups: Annotated[
        Path,
        typer.Option(
            "--groups",
            help="Parquet or CSV: national_id (or subject) + group label.",
            exists=True,
            dir_okay=False,
        ),
    ],
    attribute: Annotated[str, typer.Option("--attribute", help="The label column.")] = "group",
    outcomes: Annotated[
        Path | None,
        typer.Option(
            "--outcomes",
            help="Outcomes file (national_id + defaulted): calibration and equal opportunity.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    min_group: Annotated[
        int, typer.Option("--min-group", min=1, help="Smallest group given rates and ratios.")
    ] = 30,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the impact ratios as a PNG here.")
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Eligibility by policy for every resident, and stored decisions, compared across groups."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.fairness_audit import (
        audit_policy_fairness,
        read_groups,
        read_outcome_labels,
    )

    secret = get_settings().pseudonym_secret
    with reported_errors(as_json):
        labels = read_groups(groups, secret=secret, attribute=attribute)
        known = read_outcome_labels(outcomes, secret=secret) if outcomes is not None else None
        verdict = audit_policy_fairness(
            open_engine(database_url),
            labels,
            attribute=attribute,
            outcomes=known,
            min_group=min_group,
        )
        if plot is not None:
            from creditcity.rights.fairness_plot import fairness_png

            plot.write_bytes(fairness_png(verdict.policy))
        emit(as_json, verdict.as_dict(), lambda: _print_audit(verdict))


def _print_audit(audit: FairnessAudit) -> None:
    _print_policy(audit.policy)
    console.print("stored decisions:")
    _print_fairness(audit.decisions)


def _print_policy(report: PolicyFairness) -> None:
    sizes = ", ".join(
        f"{g} {n:,} ({report.unscored[g]:,} unscored)" for g, n in report.groups.items()
    )
    console.print(f"eligibility by policy, by '{report.attribute}': {sizes}")
    for e in report.eligibility:
        if e.rate is None:
            console.print(f"  {e.service:<24} {e.group:<12} n={e.people} (< {report.min_group})")
            continue
        flag = "  [bold red]interval below 0.8[/]" if e.flagged else ""
        eod = (
            f", equal opportunity {e.equal_opportunity_difference:+.2f}"
            if e.equal_opportunity_difference is not None
            else ""
        )
        console.print(
            f"  {e.service:<24} {e.group:<12} eligible {e.eligible}/{e.people} ({e.rate:.0%}), "
            f"impact ratio {e.impact_ratio:.2f} [{e.low:.2f}, {e.high:.2f}]{eod}{flag}",
            markup=True,
        )
    for c in report.calibration:
        if c.ratio is not None:
            console.print(
                f"  calibration {c.group}: observed {c.observed:.1%} / expected "
                f"{c.expected:.1%} = {c.ratio:.2f} (n={c.people:,})"
            )
    flagged = report.flagged
    console.print(
        f"{len(flagged)} ratio(s) whose 95% interval lies below 0.8: look closer"
        if flagged
        else "no impact ratio whose interval lies below 0.8"
    )


def _print_fairness(report: FairnessReport) -> None:
    console.print(
        f"fairness by '{report.attribute}' ({report.unlabelled} scored people unlabelled)"
    )
    for g in report.groups:
        console.print(
            f"  {g.group:<16} n={g.count:<7,} mean {g.mean:6.1f}  "
            f"quartiles {g.q1:.0f} / {g.median:.0f} / {g.q3:.0f}"
        )
        for s in g.services.values():
            if s.rate is None:
                continue
            flag = "  [bold red]< 0.8[/]" if s.flagged else ""
            console.print(
                f"      {s.service:<24} approved {s.approvals}/{s.decisions} ({s.rate:.0%}), "
                f"impact ratio {s.impact_ratio:.2f}{flag}",
                markup=True,
            )
    flagged = report.flagged
    console.print(
        f"{len(flagged)} ratio(s) below 0.8 (four-fifths rule): look closer"
        if flagged
        else "no impact ratio below 0.8"
    )
