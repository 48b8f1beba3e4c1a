"""``creditcity dispute ...``: contest a record, list disputes, resolve them, sweep deadlines.

    creditcity dispute open SUBJECT ENTRY_ID --statement TEXT
    creditcity dispute list [SUBJECT] [--status pending|upheld|rejected]
    creditcity dispute resolve DISPUTE_ID --upheld|--rejected --note TEXT [--by NAME]
    creditcity dispute sweep

Every change rescores the person once a model is trained (the runtime built by
:mod:`creditcity.bootstrap` subscribes rescoring to every commit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from creditcity.cli._app import (
    DatabaseUrl,
    JsonOut,
    app,
    console,
    emit,
    reported_errors,
)
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.disputes import DisputeRow

dispute_app = typer.Typer(
    help="Dispute a record; list, resolve and sweep disputes.", no_args_is_help=True
)
app.add_typer(dispute_app, name="dispute")

Subject = Annotated[str, typer.Argument(help="National ID or pseudonym (p_...).")]


def subject_of(text: str) -> str:
    from creditcity.domain.subjects import resolve_subject

    return resolve_subject(text, get_settings().pseudonym_secret)


@dispute_app.command("open")
def open_command(
    subject: Subject,
    entry_id: Annotated[int, typer.Argument(help="The entry id, as the access report lists it.")],
    statement: Annotated[str, typer.Option("--statement", help="What is wrong, in your words.")],
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Dispute one record: it stops counting at once, and its source is told."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.disputes import open_dispute

    with reported_errors(as_json):
        engine = open_engine(database_url)
        opened = open_dispute(
            engine,
            subject_of(subject),
            entry_id,
            statement,
            settings=get_settings(),
        )
        emit(as_json, opened.as_dict(), lambda: _print_one(opened, "opened"))


@dispute_app.command("list")
def list_command(
    subject: Annotated[str | None, typer.Argument(help="Only this person's disputes.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, upheld or rejected.")
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """List disputes, oldest first (overdue ones are upheld first)."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.disputes import list_disputes

    with reported_errors(as_json):
        engine = open_engine(database_url)
        found = list_disputes(
            engine,
            subject=subject_of(subject) if subject else None,
            status=status,
        )
        emit(as_json, [d.as_dict() for d in found], lambda: _print_list(found))


@dispute_app.command("resolve")
def resolve_command(
    dispute_id: Annotated[int, typer.Argument(help="The dispute id.")],
    note: Annotated[str, typer.Option("--note", help="Why, for the person and the source.")],
    upheld: Annotated[bool, typer.Option("--upheld", help="The record is wrong.")] = False,
    rejected: Annotated[bool, typer.Option("--rejected", help="The record stands.")] = False,
    by: Annotated[str, typer.Option("--by", help="Who resolves it.")] = "operator",
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Resolve a pending dispute: --upheld withdraws the record, --rejected keeps it."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.disputes import resolve_dispute

    if upheld == rejected:
        raise typer.BadParameter("give exactly one of --upheld or --rejected")
    with reported_errors(as_json):
        engine = open_engine(database_url)
        closed = resolve_dispute(engine, dispute_id, upheld=upheld, note=note, actor=by)
        emit(as_json, closed.as_dict(), lambda: _print_one(closed, closed.status))


@dispute_app.command("sweep")
def sweep_command(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Uphold every pending dispute whose deadline has passed."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.disputes import sweep

    with reported_errors(as_json):
        engine = open_engine(database_url)
        upheld = sweep(engine)
        emit(
            as_json,
            {"upheld": [d.as_dict() for d in upheld]},
            lambda: console.print(f"{len(upheld)} overdue dispute(s) upheld"),
        )


def _print_one(dispute: DisputeRow, verb: str) -> None:
    console.print(
        f"dispute {dispute.dispute_id} on entry {dispute.entry_id}: {verb}"
        + (f" (deadline {dispute.deadline:%Y-%m-%d})" if dispute.status == "pending" else "")
    )
    if dispute.resolution:
        console.print(f"  {dispute.resolution}", style="dim")


def _print_list(found: list[DisputeRow]) -> None:
    if not found:
        console.print("no disputes")
    for d in found:
        console.print(
            f"{d.dispute_id:>6}  {d.status:<8}  entry {d.entry_id:<8}  {d.subject}  "
            f"opened {d.opened_at:%Y-%m-%d}  deadline {d.deadline:%Y-%m-%d}"
        )
        console.print(f"        “{d.statement}”", style="dim")
