"""``creditcity federation key | peers add|list|remove | sync``: the city among its peers.

``key`` prints the city's federation public key as a JWKS (give it to the
peers' operators); ``peers add CITY URL --jwks FILE`` trusts a peer's feed
and keys; ``peers list`` shows each peer's cursor and refused batches by
reason; ``sync`` publishes what is due and pulls every peer once
(``serve`` does the same every ``--federation-interval`` seconds).
Exit 0 on success, 1 when something was refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.federation import PeerStatus
    from creditcity.services.federation_exchange import Received

federation_app = typer.Typer(
    help="Exchange adjudicated records with peer cities.", no_args_is_help=True
)
peers_app = typer.Typer(help="The peer cities this city trusts.", no_args_is_help=True)
app.add_typer(federation_app, name="federation")
federation_app.add_typer(peers_app, name="peers")

City = Annotated[str, typer.Argument(help="The peer's city name (its CREDITCITY_CITY).")]


@federation_app.command("key")
def key() -> None:
    """Print this city's federation public keys (JWKS) for its peers."""
    from creditcity.services.federation import city_jwks

    with reported_errors():
        sys.stdout.write(json.dumps(city_jwks(get_settings()), indent=2) + "\n")


@peers_app.command("add")
def add(
    city: City,
    url: Annotated[str, typer.Argument(help="The peer's base URL, e.g. http://10.0.0.5:8000.")],
    jwks: Annotated[
        Path,
        typer.Option(
            "--jwks", help="The peer's `federation key` output.", exists=True, dir_okay=False
        ),
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Trust a peer city: its feed URL and the keys it signs with."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.federation import add_peer

    with reported_errors():
        add_peer(open_engine(database_url), city, url, jwks, get_settings())
        console.print(f"peer {city} added ({url})")


@peers_app.command("list")
def list_(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Every peer, where its feed is read up to, and batches refused by reason."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.federation import list_peers

    with reported_errors(as_json):
        found = list_peers(open_engine(database_url))
        emit(as_json, {"peers": [p.as_dict() for p in found]}, lambda: _print_peers(found))


@peers_app.command("remove")
def remove(city: City, database_url: DatabaseUrl = None) -> None:
    """Stop trusting a peer (what it sent stays in the ledger)."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.federation import remove_peer

    with reported_errors():
        remove_peer(open_engine(database_url), city)
        console.print(f"peer {city} removed")


@federation_app.command("sync")
def sync(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Publish what is due, then pull every peer once; exit 1 if a batch was refused."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.federation_pull import sync as run_sync

    with reported_errors(as_json):
        engine = open_engine(database_url)
        pulled = run_sync(engine, get_settings())
        emit(as_json, {"peers": [r.as_dict() for r in pulled]}, lambda: _print_sync(pulled))
    if any(r.refused for r in pulled):
        raise typer.Exit(1)


def _print_peers(found: list[PeerStatus]) -> None:
    if not found:
        console.print(
            "no peers; add one with `creditcity federation peers add CITY URL --jwks FILE`"
        )
    for p in found:
        refused = ", ".join(f"{r} {n}" for r, n in sorted(p.refused.items())) or "none"
        console.print(f"{p.city:<16} {p.url:<32} batches held {p.cursor:<8} refused: {refused}")


def _print_sync(pulled: list[Received]) -> None:
    for r in pulled:
        console.print(
            f"{r.peer}: {r.accepted} batch(es), {r.records} record(s) applied, "
            f"{r.pending} kept for people not seen here, {r.disputes} dispute(s) opened"
        )
        for error in r.refused:
            console.print(f"  refused ({error.reason}): {error}", style="bold red")
