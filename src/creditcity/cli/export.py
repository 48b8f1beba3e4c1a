"""``creditcity export entries --out DIR [--partitions N]``: the live ledger as Parquet.

Files ``part-NNNNN.parquet`` partitioned by subject hash (every entry of a
person in one file), ready for ``score --snapshot DIR --partitioned`` or a
Spark job (``score --snapshot DIR --engine spark``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors

export_app = typer.Typer(help="Export the ledger for engines elsewhere.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("entries")
def entries(
    out: Annotated[Path, typer.Option("--out", help="Directory for the Parquet files.")],
    partitions: Annotated[
        int, typer.Option("--partitions", help="Files, by subject hash.", min=1, max=65_536)
    ] = 16,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Write every live entry (no consent-based or disputed ones) partitioned by subject hash."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.export_entries import export_entries

    with reported_errors(as_json):
        run = export_entries(open_engine(database_url), out, partitions=partitions)
        emit(
            as_json,
            run.as_dict(),
            lambda: console.print(
                f"exported {run.entries:,} live entries into {run.files} file(s) under {out}"
            ),
        )
