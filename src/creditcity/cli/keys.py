"""``creditcity keys ...``: make, list, revoke and rotate API keys while the server runs.

    creditcity keys create --role ROLE --principal ROLE:NAME [--service S ...]
                           [--scope SCOPE ...] [--label TEXT] [--expires DATE] [--json]
    creditcity keys list [--json]
    creditcity keys revoke ID
    creditcity keys rotate ID [--json]
    creditcity keys import FILE

A key is printed once, when made (``--json``: ``{"id": ..., "key": ...}``);
the database keeps only its SHA-256. Running servers pick up a new or
revoked key within a second or two, on every worker, without a restart.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.key_specs import KeySpec
    from creditcity.services.keys import IssuedKey

keys_app = typer.Typer(help="Make, list, revoke and rotate API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

KeyId = Annotated[str, typer.Argument(help="The key's id (from `creditcity keys list`).")]


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="source | provider | resident | operator")],
    principal: Annotated[
        str, typer.Option("--principal", help="ROLE:NAME, e.g. bank:west-lake or resident:<ID>")
    ],
    service: Annotated[
        list[str] | None,
        typer.Option("--service", help="A service the provider runs (repeatable)."),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A scope (repeatable); default: the role's scopes."),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="Shown in the portal.")] = "",
    expires: Annotated[
        str | None, typer.Option("--expires", help="Last moment of validity: YYYY-MM-DD[THH:MM].")
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Make a key and print it once (only its digest is kept)."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.keys import create_key

    with reported_errors(as_json):
        spec = _spec(role, principal, service or [], scope, label, _expiry(expires))
        issued = create_key(open_engine(database_url), spec)
        _show_issued(issued, as_json)


def _expiry(text: str | None) -> datetime | None:
    from creditcity.errors import InputRejected, Problem

    if text is None:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise InputRejected(
            "the expiry is not a date",
            problems=[
                Problem(f"'{text[:40]}'", field="--expires", expected="YYYY-MM-DD, e.g. 2027-12-31")
            ],
        ) from None


def _spec(
    role: str,
    principal: str,
    services: list[str],
    scopes: list[str] | None,
    label: str,
    expires_at: datetime | None,
) -> KeySpec:
    from creditcity.domain.subjects import is_national_id, pseudonymise
    from creditcity.errors import InputRejected
    from creditcity.services.decide import policy_for
    from creditcity.services.key_specs import check_spec

    settings = get_settings()
    prefix, _, name = principal.partition(":")
    if role == "resident" and prefix == "resident" and is_national_id(name):
        principal = f"resident:{pseudonymise(name, settings.pseudonym_secret)}"
    spec = check_spec(
        role=role,
        principal=principal,
        scopes=scopes,
        services=services,
        label=label,
        expires_at=expires_at,
        where="command line",
        known_services=policy_for(settings).services,
    )
    if isinstance(spec, list):
        raise InputRejected("the key was not made", problems=spec)
    return spec


def _show_issued(issued: IssuedKey, as_json: bool) -> None:
    def human() -> None:
        console.print(f"key {issued.id} for {issued.principal} ({issued.role}):")
        console.print(issued.key, markup=False)
        console.print("shown once: give it to its holder now; only its digest is kept", style="dim")

    emit(
        as_json,
        {"id": issued.id, "key": issued.key, "principal": issued.principal, "role": issued.role},
        human,
    )


@keys_app.command("list")
def list_(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Every key with its state (live, expired, revoked); never the keys themselves."""
    from rich.table import Table

    from creditcity.cli._wiring import open_engine
    from creditcity.services.keys import list_keys

    with reported_errors(as_json):
        rows = list_keys(open_engine(database_url))

        def human() -> None:
            table = Table(
                "id", "principal", "role", "state", "label", "services", "expires", box=None
            )
            for r in rows:
                expires = f"{r['expires_at']:%Y-%m-%d}" if r["expires_at"] else ""
                table.add_row(
                    r["id"],
                    r["principal"],
                    r["role"],
                    r["state"],
                    r["label"],
                    ", ".join(r["services"]),
                    expires,
                )
            console.print(table)

        emit(as_json, rows, human)


@keys_app.command("revoke")
def revoke(key_id: KeyId, database_url: DatabaseUrl = None) -> None:
    """End a key and the portal sessions signed in with it (servers refuse it within seconds)."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.keys import revoke_key

    with reported_errors():
        revoke_key(open_engine(database_url), key_id)
        console.print(f"key {key_id} revoked")


@keys_app.command("rotate")
def rotate(key_id: KeyId, database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """A new key for the same holder and rights; the old key ends at once."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.keys import rotate_key

    with reported_errors(as_json):
        issued = rotate_key(open_engine(database_url), key_id)
        _show_issued(issued, as_json)


@keys_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A TOML keys file ([[keys]] tables).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Add the keys of a keys file (those already present are left as they are)."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.keys import import_keys

    with reported_errors():
        report = import_keys(open_engine(database_url), file)
        console.print(f"{report.added} keys added, {report.already_present} already present")
