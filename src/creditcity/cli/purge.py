"""``creditcity purge [--as-of DATE]``: blank what may no longer be kept."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors

AsOf = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Day to purge as of; default today."),
]


@app.command()
def purge(as_of: AsOf = None, database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Blank the payload of records past retention; one tombstone in the audit log."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.purge import purge as run_purge

    with reported_errors(as_json):
        report = run_purge(open_engine(database_url), as_of=as_of.date() if as_of else None)

        def human() -> None:
            console.print(f"purged {report.count:,} record(s) past retention as of {report.as_of}")
            for kind, count in sorted(report.kinds.items()):
                console.print(f"  {kind:<24} {count:>10,}")

        emit(as_json, report.as_dict(), human)
