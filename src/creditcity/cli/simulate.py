"""``creditcity simulate``: write a synthetic city (residents, records, outcomes) as Parquet.

Exit 0 on success, 1 when the output directory cannot be written, 2 on usage
errors (an argument out of range, a malformed date).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from creditcity.cli._app import JsonOut, app, console, emit, err_console, reported_errors
from creditcity.errors import InputRejected
from creditcity.sim.spec import (
    DEFAULT_AS_OF,
    DEFAULT_CHUNK_SIZE,
    MAX_RESIDENTS,
    MAX_YEARS,
    SimulationSpec,
)

if TYPE_CHECKING:
    from creditcity.sim.writer import SimulationSummary

Residents = Annotated[
    int, typer.Option("--residents", min=1, max=MAX_RESIDENTS, help="How many residents.")
]
Years = Annotated[
    int, typer.Option("--years", min=1, max=MAX_YEARS, help="Years of records before --as-of.")
]
Seed = Annotated[int, typer.Option("--seed", min=0, help="Same seed, same files.")]
Out = Annotated[Path, typer.Option("--out", help="Directory for the three Parquet files.")]
AsOf = Annotated[
    str, typer.Option("--as-of", help="Last day of the records; outcomes are the year after it.")
]
ChunkSize = Annotated[
    int,
    typer.Option("--chunk-size", min=1, help="Residents per written chunk (memory, not data)."),
]


@app.command("simulate")
def simulate_command(
    residents: Residents = 10_000,
    years: Years = 3,
    seed: Seed = 0,
    out: Out = Path("city"),
    as_of: AsOf = DEFAULT_AS_OF.isoformat(),
    chunk_size: ChunkSize = DEFAULT_CHUNK_SIZE,
    as_json: JsonOut = False,
) -> None:
    """Generate residents.parquet, records.parquet (the import format) and outcomes.parquet."""
    spec = SimulationSpec(residents, years, seed, _date(as_of, as_json), chunk_size)
    try:
        spec.validate()
    except InputRejected as error:
        _usage(str(error), as_json)
    # imported here: NumPy and Arrow need not load for other commands
    from creditcity.sim.writer import simulate

    with reported_errors(as_json), _progress(as_json) as bar:
        task = bar.add_task("simulating", total=residents)

        def advance(done: int, total: int, records: int) -> None:
            bar.update(task, completed=done, description=f"simulating ({records:,} records)")

        summary = simulate(spec, out, progress=advance)
    emit(as_json, summary.as_dict(), lambda: _print(summary))


def _date(text: str, as_json: bool) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _usage(f"--as-of '{text}' is not a date (expected YYYY-MM-DD, e.g. 2026-06-30)", as_json)


def _usage(message: str, as_json: bool) -> NoReturn:
    if as_json:
        body = {"error": "UsageError", "message": message}
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        err_console.print(f"[bold red]usage error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(2)


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("residents"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    )


def _print(summary: SimulationSummary) -> None:
    console.print(
        f"wrote {summary.residents:,} residents and {summary.records:,} records "
        f"({summary.records / max(summary.residents, 1):.1f} per resident, {summary.years} years "
        f"to {summary.as_of}) in {summary.seconds:.1f} s; "
        f"12-month default rate {summary.default_rate:.2%}"
    )
    for name, path in summary.files.items():
        console.print(f"  {name}: {path}")
