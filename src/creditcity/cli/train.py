"""``creditcity train``: fit a scorecard, print its validation, write artefact and report.

Two modes, one command. Tabular: ``--table CSV --target COL [--exclude COL ...]``.
Ledger: ``--outcomes PATH [--as-of DATE]`` (features from the ledger as of the
date, labels from the outcomes file; without ``--as-of`` the date is the
file's earliest ``as_of``, and a later ``as_of`` in the file is the
out-of-time sample). The model is registered, and activated only if it
passes the policy's activation gate; otherwise exit 1 with the reasons.
Exit 0 on success, 1 when input or a charter check rejects it, 2 on usage errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from creditcity.cli._app import (
    DatabaseUrl,
    JsonOut,
    app,
    console,
    emit,
    err_console,
    reported_errors,
)
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.train_ledger import LedgerTrainResult
    from creditcity.services.train_table import TrainTableResult

TableOpt = Annotated[
    Path | None, typer.Option("--table", help="Tabular mode: a CSV with one row per applicant.")
]
TargetOpt = Annotated[
    str | None, typer.Option("--target", help="Tabular mode: the outcome column (good/bad or 0/1).")
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Leave this column out (repeatable).", show_default=False),
]
ColumnsOpt = Annotated[
    Path | None,
    typer.Option(
        "--columns",
        help="Tabular mode: a data dictionary, one line per column 'NAME: what it holds'; "
        "a declared meaning decides the charter check for that column.",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Directory for the artefact and report (default: <CREDITCITY_HOME>/models)."
    ),
]
OutcomesOpt = Annotated[
    Path | None, typer.Option("--outcomes", help="Ledger mode: outcome labels per subject.")
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Ledger mode: feature date (default: the file's as_of column)."),
]


def _usage(message: str) -> typer.Exit:
    err_console.print(f"[bold red]usage error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(2)


@app.command("train")
def train(
    table: TableOpt = None,
    target: TargetOpt = None,
    exclude: ExcludeOpt = None,
    columns: ColumnsOpt = None,
    out: OutOpt = None,
    outcomes: OutcomesOpt = None,
    as_of: AsOfOpt = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Train a scorecard: --table CSV --target COL, or --outcomes PATH [--as-of DATE]."""
    out = out or get_settings().models_dir
    if table is not None and outcomes is not None:
        raise _usage("give either --table (tabular mode) or --outcomes (ledger mode), not both")
    if table is not None:
        if target is None:
            raise _usage("--table needs --target COL naming the outcome column")
        _train_table(table, target, exclude or [], columns, out, as_json)
    elif outcomes is not None:
        if columns is not None:
            raise _usage("--columns describes a --table's columns; ledger features need none")
        _train_ledger(outcomes, as_of, database_url, out, as_json)
    else:
        raise _usage("give --table CSV --target COL, or --outcomes PATH [--as-of DATE]")


def _train_table(
    table: Path, target: str, exclude: list[str], columns: Path | None, out: Path, as_json: bool
) -> None:
    # imported here: scikit-learn takes seconds to import, and other commands need not pay it
    from creditcity.services.train_table import train_table

    with reported_errors(as_json):
        result = train_table(table, target, exclude=exclude, columns=columns, out=out)
        emit(as_json, result.to_dict(), lambda: _print_table_result(result))


def _print_table_result(result: TrainTableResult) -> None:
    console.print(
        f"trained on {result.rows} rows ({result.events} bad), {len(result.features)} features; "
        f"excluded: {', '.join(result.excluded) or 'none'}"
    )
    for column in result.declared:
        console.print(f"declared in the data dictionary: {column['name']}: {column['meaning']}")
    if result.dropped:
        console.print(f"dropped (wrong-signed coefficient): {', '.join(result.dropped)}")
    console.print(
        f"out-of-fold AUC {result.auc_mean:.4f} ± {result.auc_std:.4f} "
        f"({result.n_splits}-fold x {result.n_repeats}, seed {result.seed})"
    )
    console.print(f"scores reachable: {result.score_range[0]}–{result.score_range[1]}")
    console.print(f"artefact: {result.artefact}")
    console.print(f"report:   {result.report}")


def _train_ledger(
    outcomes: Path, as_of: str | None, database_url: str | None, out: Path, as_json: bool
) -> None:
    """Ledger mode: features from the ledger as of ``as_of``, labels from ``outcomes``."""
    from datetime import date

    from creditcity.cli._wiring import open_engine
    from creditcity.services.train_ledger import train_from_ledger

    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise _usage(f"--as-of '{as_of}' is not a date like 2026-06-30") from None
    with reported_errors(as_json):
        url = str(open_engine(database_url).url.render_as_string(hide_password=False))
        result = train_from_ledger(outcomes, day, database_url=url, out=out)
        emit(as_json, result.to_dict(), lambda: _print_ledger_result(result))


def _print_ledger_result(result: LedgerTrainResult) -> None:
    console.print(
        f"trained on {result.people:,} people ({result.events:,} defaulted) with ledger features "
        f"as of {result.as_of}; {result.unmatched:,} outcomes had no records"
    )
    if result.dropped:
        console.print(
            f"dropped (wrong-signed, or voluntary data without signal): {', '.join(result.dropped)}"
        )
    console.print(f"out-of-fold AUC {result.auc_mean:.4f} ± {result.auc_std:.4f} (5-fold)")
    _print_validation(result.validation)
    console.print(f"model {result.version} is now active")
    console.print(f"artefact: {result.artefact}")
    console.print(f"report:   {result.report}")


def _interval(name: str, figure: dict[str, float]) -> str:
    return f"{name} {figure['value']:.3f} [{figure['low']:.3f}, {figure['high']:.3f}]"


def _print_validation(validation: dict[str, Any]) -> None:
    """In-time and out-of-time figures with 95% intervals, the tier table, stability."""
    samples = [("in time (out-of-fold)", validation.get("in_time"))]
    samples.append(
        (
            f"out of time ({(validation.get('out_of_time') or {}).get('as_of')})",
            validation.get("out_of_time"),
        )
    )
    for label, sample in samples:
        if not sample:
            continue
        figures = ", ".join(_interval(k, sample[k]) for k in ("auc", "gini", "ks"))
        console.print(f"{label}: {figures}")
        for row in sample["tiers"]:
            observed = row.get("observed_default_rate")
            expected = row.get("expected_default_rate")
            console.print(
                f"  {row['tier']:<10} {row['share']:6.1%} of people; default rate "
                f"{'-' if observed is None else f'{observed:.1%}'} observed, "
                f"{'-' if expected is None else f'{expected:.1%}'} expected"
            )
    psi = (validation.get("population_stability") or {}).get("score_psi")
    if psi is not None:
        console.print(f"score PSI, training population vs later: {psi:.3f}")
