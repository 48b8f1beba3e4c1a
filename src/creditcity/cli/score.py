"""``creditcity score`` (rescore everyone) and ``creditcity show SUBJECT``."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.show import SubjectView


class SnapshotEngine(StrEnum):
    """Where ``--snapshot`` scoring runs."""

    DUCKDB = "duckdb"
    SPARK = "spark"


class Lang(StrEnum):
    """The languages of the reason catalogue."""

    ZH = "zh"
    EN = "en"


AsOf = Annotated[str | None, typer.Option("--as-of", help="Score as of this date (default today).")]


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not a date like 2026-06-30", param_hint="--as-of"
        ) from None


@app.command()
def score(
    as_of: AsOf = None,
    snapshot: Annotated[
        Path | None,
        typer.Option("--snapshot", help="Score a Parquet export of live entries instead."),
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="With --snapshot: the model artefact (JSON).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="With --snapshot: the scores Parquet to write.")
    ] = None,
    partitioned: Annotated[
        bool,
        typer.Option(
            "--partitioned",
            help="With --snapshot DIR: each Parquet file holds whole subjects; score file by "
            "file (memory bounded by one file).",
        ),
    ] = False,
    snapshot_engine: Annotated[
        SnapshotEngine,
        typer.Option(
            "--engine",
            help="With --snapshot: duckdb (one machine) or spark (local here; --out is then "
            "a directory of Parquet files).",
        ),
    ] = SnapshotEngine.DUCKDB,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Rescore everyone with the active model; stores scores, dimensions, reasons, ranks."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.scoring import rescore, score_snapshot

    day = _day(as_of)
    if snapshot is not None:
        if model is None or out is None:
            raise typer.BadParameter("--snapshot needs --model FILE and --out FILE")
        with (
            reported_errors(as_json),
            Progress(console=console, disable=as_json, transient=True) as bar,
        ):
            if snapshot_engine is SnapshotEngine.SPARK:
                from creditcity.services.spark_scoring import score_snapshot_spark

                run = score_snapshot_spark(
                    snapshot, as_of=day or date.today(), artefact_path=model, out=out
                )
                emit(
                    as_json,
                    run.as_dict(),
                    lambda: console.print(
                        f"scored {run.scored:,} people from {snapshot} on Spark into {out} "
                        f"in {run.seconds:.1f} s"
                    ),
                )
                return
            task = bar.add_task("scoring partitions", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            run = score_snapshot(
                snapshot,
                as_of=day or date.today(),
                artefact_path=model,
                out=out,
                partitioned=partitioned,
                progress=step,
            )
            emit(
                as_json,
                run.as_dict(),
                lambda: console.print(
                    f"scored {run.scored:,} people from {snapshot} into {out} "
                    f"in {run.seconds:.1f} s"
                ),
            )
        return
    with reported_errors(as_json):
        engine = open_engine(database_url)
        with Progress(console=console, disable=as_json, transient=True) as bar:
            task = bar.add_task("scoring", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            run = rescore(engine, as_of=day, progress=advance)
        emit(
            as_json,
            run.as_dict(),
            lambda: console.print(
                f"scored {run.scored:,} people as of {run.as_of} with model {run.model_version} "
                f"in {run.seconds:.1f} s"
            ),
        )


@app.command()
def show(
    subject: Annotated[str, typer.Argument(help="National ID or pseudonym.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why you look (audited).")] = (
        "operator review"
    ),
    lang: Annotated[
        Lang, typer.Option("--lang", help="Language of the reason sentences: zh or en.")
    ] = Lang.EN,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Score, five dimensions, reasons (what would raise the score), rank, restrictions."""
    from creditcity.cli._wiring import open_engine
    from creditcity.domain.subjects import resolve_subject
    from creditcity.services.show import show_subject

    with reported_errors(as_json):
        settings = get_settings()
        who = resolve_subject(subject, settings.pseudonym_secret)
        view = show_subject(
            open_engine(database_url),
            who,
            settings=settings,
            actor="operator:cli",
            role="operator",
            purpose=purpose,
            lang=lang.value,
        )
        emit(as_json, view.as_dict(), lambda: _print(view))


def _print(view: SubjectView) -> None:
    data = view.as_dict()
    console.print(f"[bold]{view.subject}[/]")
    if view.score is None:
        console.print("no score yet: thin file (no records count, or not scored yet)")
    else:
        console.print(
            f"score [bold]{data['score']}[/] (350–950), tier {data['tier']}, "
            f"{data['percentile_in_city']:.0f}th percentile in {data['city'] or 'the city'}; "
            f"model {data['model_version']}, as of {data['as_of']}"
        )
        dims = Table("dimension", "points", box=None)
        for name, points in (data["dimensions"] or {}).items():
            dims.add_row(name.replace("_", " "), str(points))
        console.print(dims)
        for reason in data["reasons"]:
            console.print(f"  [yellow]{reason['code']}[/] {escape(reason['sentence'])}")
    for r in view.restrictions:
        console.print(
            f"[red]restricted[/] from {', '.join(r['blocks'])} until {r['expires_on']}: "
            f"{r['notice']} Appeal: {r['appeal_route']['en']}"
        )
