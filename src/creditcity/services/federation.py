"""Federation use cases for the operator: the city's key, its peers, and who is who.

A city is federated when ``CREDITCITY_FEDERATION_SECRET`` is set (the same in
every city of the federation). Its federation key is the city's Ed25519
signing key (the keystore under ``CREDITCITY_HOME``), published as a JWKS
that peers are given out of band (``federation key > city.jwks``) and add
with ``federation peers add CITY URL --jwks FILE``.

:func:`links_for` is called at the edges that see national IDs (file and
HTTP imports, and through :func:`person_named` decision requests) so that
each local pseudonym is paired with the person's federation pseudonym; that
pairing is what lets a record from another city find its person here, the
moment the person first appears, by whichever door
(:mod:`creditcity.ledger.arrivals`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.federation import federation_pseudonym
from creditcity.domain.subjects import is_national_id, pseudonymise, resolve_subject
from creditcity.errors import InputRejected, NotFound, Problem
from creditcity.ledger import federation_inbox as inbox
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.keystore import KeyStore

__all__ = [
    "PeerStatus",
    "add_peer",
    "city_jwks",
    "keystore_for",
    "links_for",
    "list_peers",
    "person_named",
    "remove_peer",
]

_CITY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
CITY_FORM = "lowercase letters, digits, '-' or '_', starting with a letter (e.g. suzhou)"


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def keystore_for(settings: Settings) -> KeyStore:
    """The city's signing keys (made on first use under ``CREDITCITY_HOME``)."""
    return KeyStore.open(settings.keys_dir or settings.home / "keys")


def city_jwks(settings: Settings) -> dict[str, Any]:
    """The public keys peers verify this city's batches and checkpoints with."""
    return {"city": settings.city, **keystore_for(settings).jwks()}


def links_for(national_ids: Iterable[object], settings: Settings) -> tuple[tuple[str, str], ...]:
    """(local pseudonym, federation pseudonym) of every national ID given; none if not federated."""
    secret = settings.federation_secret
    if secret is None:
        return ()
    seen = {str(n).strip() for n in national_ids if n is not None}
    return tuple(
        (pseudonymise(n, settings.pseudonym_secret), federation_pseudonym(n, secret))
        for n in sorted(seen)
        if is_national_id(n)
    )


def person_named(identifier: str, settings: Settings) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The local pseudonym of a person a caller names, and the link their name gives.

    A national ID in a federated city gives the (local, federation) pair that
    :func:`creditcity.ledger.arrivals.register_arrivals` links; a pseudonym
    gives none (it does not say who the person is). Raises ``InputRejected``
    for anything that is neither.
    """
    return resolve_subject(identifier, settings.pseudonym_secret), links_for([identifier], settings)


def _city(city: str) -> str:
    if not _CITY.match(city):
        raise InputRejected(
            f"'{city[:64]}' is not a city name",
            problems=[Problem(repr(city[:64]), "federation peers", "CITY", CITY_FORM)],
        )
    return city


def _read_jwks(path: Path) -> dict[str, Any]:
    where = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputRejected(
            "the peer's JWKS file cannot be read",
            problems=[Problem(str(error), where, "--jwks", "the output of `federation key`")],
        ) from None
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys:
        raise InputRejected(
            "the peer's JWKS holds no keys",
            problems=[
                Problem("no 'keys' list", where, "--jwks", '{"keys": [{"kty": "OKP", ...}]}')
            ],
        )
    return {"keys": keys}


def add_peer(engine: Engine, city: str, url: str, jwks_path: Path, settings: Settings) -> None:
    """Add (or update) a peer city: its feed URL and the public keys it signs with."""
    if city == settings.city:
        raise InputRejected(
            f"{city} is this city itself",
            problems=[Problem(city, "federation peers add", "CITY", "another city's name")],
        )
    if not url.startswith(("http://", "https://")):
        raise InputRejected(
            "the peer URL is not an http(s) URL",
            problems=[Problem(url[:200], "federation peers add", "URL", "http://host:port")],
        )
    jwks = _read_jwks(jwks_path)
    with UnitOfWork(engine) as uow:
        inbox.upsert_peer(uow.conn, _city(city), url.rstrip("/"), jwks, now_utc())
        uow.commit()


def remove_peer(engine: Engine, city: str) -> None:
    with UnitOfWork(engine) as uow:
        if not inbox.remove_peer(uow.conn, city):
            raise NotFound(f"{city} is not a peer; `creditcity federation peers list` shows them")
        uow.commit()


@dataclass(frozen=True, slots=True)
class PeerStatus:
    """A peer as the operator sees it: where its feed is read up to, and what was refused."""

    city: str
    url: str
    kids: tuple[str, ...]
    cursor: int
    refused: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "url": self.url,
            "kids": list(self.kids),
            "cursor": self.cursor,
            "refused": dict(self.refused),
        }


def list_peers(engine: Engine) -> list[PeerStatus]:
    with UnitOfWork(engine) as uow:
        counts = inbox.refusal_counts(uow.conn)
        out = []
        for peer in inbox.peers(uow.conn):
            refused = {r: n for (p, r), n in counts.items() if p == peer.city}
            kids = tuple(str(k.get("kid")) for k in peer.jwks.get("keys", []))
            out.append(
                PeerStatus(peer.city, peer.url, kids, inbox.cursor(uow.conn, peer.city)[0], refused)
            )
        return out
