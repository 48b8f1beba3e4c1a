"""``creditcity certificate ...``: signed credit certificates and the city's signing keys.

``verify`` is the landlord's or matchmaking site's command: it needs only the
token and the city's published JWKS file (and, optionally, a revocation list),
never the network or the database. Exit 0 prints what the certificate states;
exit 1 prints why it was rejected. The other commands are the city's: they
use the key directory (``--keys``, default ``<CREDITCITY_HOME>/keys``).
``issue`` reads the tier from the person's stored score and ``revoke`` checks
that the certificate was issued to the person revoking it; both are audited.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from creditcity.cli._app import DatabaseUrl, JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings
from creditcity.errors import InputRejected, Problem

if TYPE_CHECKING:
    # Signing and verifying pull in cryptography and PyJWT: imported when a command runs.
    from creditcity.rights.certificates import CertificateClaims
    from creditcity.rights.holder import HolderProof
    from creditcity.rights.keystore import KeyStore

certificate_app = typer.Typer(
    help="Issue, verify and revoke signed credit certificates; publish and rotate the keys.",
    no_args_is_help=True,
)
app.add_typer(certificate_app, name="certificate")

KeysDir = Annotated[
    Path | None,
    typer.Option(
        "--keys", help="Key directory; default: <CREDITCITY_HOME>/keys.", show_default=False
    ),
]


def _store(keys: Path | None) -> KeyStore:
    from creditcity.rights.keystore import KeyStore

    settings = get_settings()
    return KeyStore.open(keys or settings.keys_dir or settings.home / "keys")


@certificate_app.command("issue")
def issue(
    subject: Annotated[
        str, typer.Argument(help="National ID or pseudonym of the holder.", show_default=False)
    ],
    audience: Annotated[
        str | None, typer.Option(help="The one verifier it is for, e.g. landlord:anju.")
    ] = None,
    ttl_days: Annotated[int, typer.Option("--ttl-days", min=1, max=366)] = 30,
    bind_id: Annotated[
        str | None,
        typer.Option("--bind-id", help="Bind it to this national ID; prints the holder code."),
    ] = None,
    keys: KeysDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Sign a certificate of the person's current tier (from their stored score), nothing more."""
    from creditcity.cli._wiring import open_engine
    from creditcity.cli.dispute import subject_of
    from creditcity.rights.holder import bind_holder
    from creditcity.services.certify import issue_for

    with reported_errors(as_json):
        binding = bind_holder(bind_id) if bind_id else None
        issued = issue_for(
            open_engine(database_url),
            _store(keys),
            subject_of(subject),
            settings=get_settings(),
            audience=audience,
            ttl=timedelta(days=ttl_days),
            holder=binding,
        )
        code = binding.code if binding else None
        payload = {**issued.as_dict(), "holder_code": code}
        emit(as_json, payload, lambda: _print_issued(issued.token, issued.claims, code))


def _print_issued(token: str, claims: CertificateClaims, code: str | None) -> None:
    console.print(token)
    console.print(
        f"tier {claims.tier}, {claims.city}, valid until "
        f"{claims.expires_at.isoformat()}, for {claims.audience or 'any verifier'}; "
        f"id {claims.jti}",
        style="dim",
    )
    if code:
        console.print(f"holder code (give it only to the holder): {code}", style="bold")


@certificate_app.command("verify")
def verify_command(
    token: Annotated[
        str, typer.Argument(help="The certificate, or - to read it from stdin.", show_default=False)
    ],
    jwks: Annotated[
        Path,
        typer.Option(
            "--jwks",
            help="The city's published JWKS file.",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ],
    audience: Annotated[str | None, typer.Option(help="Who you are, e.g. landlord:anju.")] = None,
    revocations: Annotated[
        Path | None,
        typer.Option(help="A signed revocation list file.", exists=True, dir_okay=False),
    ] = None,
    holder_id: Annotated[str | None, typer.Option(help="The ID on the holder's card.")] = None,
    holder_code: Annotated[str | None, typer.Option(help="The holder code they gave.")] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Verify a certificate offline against the city's public keys."""
    from creditcity.rights.certificates import verify

    with reported_errors(as_json):
        text = sys.stdin.read() if token == "-" else token
        proof = _holder_proof(holder_id, holder_code)
        listed = revocations.read_text(encoding="utf-8") if revocations else None
        claims = verify(text, _read_jwks(jwks), audience=audience, revocations=listed, holder=proof)
        emit(as_json, {"valid": True, **claims.as_dict()}, lambda: _print_valid(claims))


def _holder_proof(national_id: str | None, code: str | None) -> HolderProof | None:
    from creditcity.rights.holder import HolderProof

    if (national_id is None) != (code is None):
        raise InputRejected(
            "a holder check needs both the ID and the holder code",
            problems=[
                Problem(
                    message="only one of them was given",
                    field="holder_code" if code is None else "holder_id",
                    expected="--holder-id ID --holder-code CODE, or neither",
                )
            ],
        )
    return HolderProof(national_id, code) if national_id and code else None


def _read_jwks(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InputRejected(
            "the JWKS file is not JSON",
            problems=[
                Problem(
                    message=str(error),
                    where=str(path),
                    expected="the output of `creditcity certificate jwks`",
                )
            ],
        ) from error
    if not isinstance(document, dict):
        raise InputRejected(
            "the JWKS file is not a key set",
            problems=[Problem(message="not a JSON object", where=str(path))],
        )
    return document


def _print_valid(claims: CertificateClaims) -> None:
    holder = (
        "checked against the ID shown"
        if claims.holder_checked
        else "bound to a holder (not checked)"
        if claims.holder_bound
        else "not bound"
    )
    console.print(f"VALID: tier {claims.tier}, city {claims.city}", style="bold green")
    console.print(
        f"expires {claims.expires_at.isoformat()}; audience "
        f"{claims.audience or 'any'}; holder {holder}; id {claims.jti}"
    )


@certificate_app.command("jwks")
def jwks_command(keys: KeysDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the city's public keys (JWKS) for verifiers to hold."""
    with reported_errors():
        sys.stdout.write(json.dumps(_store(keys).jwks(), indent=2) + "\n")


@certificate_app.command("rotate")
def rotate(
    keys: KeysDir = None, database_url: DatabaseUrl = None, as_json: JsonOut = False
) -> None:
    """Make a new signing key; old public keys stay published until their certificates expire."""
    with reported_errors(as_json):
        store = _store(keys)
        old = store.active_kid
        new = store.rotate()
        emit(
            as_json,
            {"active": new, "retired": old},
            lambda: console.print(f"new active key {new}; retired {old} (still published)"),
        )


@certificate_app.command("revoke")
def revoke(
    jti: Annotated[str, typer.Argument(help="The certificate id (jti).", show_default=False)],
    subject: Annotated[
        str,
        typer.Option("--subject", help="The holder it was issued to (ID or pseudonym)."),
    ],
    keys: KeysDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Revoke a certificate of its holder; publish the list with `certificate revocations`."""
    from creditcity.cli._wiring import open_engine
    from creditcity.cli.dispute import subject_of
    from creditcity.services.certify import revoke_for

    with reported_errors(as_json):
        added = revoke_for(open_engine(database_url), _store(keys), subject_of(subject), jti)
        emit(
            as_json,
            {"jti": jti, "revoked": True, "new": added},
            lambda: console.print(f"{jti}: {'revoked' if added else 'already revoked'}"),
        )


@certificate_app.command("revocations")
def revocations_command(keys: KeysDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the signed revocation list for verifiers to hold."""
    from creditcity.cli._wiring import open_engine
    from creditcity.rights.revocation import sign_revocation_list
    from creditcity.services.certify import all_revoked

    with reported_errors():
        store = _store(keys)
        jtis = all_revoked(open_engine(database_url), store)
        sys.stdout.write(sign_revocation_list(store, jtis, city=get_settings().city) + "\n")
