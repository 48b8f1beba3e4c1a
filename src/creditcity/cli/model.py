"""``creditcity model list | show | activate | export VERSION --pmml FILE``: the model registry.

``train`` registers every version it fits and activates it only when the
activation gate passes; these commands let the operator see the versions,
read one's validation, and switch the live model back or forth (a version
whose gate failed stays refused), and export one as a PMML 4.4 Scorecard so
anyone can recompute scores with standard tools. Exit 0 on success, 1 for an
unknown or refused version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.cli._wiring import open_engine

model_app = typer.Typer(help="List, inspect and activate scorecard versions.", no_args_is_help=True)
app.add_typer(model_app, name="model")

Version = Annotated[str, typer.Argument(help="A version from 'model list'.", show_default=False)]


@model_app.command("list")
def list_(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Every registered version, newest first; the active one is marked."""
    from creditcity.services.model_registry import list_versions

    with reported_errors(as_json):
        rows = list_versions(open_engine(database_url))
        emit(as_json, {"models": rows}, lambda: _print_list(rows))


@model_app.command("show")
def show(version: Version, database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """One version: provenance, scale and its validation report."""
    from creditcity.services.model_registry import show_version

    with reported_errors(as_json):
        info = show_version(open_engine(database_url), version)
        emit(as_json, info, lambda: _print_show(info))


@model_app.command("activate")
def activate(version: Version, database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Make a version the live model (refused if its activation gate failed)."""
    from creditcity.services.model_registry import activate_version

    with reported_errors(as_json):
        info = activate_version(open_engine(database_url), version)
        emit(as_json, info, lambda: console.print(f"model {version} is now active"))


@model_app.command("export")
def export(
    version: Version,
    pmml: Annotated[
        Path,
        typer.Option(
            "--pmml", help="Write a PMML 4.4 Scorecard (with reason codes) here.", dir_okay=False
        ),
    ],
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Export a version for standard tools: a PMML 4.4 Scorecard any PMML engine scores."""
    from creditcity.services.model_export import export_pmml

    with reported_errors(as_json):
        info = export_pmml(open_engine(database_url), version, pmml)
        emit(
            as_json,
            info,
            lambda: console.print(
                f"model {version}: {info['features']} features written to {info['pmml']} (PMML 4.4)"
            ),
        )


def _gate_word(passed: Any) -> str:
    return {True: "passed", False: "FAILED"}.get(passed, "not run")


def _print_list(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no models yet: run 'creditcity train --outcomes PATH' first")
    for row in rows:
        mark = "*" if row["active"] else " "
        auc = f"{row['auc']:.4f}" if isinstance(row["auc"], float) else "-"
        console.print(
            f"{mark} {row['version']}  as of {row['as_of'] or '-'}  AUC {auc}  "
            f"gate {_gate_word(row['gate_passed'])}"
        )


def _print_show(info: dict[str, Any]) -> None:
    state = "active" if info["active"] else "inactive"
    console.print(f"model {info['version']} ({state}), created {info['created_at']}")
    console.print(f"features as of {info['as_of'] or '-'}; training data {info['training_sha256']}")
    scale = info.get("scaling") or {}
    console.print(
        f"scale: {scale.get('base_score')} at odds {scale.get('base_odds')}:1, "
        f"PDO {scale.get('pdo')}; reachable {info.get('score_range_reachable')}"
    )
    console.print(f"gate {_gate_word(info['gate_passed'])}")
    for reason in (info["validation"].get("gate") or {}).get("failures", []):
        console.print(f"  - {reason}")
    console.print(f"features: {', '.join(str(f) for f in info['features'])}")
