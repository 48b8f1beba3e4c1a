"""``creditcity policy check FILE``: is this policy file loadable, and what does it grant?

Exit 0 with a summary (tiers, services, restrictions), or 1 listing every
problem with its line and how to fix it. Checking reads only the file; the
``--database-url`` option is accepted because every command takes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.domain.policy import load_policy

policy_app = typer.Typer(help="Check the operator's policy file.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="The policy TOML file.", show_default=False)],
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Check a policy file: every problem with its line, or a summary of what it grants."""
    with reported_errors(as_json):
        summary = load_policy(file).summary()
        emit(as_json, {"ok": True, **summary}, lambda: _print(summary))


def _print(summary: dict[str, Any]) -> None:
    console.print(f"policy {summary['source']}: OK, version {summary['version']}")
    console.print(
        f"exposure cap {summary['exposure_cap']} per person; "
        f"disputes answered within {summary['dispute_deadline_days']} days"
    )
    console.print(f"tiers ({len(summary['tiers'])}):")
    for tier in summary["tiers"]:
        console.print(
            f"  {tier['name']:<12} {tier['min_score']}-{tier['max_score']}"
            f"  exposure cap {tier['exposure_cap']}"
        )
    console.print(f"services ({len(summary['services'])}):")
    for service in summary["services"]:
        limits = ", ".join(f"{name} {amount}" for name, amount in service["limits"].items())
        benefits = "".join(f"; {flag} from {tier}" for flag, tier in service["benefits"].items())
        console.print(f"  {service['id']:<24} {service['kind']:<15} {limits}{benefits}")
    thin = summary["thin_file"]
    allowed = ", ".join(thin["services"]) or "nothing (declined: THIN-FILE)"
    console.print(f"no score yet (thin file): {allowed}, up to {thin['max_amount']}")
    console.print(f"restrictions ({len(summary['restrictions'])}):")
    for rule in summary["restrictions"]:
        console.print(
            f"  {rule['name']}: on {rule['trigger']}, blocks {', '.join(rule['blocks'])}; "
            f"expires after {rule['expires_after_days']} days; appeal: {rule['appeal_route']['en']}"
        )
