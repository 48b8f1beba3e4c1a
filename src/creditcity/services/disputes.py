"""Disputes: a person contests a record, the source is told, the city decides in time.

While a dispute is ``pending`` its record is left out of features and
decisions (:mod:`creditcity.ledger.exclusions` reads the pending ids).
Upheld, the record is withdrawn by a ``retraction`` entry of the *same*
source (``supersedes`` = its key, idempotency key ``dispute-<id>``): the
original stays in the ledger, it just stops being current. Rejected, it
counts again and the person's statement stays attached to it in their report.
A dispute nobody answers by its deadline is upheld: the burden of proof is
on the record, not on the person. That sweep runs on ``dispute sweep`` and
before disputes are read here; a live rescore calls :func:`sweep_if_due`,
which skips the sweep while no pending dispute can be overdue yet.

Limits per person (settings ``dispute_max_open``, ``dispute_max_per_month``)
refuse a dispute past them with :class:`TooMany` (429, with when to try
again). Disputes opened in bulk — past ``dispute_bulk_after`` within a day —
are queued for the office's ``review`` instead: their records keep counting
until someone decides, and the deadline upholds none of them, so opening
fifty disputes at once no longer lifts a score by itself.

Every action is audited and the source hears of it through the outbox; the
people whose file changed are announced after the commit (the unit of work's
after-commit event, to which :mod:`creditcity.bootstrap` subscribes rescoring).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from creditcity.config import Settings
from creditcity.domain.records import ENTRY_ARROW_SCHEMA, entries_from_rows, validate_row
from creditcity.domain.storable import EXPECTED, unstorable
from creditcity.errors import Conflict, InputRejected, NotFound, Problem, TooMany
from creditcity.ledger import disputes as store
from creditcity.ledger.audit import record_access
from creditcity.ledger.disputes import DisputeRow as DisputeRow  # the type callers see
from creditcity.ledger.entries import append_batch
from creditcity.ledger.exclusions import PENDING
from creditcity.ledger.unit_of_work import UnitOfWork

MAX_STATEMENT = 4000
DEADLINE_ACTOR = "creditcity:deadline"
PURPOSE = "dispute"
MONTH = timedelta(days=30)
DAY = timedelta(days=1)


def utc_now() -> datetime:
    """Naive UTC, as the ledger's DateTime columns store it."""
    return datetime.now(UTC).replace(tzinfo=None)


def deadline_days(settings: Settings) -> int:
    """The operator's policy sets the deadline; without a policy file, the settings do."""
    if settings.policy_path is not None:
        from creditcity.domain.policy import load_policy

        return load_policy(settings.policy_path).dispute_deadline_days
    return settings.dispute_deadline_days


def _text(value: str, field: str, what: str) -> str:
    text = value.strip()
    if why := unstorable(text):
        raise InputRejected(
            f"the {what} cannot be stored", problems=[Problem(why, field=field, expected=EXPECTED)]
        )
    if not text or len(text) > MAX_STATEMENT:
        raise InputRejected(
            f"the {what} is {'empty' if not text else 'too long'}",
            problems=[
                Problem(
                    f"{len(text)} characters",
                    field=field,
                    expected=f"1 to {MAX_STATEMENT} characters",
                )
            ],
        )
    return text


def open_dispute(
    engine: Engine,
    subject: str,
    entry_id: int,
    statement: str,
    *,
    settings: Settings,
    now: datetime | None = None,
    actor: str = "resident",
) -> store.DisputeRow:
    """Contest one current record of ``subject``'s file; it stops counting at once."""
    text = _text(statement, "statement", "statement")
    now = now or utc_now()
    sweep(engine, now=now)
    with UnitOfWork(engine) as uow:
        entry = _disputable(uow.conn, subject, entry_id)
        status = admitted_status(uow.conn, subject, now, settings)
        dispute_id = store.insert_dispute(
            uow.conn,
            subject=subject,
            entry_id=entry_id,
            statement=text,
            opened_at=now,
            deadline=now + timedelta(days=deadline_days(settings)),
            status=status,
        )
        opened = store.get(uow.conn, dispute_id)
        assert opened is not None
        store.enqueue(
            uow.conn,
            topic="dispute.opened",
            recipient=entry["source"],
            payload={**_about(entry), **_public(opened)},
            at=now,
        )
        _audit(uow.conn, actor, "resident", "dispute.opened", opened)
        uow.people_changed({subject})
        _forget_due(engine)  # its deadline may come before the one this process knew
        uow.commit()
    return opened


def admitted_status(conn: Connection, subject: str, now: datetime, settings: Settings) -> str:
    """``pending``, or ``review`` for a bulk; :class:`TooMany` past the person's limits."""
    open_now, recent = store.opened_by(conn, subject, now - MONTH)
    if open_now >= settings.dispute_max_open:
        raise TooMany(
            f"{open_now} disputes are already open; wait for the office to answer them",
            retry_after=int(DAY.total_seconds()),
            problems=[
                Problem(
                    f"{open_now} open",
                    field="entry_id",
                    expected=f"at most {settings.dispute_max_open} open at once",
                )
            ],
        )
    if len(recent) >= settings.dispute_max_per_month:
        again = recent[-settings.dispute_max_per_month] + MONTH
        raise TooMany(
            f"{len(recent)} disputes opened in the last 30 days; "
            f"the next may be opened from {again:%Y-%m-%d %H:%M} UTC",
            retry_after=int((again - now).total_seconds()),
            problems=[
                Problem(
                    f"{len(recent)} in 30 days",
                    field="entry_id",
                    expected=f"at most {settings.dispute_max_per_month} in 30 days",
                )
            ],
        )
    today = sum(1 for opened in recent if opened >= now - DAY)
    return store.REVIEW if today >= settings.dispute_bulk_after else PENDING


def _disputable(conn: Connection, subject: str, entry_id: int) -> Mapping[str, Any]:
    """The entry, if ``subject`` may dispute it now; otherwise the reason why not."""
    entry = store.entry(conn, entry_id, lock=True)
    if entry is None or entry["subject"] != subject:
        # One message for both: whether an entry id exists in someone else's file is not
        # this person's business.
        raise NotFound(
            f"entry {entry_id} is not in this person's file; "
            "their access report (`creditcity report SUBJECT`) lists their entry ids"
        )
    if entry["kind"] == "retraction":
        raise Conflict(f"entry {entry_id} is a retraction, not a record; dispute the record itself")
    newer = store.superseding(conn, entry["source"], entry["idempotency_key"])
    if newer:
        raise Conflict(
            f"entry {entry_id} no longer counts: entry {newer[-1]['entry_id']} "
            f"({newer[-1]['kind']}) replaced it; dispute the current record instead"
        )
    for earlier in store.of_entry(conn, entry_id):
        if earlier.status in store.OPEN:
            raise Conflict(
                f"dispute {earlier.dispute_id} on entry {entry_id} is already open "
                f"(deadline {earlier.deadline:%Y-%m-%d}); add to it rather than open another"
            )
        if earlier.status == store.REJECTED:
            raise Conflict(
                f"dispute {earlier.dispute_id} on entry {entry_id} was rejected on "
                f"{earlier.resolved_at:%Y-%m-%d} ({earlier.resolution}); the same record "
                "cannot be disputed again: appeal the decision instead"
            )
    return entry


def resolve_dispute(
    engine: Engine,
    dispute_id: int,
    *,
    upheld: bool,
    note: str,
    actor: str = "operator",
    now: datetime | None = None,
) -> store.DisputeRow:
    """Close a pending dispute: upheld withdraws the record, rejected lets it count again."""
    text = _text(note, "note", "resolution note")
    now = now or utc_now()
    with UnitOfWork(engine) as uow:
        found = store.get(uow.conn, dispute_id)
        if found is None:
            raise NotFound(
                f"there is no dispute {dispute_id}; `creditcity dispute list` shows them"
            )
        closed = _close(uow.conn, found, upheld=upheld, note=text, actor=actor, now=now)
        uow.people_changed({closed.subject})
        uow.commit()
    return closed


def sweep(
    engine: Engine, *, now: datetime | None = None, subjects: Collection[str] | None = None
) -> list[store.DisputeRow]:
    """Uphold every pending dispute past its deadline; returns those it upheld.

    ``subjects``: only these people's (a caller that knows whose file it touched).
    """
    now = now or utc_now()
    with UnitOfWork(engine) as uow:
        upheld = [
            _close(
                uow.conn,
                found,
                upheld=True,
                note=f"not answered by the deadline {found.deadline:%Y-%m-%d}: upheld by default",
                actor=DEADLINE_ACTOR,
                now=now,
            )
            for found in store.overdue(uow.conn, now, subjects)
        ]
        uow.people_changed(d.subject for d in upheld)
        uow.commit()
    return upheld


#: how long a process trusts its reading of the soonest pending deadline
DUE_RECHECK_SECONDS = 60.0
#: per engine: (soonest pending deadline or None, when it was read on the monotonic clock)
_DUE: weakref.WeakKeyDictionary[Engine, tuple[datetime | None, float]] = weakref.WeakKeyDictionary()
_DUE_LOCK = threading.Lock()


def sweep_if_due(
    engine: Engine, *, now: datetime | None = None, clock: Callable[[], float] = time.monotonic
) -> list[store.DisputeRow]:
    """:func:`sweep` everyone's, skipped while no pending dispute can be overdue yet.

    Every record and outcome rescores its person live, and the sweep of that
    person before it was a transaction of its own each time (a sixth of a
    record submission's time in the worker, ``py-spy`` under ``bench_soak
    --only records``) though disputes fall due a few times a month. Now the
    soonest pending deadline is reread at most every
    :data:`DUE_RECHECK_SECONDS`, and once one has passed the sweep upholds
    every overdue dispute, not only the rescored person's: a dispute opened
    meanwhile by another process has a deadline at least a day away, and one
    opened by this process drops the reading at once.
    """
    now = now or utc_now()
    with _DUE_LOCK:
        known = _DUE.get(engine)
    if known is not None and clock() - known[1] < DUE_RECHECK_SECONDS:
        soonest = known[0]
        if soonest is None or now < soonest:
            return []
    upheld = sweep(engine, now=now)
    with engine.connect() as conn:
        soonest = store.earliest_pending_deadline(conn)
    with _DUE_LOCK:
        _DUE[engine] = (soonest, clock())
    return upheld


def _forget_due(engine: Engine) -> None:
    with _DUE_LOCK:
        _DUE.pop(engine, None)


def _close(
    conn: Connection, found: store.DisputeRow, *, upheld: bool, note: str, actor: str, now: datetime
) -> store.DisputeRow:
    status = store.UPHELD if upheld else store.REJECTED
    if not store.close_dispute(
        conn, found.dispute_id, status=status, resolved_at=now, resolved_by=actor, resolution=note
    ):
        current = store.get(conn, found.dispute_id)
        state = current.status if current else "gone"
        raise Conflict(
            f"dispute {found.dispute_id} is already closed ({state}); "
            "a closed dispute cannot be resolved again"
        )
    entry = store.entry(conn, found.entry_id)
    assert entry is not None, "a dispute always names a stored entry"
    if upheld:
        _retract(conn, entry, found.dispute_id, now)
    closed = store.get(conn, found.dispute_id)
    assert closed is not None
    payload = {**_about(entry), **_public(closed)}
    if upheld:
        payload["retraction_key"] = retraction_key(found.dispute_id)
    store.enqueue(
        conn, topic="dispute.resolved", recipient=entry["source"], payload=payload, at=now
    )
    _audit(conn, actor, "operator", f"dispute.{status}", closed)
    return closed


def retraction_key(dispute_id: int) -> str:
    return f"dispute-{dispute_id}"


def _retract(conn: Connection, entry: Mapping[str, Any], dispute_id: int, now: datetime) -> None:
    """Withdraw ``entry`` with a retraction of its own source, validated like any record."""
    row = {
        "source": entry["source"],
        "idempotency_key": retraction_key(dispute_id),
        "subject": entry["subject"],
        "kind": "retraction",
        "occurred_at": now,
        "city": entry["city"],
        "supersedes": entry["idempotency_key"],
    }
    # The subject is already a pseudonym, so no secret is needed to validate it.
    checked = validate_row(row, f"dispute {dispute_id}", "", now)
    if isinstance(checked, list):
        raise InputRejected(f"the retraction for dispute {dispute_id} is invalid", problems=checked)
    append_batch(conn, entries_from_rows([checked], ENTRY_ARROW_SCHEMA), now)


def list_disputes(
    engine: Engine,
    *,
    subject: str | None = None,
    status: str | None = None,
    actor: str = "operator",
    role: str = "operator",
) -> list[store.DisputeRow]:
    """Disputes (overdue ones upheld first); reading them is an access to each file listed.

    ``status="open"`` lists those still to answer: pending ones and those queued
    for review.
    """
    if status is not None and status != "open" and status not in store.STATUSES:
        raise InputRejected(
            "unknown dispute status",
            problems=[
                Problem(
                    repr(status),
                    field="status",
                    expected=" or ".join(("open", *store.STATUSES)),
                )
            ],
        )
    sweep(engine)
    with UnitOfWork(engine) as uow:
        wanted = store.OPEN if status == "open" else status
        found = store.listed(uow.conn, subject=subject, status=wanted)
        for person in sorted({d.subject for d in found} | ({subject} if subject else set())):
            record_access(
                uow.conn,
                actor=actor,
                role=role,
                purpose=PURPOSE,
                action="dispute.listed",
                subject=person,
                detail={"status": status},
            )
        uow.commit()
    return found


def _about(entry: Mapping[str, Any]) -> dict[str, Any]:
    """What the source needs to find the record in its own books (never more)."""
    return {
        "entry_id": int(entry["entry_id"]),
        "idempotency_key": entry["idempotency_key"],
        "kind": entry["kind"],
        "occurred_at": entry["occurred_at"].isoformat(),
    }


def _public(dispute: store.DisputeRow) -> dict[str, Any]:
    shown = dispute.as_dict()
    shown.pop("subject")
    return shown


def _audit(conn: Connection, actor: str, role: str, action: str, d: store.DisputeRow) -> None:
    record_access(
        conn,
        actor=actor,
        role=role,
        purpose=PURPOSE,
        action=action,
        subject=d.subject,
        detail={"dispute_id": d.dispute_id, "entry_id": d.entry_id, "status": d.status},
    )
