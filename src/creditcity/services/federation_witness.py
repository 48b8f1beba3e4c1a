"""Witnessed audit chains: prove this city's log unchanged up to every checkpoint its peers kept.

Each batch this city publishes carries a signed checkpoint of its audit
chain head; peers keep those checkpoints (``federation_checkpoints``). To
verify, this city asks every peer for the checkpoints it holds
(``GET /v1/federation/checkpoints``), keeps only those that verify against
its own keys (a peer cannot invent one), adds the ones it published itself,
and checks the chain against all of them: a row rewritten and rehashed after
a peer saw a checkpoint is found, even if this city's own copy of its
checkpoints was rewritten too. A peer that serves checkpoints answers only
its peers, and only with checkpoints of the city asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.federation import BatchRefused
from creditcity.errors import NotAuthorised
from creditcity.ledger import federation_inbox as inbox
from creditcity.ledger.audit import chain
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.federation_tokens import open_checkpoint, open_request, sign_request
from creditcity.rights.witness import Checkpoint, WitnessReport, verify_witnessed
from creditcity.services.federation import keystore_for

__all__ = ["CHECKPOINTS_PATH", "WitnessedVerdict", "verify_witnessed_log", "witnessed_for"]

CHECKPOINTS_PATH = "/v1/federation/checkpoints"


def witnessed_for(engine: Engine, settings: Settings, request_token: str) -> dict[str, Any]:
    """The checkpoints this city keeps of the peer that signed ``request_token``."""
    with UnitOfWork(engine) as uow:
        known = {p.city: p.jwks for p in inbox.peers(uow.conn)}
        try:
            peer = open_request(request_token, known, settings.city)
        except BatchRefused as error:
            raise NotAuthorised(error.message, problems=error.problems) from None
        kept = inbox.checkpoints(uow.conn, peer)
    return {"city": settings.city, "of": peer, "checkpoints": [str(c["token"]) for c in kept]}


@dataclass(frozen=True, slots=True)
class WitnessedVerdict:
    report: WitnessReport
    #: peers asked, and what each answered (a count, or why it could not be asked)
    witnesses: dict[str, str]

    @property
    def intact(self) -> bool:
        return self.report.intact

    def as_dict(self) -> dict[str, Any]:
        return {**self.report.as_dict(), "witnesses": dict(self.witnesses)}


def verify_witnessed_log(
    engine: Engine, settings: Settings, *, client: httpx.Client | None = None
) -> WitnessedVerdict:
    """The chain checked against its own and every reachable peer's checkpoints."""
    jwks = keystore_for(settings).jwks()
    with UnitOfWork(engine) as uow:
        peers = inbox.peers(uow.conn)
        own = [
            Checkpoint(int(c["seq"]), str(c["hash"]), str(c["at"]), settings.city)
            for c in inbox.checkpoints(uow.conn, settings.city)
        ]
    found: list[Checkpoint] = list(own)
    witnesses: dict[str, str] = {}
    http = client or httpx.Client(timeout=10.0)
    try:
        for peer in peers:
            try:
                tokens = _ask(http, settings, peer)
            except (httpx.HTTPError, ValueError) as error:
                witnesses[peer.city] = f"not asked: {error}"
                continue
            checked = [_checked(t, jwks, settings.city, peer.city) for t in tokens]
            kept = [c for c in checked if c is not None]
            witnesses[peer.city] = f"{len(kept)} checkpoint(s)"
            found.extend(kept)
    finally:
        if client is None:
            http.close()
    with UnitOfWork(engine) as uow:
        report = verify_witnessed(chain(uow.conn), found)
    return WitnessedVerdict(report, witnesses)


def _ask(http: httpx.Client, settings: Settings, peer: inbox.Peer) -> list[str]:
    token = sign_request(keystore_for(settings), settings.city, peer.city)
    answer = http.get(peer.url + CHECKPOINTS_PATH, headers={"Authorization": f"Bearer {token}"})
    if answer.status_code != 200:
        raise ValueError(f"{peer.url} answered {answer.status_code}: {answer.text[:200]}")
    return [str(t) for t in answer.json().get("checkpoints", [])]


def _checked(token: str, jwks: dict[str, Any], city: str, witness: str) -> Checkpoint | None:
    try:
        claims = open_checkpoint(token, jwks, city)
    except BatchRefused:
        return None  # not signed by this city: the witness's word alone proves nothing
    return Checkpoint(int(claims["seq"]), str(claims["hash"]), str(claims["at"]), witness)
