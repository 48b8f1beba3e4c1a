"""``creditcity ingest PATH...``: bulk import with a per-row error report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.ingest import IngestReport


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV, JSON Lines or Parquet files.")],
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="Keep nothing from a file with a bad row.")
    ] = False,
    rescore: Annotated[
        bool,
        typer.Option("--rescore/--no-rescore", help="Rescore touched people after each batch."),
    ] = True,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Import records; prints accepted, duplicate and rejected counts and every bad row."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.ingest import ingest_files

    with reported_errors(as_json):
        engine = open_engine(database_url, rescore=rescore)
        settings = get_settings()
        with _progress_bar(as_json) as bar:
            tasks: dict[str, TaskID] = {}

            def advance(path: str, step: int, total: int) -> None:
                if path not in tasks:
                    tasks[path] = bar.add_task(Path(path).name, total=total)
                bar.advance(tasks[path], step)

            report = ingest_files(
                paths,
                engine=engine,
                settings=settings,
                all_or_nothing=all_or_nothing,
                progress=advance,
            )
        emit(as_json, _as_dict(report), lambda: _print(report))
        if not report.ok:
            raise typer.Exit(1)


def _progress_bar(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=True,
    )


def _as_dict(report: IngestReport) -> dict[str, object]:
    return {
        "accepted": report.accepted,
        "duplicate": report.duplicate,
        "rejected": report.rejected,
        "files": [
            {
                "path": f.path,
                "accepted": f.accepted,
                "duplicate": f.duplicate,
                "rejected": f.rejected,
                "rolled_back": f.rolled_back,
                "file_rejected": f.file_rejected,
                "problems": [
                    {
                        "where": p.where,
                        "field": p.field,
                        "message": p.message,
                        "expected": p.expected,
                    }
                    for p in f.problems
                ],
            }
            for f in report.files
        ],
    }


def _print(report: IngestReport) -> None:
    for f in report.files:
        status = (
            "file rejected"
            if f.file_rejected
            else ("rolled back (--all-or-nothing)" if f.rolled_back else "done")
        )
        console.print(
            f"{f.path}: {f.accepted:,} accepted, {f.duplicate:,} duplicate, "
            f"{f.rejected:,} rejected — {status}"
        )
        for problem in f.problems:
            console.print(f"  [red]✗[/] {problem.render()}", highlight=False)
        if f.rejected > len(f.problems):
            console.print(f"  ... {f.rejected - len(f.problems):,} more rejected rows not listed")
    if not report.ok:
        console.print(
            "Fix the rows listed above and run the same command again: "
            "accepted rows are kept and will be counted as duplicates."
        )
