"""``creditcity consent grant|withdraw|list``: the register of voluntary sources.

creditcity consent grant SUBJECT SOURCE      # e.g. bank:west-lake
creditcity consent withdraw SUBJECT SOURCE
creditcity consent list SUBJECT
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.cli.dispute import Subject, subject_of

if TYPE_CHECKING:
    from creditcity.services.consent import ConsentState

consent_app = typer.Typer(
    help="Grant or withdraw consent for voluntary sources; list the register.",
    no_args_is_help=True,
)
app.add_typer(consent_app, name="consent")

Source = Annotated[str, typer.Argument(help="role:name of a bank, broker or card issuer.")]


@consent_app.command("grant")
def grant_command(
    subject: Subject, source: Source, database_url: DatabaseUrl = None, as_json: JsonOut = False
) -> None:
    """Let this source's voluntary records (spending totals, holdings) count."""
    _change("grant", subject, source, database_url, as_json)


@consent_app.command("withdraw")
def withdraw_command(
    subject: Subject, source: Source, database_url: DatabaseUrl = None, as_json: JsonOut = False
) -> None:
    """Stop this source's voluntary records counting, from the next score on."""
    _change("withdraw", subject, source, database_url, as_json)


def _change(action: str, subject: str, source: str, url: str | None, as_json: bool) -> None:
    from creditcity.cli._wiring import open_engine
    from creditcity.services import consent

    with reported_errors(as_json):
        engine = open_engine(url)
        change = consent.grant if action == "grant" else consent.withdraw
        state = change(engine, subject_of(subject), source)
        verb = "granted" if action == "grant" else "withdrawn"
        done = (
            f"consent {verb}" if state.changed else f"consent was already {verb}; nothing changed"
        )
        emit(as_json, state.as_dict(), lambda: _print(state, f"{source.strip()}: {done}"))


@consent_app.command("list")
def list_command(
    subject: Subject, database_url: DatabaseUrl = None, as_json: JsonOut = False
) -> None:
    """Show the person's consent register: every grant and withdrawal."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.consent import list_consents

    with reported_errors(as_json):
        state = list_consents(open_engine(database_url), subject_of(subject))
        emit(as_json, state.as_dict(), lambda: _print(state, None))


def _print(state: ConsentState, headline: str | None) -> None:
    if headline:
        console.print(headline)
    console.print(f"active consents: {', '.join(state.active) or 'none'}")
    for event in state.events:
        console.print(f"  {event.at:%Y-%m-%d %H:%M}  {event.action:<8}  {event.source}")
    console.print(state.note, style="dim")
