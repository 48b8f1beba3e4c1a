"""What this city keeps of its peers: who they are, how far their feed was read, what came in.

:func:`accept_batch` stores one verified batch in the caller's transaction:
the received-batch log row (primary key peer + seq, so a batch is taken
exactly once), the advanced cursor, each record and each forwarded dispute.
A record about a person seen here (a link from their federation pseudonym to
a local pseudonym exists) becomes a ledger entry of that person at once; one
about a stranger waits in ``federation_pending`` under the federation
pseudonym until :func:`register_links` sees the person arrive by national ID.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from creditcity.domain.federation import WireRecord, local_key, parse_wire
from creditcity.domain.records import ENTRY_ARROW_SCHEMA, entries_from_rows, validate_row
from creditcity.errors import InputRejected
from creditcity.ledger.entries import append_batch
from creditcity.ledger.tables import (
    entries,
    federation_checkpoints,
    federation_cursors,
    federation_inbound,
    federation_links,
    federation_peers,
    federation_pending,
    federation_received,
    federation_records,
    federation_refusals,
)

__all__ = [
    "Peer",
    "accept_batch",
    "cursor",
    "get_peer",
    "log_refusal",
    "peers",
    "refusal_counts",
    "register_links",
    "remove_peer",
    "upsert_peer",
]


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


@dataclass(frozen=True, slots=True)
class Peer:
    city: str
    url: str
    jwks: Mapping[str, Any]
    added_at: datetime


def upsert_peer(
    conn: Connection, city: str, url: str, jwks: Mapping[str, Any], now: datetime
) -> None:
    statement = _insert(conn)(federation_peers).values(
        city=city, url=url, jwks=dict(jwks), added_at=now
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["city"], set_={"url": url, "jwks": dict(jwks)}
        )
    )


def remove_peer(conn: Connection, city: str) -> bool:
    return bool(
        conn.execute(delete(federation_peers).where(federation_peers.c.city == city)).rowcount
    )


def peers(conn: Connection) -> list[Peer]:
    rows = conn.execute(select(federation_peers).order_by(federation_peers.c.city))
    return [Peer(r.city, r.url, r.jwks, r.added_at) for r in rows]


def get_peer(conn: Connection, city: str) -> Peer | None:
    row = conn.execute(select(federation_peers).where(federation_peers.c.city == city)).first()
    return None if row is None else Peer(row.city, row.url, row.jwks, row.added_at)


def lock_peer(conn: Connection, peer: str) -> None:
    """Serialise pulls of one peer's feed in this transaction (PostgreSQL; SQLite: one writer)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7411505, hashtext(:p))"), {"p": peer})


def cursor(conn: Connection, peer: str) -> tuple[int, str]:
    """(seq, hash) of the last batch accepted from ``peer``; (0, "") before any."""
    row = conn.execute(
        select(federation_cursors.c.seq, federation_cursors.c.hash).where(
            federation_cursors.c.peer == peer
        )
    ).first()
    return (0, "") if row is None else (int(row[0]), str(row[1]))


def log_refusal(
    conn: Connection, peer: str, reason: str, seq: int | None, message: str, now: datetime
) -> None:
    conn.execute(
        insert(federation_refusals),
        {"at": now, "peer": peer, "reason": reason, "batch_seq": seq, "message": message[:4000]},
    )


def refusal_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """Refused batches and requests by (peer, reason), for metrics and the operator."""
    rows = conn.execute(
        select(federation_refusals.c.peer, federation_refusals.c.reason, func.count()).group_by(
            federation_refusals.c.peer, federation_refusals.c.reason
        )
    )
    return {(str(p), str(r)): int(n) for p, r, n in rows}


@dataclass(frozen=True, slots=True)
class Accepted:
    """What one batch did here: entries added now, records kept for strangers, people changed."""

    applied: int
    pending: int
    subjects: set[str]


def accept_batch(
    conn: Connection,
    *,
    peer: str,
    seq: int,
    hash: str,
    claims: Mapping[str, Any],
    checkpoint: Mapping[str, Any] | None,
    now: datetime,
) -> Accepted:
    """Store a batch already verified (signature and sequence) in the caller's transaction."""
    records = [parse_wire(r) for r in claims.get("records", [])]
    conn.execute(
        insert(federation_received),
        {"peer": peer, "seq": seq, "hash": hash, "records": len(records), "received_at": now},
    )
    statement = _insert(conn)(federation_cursors).values(
        peer=peer, seq=seq, hash=hash, updated_at=now
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["peer"], set_={"seq": seq, "hash": hash, "updated_at": now}
        )
    )
    accepted = _apply(conn, peer, records, now)
    disputes = [d for d in claims.get("disputes", []) if isinstance(d, Mapping)]
    if disputes:
        conn.execute(
            insert(federation_inbound),
            [{"peer": peer, "payload": dict(d), "received_at": now} for d in disputes],
        )
    if checkpoint is not None:
        keep_checkpoint(conn, peer, checkpoint)
    return accepted


def keep_checkpoint(conn: Connection, peer: str, checkpoint: Mapping[str, Any]) -> None:
    values = {
        "peer": peer,
        "seq": int(checkpoint["seq"]),
        "hash": str(checkpoint["hash"]),
        "at": str(checkpoint["at"]),
        "token": str(checkpoint["token"]),
    }
    conn.execute(_insert(conn)(federation_checkpoints).values(values).on_conflict_do_nothing())


def checkpoints(conn: Connection, peer: str) -> list[Mapping[str, Any]]:
    rows = conn.execute(
        select(federation_checkpoints)
        .where(federation_checkpoints.c.peer == peer)
        .order_by(federation_checkpoints.c.seq)
    )
    return [dict(r._mapping) for r in rows]


def _links_of(conn: Connection, federation_subjects: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(federation_subjects))
    if not wanted:
        return {}
    rows = conn.execute(
        select(federation_links.c.federation_subject, federation_links.c.subject).where(
            federation_links.c.federation_subject.in_(wanted)
        )
    )
    return {str(f): str(s) for f, s in rows}


def _apply(conn: Connection, peer: str, records: Sequence[WireRecord], now: datetime) -> Accepted:
    links = _links_of(conn, (r.subject for r in records))
    linked = [(r, links[r.subject]) for r in records if r.subject in links]
    strangers = [r for r in records if r.subject not in links]
    if strangers:
        conn.execute(
            insert(federation_pending),
            [
                {
                    "federation_subject": r.subject,
                    "peer": peer,
                    "record": _as_json(r),
                    "received_at": now,
                }
                for r in strangers
            ],
        )
    _append(conn, peer, linked, now)
    return Accepted(len(linked), len(strangers), {s for _, s in linked})


def _as_json(record: WireRecord) -> dict[str, Any]:
    return {
        "kind": record.kind,
        "source": record.source,
        "key": record.key,
        "subject": record.subject,
        "occurred_at": record.occurred_at.isoformat(),
        "supersedes": record.supersedes,
        **dict(record.fields),
    }


def _append(
    conn: Connection, peer: str, linked: Sequence[tuple[WireRecord, str]], now: datetime
) -> None:
    """Entries of local people, validated like any record, under keys prefixed by the peer."""
    if not linked:
        return
    rows = []
    for record, subject in linked:
        row = {
            "source": record.source,
            "idempotency_key": local_key(peer, record.key),
            "subject": subject,
            "kind": record.kind,
            "occurred_at": record.occurred_at,
            "city": peer,
            "supersedes": None if record.supersedes is None else local_key(peer, record.supersedes),
            **dict(record.fields),
        }
        where = f"record {record.key} from {peer}"
        checked = validate_row(row, where, "", now)
        if isinstance(checked, list):
            raise InputRejected(
                f"the {where} was refused by the record catalogue", problems=checked
            )
        rows.append(checked)
    append_batch(conn, entries_from_rows(rows, ENTRY_ARROW_SCHEMA), now, share=False)
    conn.execute(
        _insert(conn)(federation_records).on_conflict_do_nothing(),
        [
            {
                "source": r.source,
                "idempotency_key": local_key(peer, r.key),
                "peer": peer,
                "origin_key": r.key,
                "federation_subject": r.subject,
            }
            for r, _ in linked
        ],
    )


def register_links(conn: Connection, pairs: Iterable[tuple[str, str]], now: datetime) -> set[str]:
    """Remember (local, federation) pseudonym pairs; apply records that waited for them.

    Returns the local subjects whose file just gained records from peers.
    """
    values = [{"subject": s, "federation_subject": f} for s, f in sorted(set(pairs))]
    if not values:
        return set()
    conn.execute(_insert(conn)(federation_links).on_conflict_do_nothing(), values)
    waiting = conn.execute(
        select(federation_pending)
        .where(
            federation_pending.c.federation_subject.in_(
                sorted({v["federation_subject"] for v in values})
            )
        )
        .order_by(federation_pending.c.pending_id)
    ).all()
    if not waiting:
        return set()
    links = _links_of(conn, (w.federation_subject for w in waiting))
    touched: set[str] = set()
    for peer in sorted({w.peer for w in waiting}):
        linked = [
            (parse_wire(w.record), links[w.federation_subject]) for w in waiting if w.peer == peer
        ]
        _append(conn, peer, linked, now)
        touched |= {s for _, s in linked}
    conn.execute(
        delete(federation_pending).where(
            federation_pending.c.pending_id.in_([w.pending_id for w in waiting])
        )
    )
    return touched


def unhandled_inbound(conn: Connection) -> list[tuple[int, str, Mapping[str, Any]]]:
    rows = conn.execute(
        select(
            federation_inbound.c.inbound_id, federation_inbound.c.peer, federation_inbound.c.payload
        )
        .where(federation_inbound.c.handled_at.is_(None))
        .order_by(federation_inbound.c.inbound_id)
    )
    return [(int(i), str(p), dict(payload)) for i, p, payload in rows]


def mark_handled(conn: Connection, inbound_id: int, outcome: str, now: datetime) -> None:
    conn.execute(
        federation_inbound.update()
        .where(federation_inbound.c.inbound_id == inbound_id)
        .values(handled_at=now, outcome=outcome[:4000])
    )


def entry_by_key(conn: Connection, source: str, key: str) -> tuple[int, str] | None:
    """(entry_id, subject) of this city's entry ``key`` of ``source``."""
    row = conn.execute(
        select(entries.c.entry_id, entries.c.subject).where(
            entries.c.source == source, entries.c.idempotency_key == key
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))
