"""The exchange: publish this city's feed, serve it to peers, pull and apply theirs.

Publishing (:func:`publish_due`) turns outbox rows into signed batches and,
when the audit chain has moved, signs a checkpoint of its head into the
next batch. Serving (:func:`serve_feed`) answers only a peer that signed
its request. Receiving (:func:`receive_batches`) checks each batch in order
-- signature against the peer's keys, issuer, sequence (no gap, no replay,
no rewritten feed), every record's kind and fields -- and stores it in one
transaction with the advanced cursor, so a batch is applied exactly once
and a node that was down catches up from its cursor. A refused batch is
logged (``federation_refusals``, shown by ``federation peers list``) and
stops the pull from that peer until the cause is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from creditcity.config import Settings
from creditcity.domain.federation import (
    BatchRefused,
    Refusal,
    batch_hash,
    check_sequence,
    record_problems,
)
from creditcity.errors import Conflict, NotAuthorised, NotFound, Problem
from creditcity.ledger import federation_inbox as inbox
from creditcity.ledger import federation_outbox as outbox
from creditcity.ledger.audit import record_access
from creditcity.ledger.unit_of_work import UnitOfWork, announce_people_changed
from creditcity.metrics import count_federation_refusal
from creditcity.rights.federation_tokens import (
    claimed_issuer,
    open_batch,
    open_checkpoint,
    open_request,
    sign_batch,
    sign_checkpoint,
)
from creditcity.services.federation import keystore_for

__all__ = ["FEED_LIMIT", "Received", "publish_due", "receive_batches", "serve_feed"]

#: most batches one feed answer carries
FEED_LIMIT = 50
PURPOSE = "federation"


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def publish_due(engine: Engine, settings: Settings, *, now: datetime | None = None) -> int:
    """Publish every batch that is due now; returns how many were made."""
    now = now or now_utc()
    keystore = keystore_for(settings)
    made = 0
    with UnitOfWork(engine) as uow:
        outbox.capture_disputes(uow.conn, now)
        checkpoints = _Checkpoints(uow.conn, settings, now)
        while (
            published := outbox.publish(
                uow.conn,
                city=settings.city,
                signer=lambda claims: sign_batch(keystore, claims),
                checkpoint=checkpoints.due,
                now=now,
                limit=settings.federation_batch_records,
            )
        ) is not None:
            made += 1
            if published.records + published.disputes + published.skipped == 0:
                break
        uow.commit()
    return made


class _Checkpoints:
    """Signs the audit head into a batch when it moved: with records, or once an interval."""

    def __init__(self, conn: Connection, settings: Settings, now: datetime) -> None:
        self.conn = conn
        self.settings = settings
        self.now = now
        own = inbox.checkpoints(conn, settings.city)
        self.last_seq = int(own[-1]["seq"]) if own else 0
        self.last_at = datetime.fromisoformat(str(own[-1]["at"])) if own else None

    def due(self, seq: int, head: str, has_rows: bool) -> str | None:
        if seq <= self.last_seq:
            return None
        at = self.now.replace(tzinfo=UTC)
        interval = timedelta(seconds=self.settings.federation_checkpoint_seconds)
        if not has_rows and self.last_at is not None and at - self.last_at < interval:
            return None
        token = sign_checkpoint(keystore_for(self.settings), self.settings.city, seq, head, at)
        inbox.keep_checkpoint(
            self.conn,
            self.settings.city,
            {"seq": seq, "hash": head, "at": at.isoformat(), "token": token},
        )
        self.last_seq, self.last_at = seq, at
        return token


def serve_feed(
    engine: Engine, settings: Settings, request_token: str, after: int, limit: int = FEED_LIMIT
) -> dict[str, Any]:
    """The batches after ``after`` for the peer that signed ``request_token``."""
    with UnitOfWork(engine) as uow:
        known = {p.city: p.jwks for p in inbox.peers(uow.conn)}
        try:
            peer = open_request(request_token, known, settings.city)
        except BatchRefused as error:
            who = claimed_issuer(request_token) or "?"
            count_federation_refusal(str(error.reason))
            inbox.log_refusal(uow.conn, who, str(error.reason), None, error.message, now_utc())
            uow.commit()
            raise NotAuthorised(error.message, problems=error.problems) from None
    publish_due(engine, settings)
    with UnitOfWork(engine) as uow:
        batches = outbox.feed(uow.conn, after, max(1, min(limit, FEED_LIMIT)))
    return {"city": settings.city, "peer": peer, "after": after, "batches": batches}


@dataclass
class Received:
    """What one pull from a peer did."""

    peer: str
    accepted: int = 0
    records: int = 0
    pending: int = 0
    disputes: int = 0
    refused: list[BatchRefused] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "peer": self.peer,
            "batches": self.accepted,
            "records": self.records,
            "pending": self.pending,
            "disputes": self.disputes,
            "refused": [{"reason": str(e.reason), "message": e.message} for e in self.refused],
        }


def receive_batches(
    engine: Engine,
    settings: Settings,
    peer_city: str,
    tokens: Sequence[str],
) -> Received:
    """Verify and apply a peer's batches in order; the first refused one stops the rest."""
    report = Received(peer_city)
    with UnitOfWork(engine) as uow:
        peer = inbox.get_peer(uow.conn, peer_city)
        if peer is None:
            error = BatchRefused(
                Refusal.UNKNOWN_PEER,
                f"batches from {peer_city!r} refused: it is not a peer of {settings.city}; "
                f"add it with `creditcity federation peers add {peer_city} URL --jwks FILE`",
                problems=[Problem(peer_city, "federation", "peer", "a city in the peers list")],
            )
            count_federation_refusal(str(error.reason))
            inbox.log_refusal(
                uow.conn, peer_city, str(error.reason), None, error.message, now_utc()
            )
            uow.commit()
            report.refused.append(error)
            return report
    for token in tokens:
        if not _receive_one(engine, peer, token, report):
            break
    report.disputes = handle_inbound(engine, settings)
    announce_people_changed(engine, report.subjects)
    return report


def _receive_one(engine: Engine, peer: inbox.Peer, token: str, report: Received) -> bool:
    now = now_utc()
    with UnitOfWork(engine) as uow:
        inbox.lock_peer(uow.conn, peer.city)  # two pullers (workers, a sync) take turns
        held_seq, held_hash = inbox.cursor(uow.conn, peer.city)
        claims: dict[str, Any] = {}
        try:
            claims = open_batch(token, peer.jwks, peer.city)
            check_sequence(claims, peer=peer.city, held_seq=held_seq, held_hash=held_hash)
            _check_records(claims, peer.city)
            checkpoint = _checkpoint(claims, peer)
            accepted = inbox.accept_batch(
                uow.conn,
                peer=peer.city,
                seq=int(claims["seq"]),
                hash=batch_hash(token),
                claims=claims,
                checkpoint=checkpoint,
                now=now,
            )
        except BatchRefused as error:
            uow.rollback()
            seq = claims.get("seq") if isinstance(claims.get("seq"), int) else None
            count_federation_refusal(str(error.reason))
            inbox.log_refusal(uow.conn, peer.city, str(error.reason), seq, error.message, now)
            uow.commit()
            report.refused.append(error)
            return False
        except IntegrityError:
            uow.rollback()  # another puller took this batch first (SQLite): it is held once
            return False
        if accepted.applied or accepted.pending or claims.get("disputes"):
            # a batch carrying only a checkpoint is not audited: two idle peers would
            # otherwise move each other's audit heads, and so publish checkpoints, forever
            _audit(uow.conn, peer.city, int(claims["seq"]), accepted)
        uow.commit()
    report.accepted += 1
    report.records += accepted.applied
    report.pending += accepted.pending
    report.subjects |= accepted.subjects
    return True


def _check_records(claims: dict[str, Any], peer: str) -> None:
    records = claims.get("records", [])
    if not isinstance(records, list):
        records = [records]
    problems = [
        p
        for n, r in enumerate(records, start=1)
        for p in record_problems(r, f"batch {claims.get('seq')} from {peer}, record {n}")
    ]
    if problems:
        raise BatchRefused(
            Refusal.RECORD,
            f"batch {claims.get('seq')} from {peer} refused: {len(problems)} record problem(s)",
            problems=problems,
        )


def _checkpoint(claims: dict[str, Any], peer: inbox.Peer) -> dict[str, Any] | None:
    token = claims.get("checkpoint")
    if not token:
        return None
    opened = open_checkpoint(str(token), peer.jwks, peer.city)
    return {**opened, "token": token}


def _audit(conn: Any, peer: str, seq: int, accepted: inbox.Accepted) -> None:
    record_access(
        conn,
        actor=f"federation:{peer}",
        role="federation",
        purpose=PURPOSE,
        action="federation.batch_received",
        detail={"peer": peer, "seq": seq, "applied": accepted.applied, "pending": accepted.pending},
    )


def handle_inbound(engine: Engine, settings: Settings) -> int:
    """Open here the disputes peers forwarded about this city's records."""
    from creditcity.services.disputes import open_dispute

    with UnitOfWork(engine) as uow:
        waiting = inbox.unhandled_inbound(uow.conn)
        found = {
            i: inbox.entry_by_key(uow.conn, str(p.get("source")), str(p.get("key")))
            for i, _, p in waiting
        }
    opened = 0
    for inbound_id, peer, payload in waiting:
        target = found[inbound_id]
        if target is None:
            outcome = f"no record {payload.get('key')} of {payload.get('source')} here"
        else:
            try:
                dispute = open_dispute(
                    engine,
                    target[1],
                    target[0],
                    str(payload.get("statement") or "disputed in another city"),
                    settings=settings,
                    actor=f"federation:{peer}",
                )
                outcome = f"dispute {dispute.dispute_id} opened"
                opened += 1
            except (Conflict, NotFound) as error:
                outcome = error.message
        with UnitOfWork(engine) as uow:
            inbox.mark_handled(uow.conn, inbound_id, outcome, now_utc())
            uow.commit()
    return opened
