"""Pulling peers' feeds over HTTP: once (``federation sync``) or every interval (``serve``).

Each pull asks a peer for the batches after the cursor held here, signing
the request with this city's key, and hands them to
:func:`~creditcity.services.federation_exchange.receive_batches`; it asks
again while full pages come back, so a node that was down catches up in one
pull. Pulling is idempotent (the cursor and the received-batch log decide),
and with several ``serve`` workers only the one holding the puller lock file
under ``CREDITCITY_HOME`` pulls; another takes over if it stops.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.federation import BatchRefused, Refusal
from creditcity.errors import Problem
from creditcity.ledger import federation_inbox as inbox
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.metrics import count_federation_refusal
from creditcity.rights.federation_tokens import sign_request
from creditcity.services.federation import keystore_for
from creditcity.services.federation_exchange import (
    FEED_LIMIT,
    Received,
    now_utc,
    publish_due,
    receive_batches,
)

__all__ = ["Puller", "pull_peer", "sync"]

log = logging.getLogger("creditcity.federation")
FEED_PATH = "/v1/federation/batches"


def pull_peer(
    engine: Engine,
    settings: Settings,
    peer: inbox.Peer,
    client: httpx.Client,
) -> Received:
    """Everything ``peer`` published since the cursor, verified and applied."""
    total = Received(peer.city)
    while True:
        with UnitOfWork(engine) as uow:
            after = inbox.cursor(uow.conn, peer.city)[0]
        try:
            batches = _fetch(settings, peer, client, after)
        except BatchRefused as error:
            _log_unreachable(engine, peer.city, error)
            total.refused.append(error)
            return total
        got = receive_batches(engine, settings, peer.city, batches)
        _add(total, got)
        if got.refused or len(batches) < FEED_LIMIT:
            return total


def _fetch(settings: Settings, peer: inbox.Peer, client: httpx.Client, after: int) -> list[str]:
    token = sign_request(keystore_for(settings), settings.city, peer.city)
    try:
        answer = client.get(
            peer.url + FEED_PATH,
            params={"after": after, "limit": FEED_LIMIT},
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as error:
        raise _unreachable(peer, f"cannot reach {peer.url}: {error}") from None
    if answer.status_code != 200:
        raise _unreachable(peer, f"{peer.url} answered {answer.status_code}: {answer.text[:300]}")
    body = answer.json()
    if body.get("city") != peer.city:
        raise BatchRefused(
            Refusal.UNKNOWN_PEER,
            f"the feed at {peer.url} is {body.get('city')!r}'s, not {peer.city!r}'s",
            problems=[Problem(repr(body.get("city")), peer.url, "city", peer.city)],
        )
    return [str(b) for b in body.get("batches", [])]


def _unreachable(peer: inbox.Peer, message: str) -> BatchRefused:
    return BatchRefused(
        Refusal.UNREACHABLE,
        message,
        problems=[Problem(message, peer.url, "url", "a reachable feed")],
    )


def _log_unreachable(engine: Engine, peer: str, error: BatchRefused) -> None:
    with UnitOfWork(engine) as uow:
        count_federation_refusal(str(error.reason))
        inbox.log_refusal(uow.conn, peer, str(error.reason), None, error.message, now_utc())
        uow.commit()


def _add(total: Received, got: Received) -> None:
    total.accepted += got.accepted
    total.records += got.records
    total.pending += got.pending
    total.disputes += got.disputes
    total.refused.extend(got.refused)
    total.subjects |= got.subjects


def sync(
    engine: Engine,
    settings: Settings,
    *,
    client: httpx.Client | None = None,
) -> list[Received]:
    """Publish what is due here, then pull every peer once."""
    publish_due(engine, settings)
    with UnitOfWork(engine) as uow:
        peers = inbox.peers(uow.conn)
    own = client is None
    http = client or httpx.Client(timeout=10.0)
    try:
        return [pull_peer(engine, settings, p, http) for p in peers]
    finally:
        if own:
            http.close()


class Puller:
    """A daemon thread that syncs every ``interval`` seconds while it holds the puller lock."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        interval: float,
        *,
        lock_path: Path | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._interval = interval
        self._lock_path = lock_path or settings.home / "federation-puller.lock"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="federation-puller", daemon=True)
        self._lock: IO[str] | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while not self._stop.is_set():
                if self._leader():
                    self._tick(client)
                self._stop.wait(self._interval)
        if self._lock is not None:
            self._lock.close()

    def _tick(self, client: httpx.Client) -> None:
        try:
            sync(self._engine, self._settings, client=client)
        except Exception:  # a bad tick must not end the puller; the next one retries
            log.exception("federation pull failed")

    def _leader(self) -> bool:
        if self._lock is not None:
            return True
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = self._lock_path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock = handle
        return True


def puller_for(engine: Engine, settings: Settings, interval: float) -> Puller | None:
    """A started puller when the city is federated and the interval is above 0."""
    if settings.federation_secret is None or interval <= 0:
        return None
    puller = Puller(engine, settings, interval)
    puller.start()
    return puller
