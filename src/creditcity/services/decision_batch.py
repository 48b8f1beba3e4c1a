"""Decide a batch of requests in the caller's transaction: locked, read once, written once.

The steps, for requests that arrived together (one request is a batch of one):

1. Refuse what can be refused without reading anything: a malformed provider
   id, a service the provider does not run (403).
2. Lock every person of the batch and every idempotency key
   (:func:`creditcity.ledger.guards.lock_people`): from here to commit no other
   worker, process or machine decides for these people, so the exposure read
   next is the exposure the grant is checked against. This is what keeps
   caps: exposure caps, per-service limits and restrictions alike.
3. Answer retries: a request whose ``(provider, Idempotency-Key)`` was already
   answered gets that answer back (the same decision id); the same key with
   a different request is refused (422). Two requests with one key in the
   same batch are one decision.
4. Register the people named by national ID in a federated city as an import
   would (:func:`creditcity.ledger.arrivals.register_arrivals`): a person
   whose first contact with this city is this request is linked now, so a
   court judgment from a peer city that waited for them restricts them in
   this very decision, under this city's policy.
5. Read, once for the whole batch: the scores (from the worker's memory, caught
   up with the database), the open exposure, the live adjudicated records.
6. Decide each request with the pure :func:`creditcity.domain.decisions.decide`,
   in arrival order; each grant is added to the person's exposure before the
   next request of the batch is decided, so two requests for one person in
   one batch cannot both take the last of a cap.
7. Write with one statement per table: decisions, waiver records, audit
   events (one read of the chain head), kept answers. Notices of restrictions
   the person was not yet told of are written as they are found (rare).

The caller commits, and only then answers anyone; people whose file gained
records from peers are announced as changed (rescored) after that commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection

from creditcity.config import Settings
from creditcity.domain.decisions import Decision, decide
from creditcity.domain.policy import Policy, ServiceKind
from creditcity.domain.records import validate_row
from creditcity.domain.restrictions import AdjudicatedRecord, active_restrictions
from creditcity.errors import CreditCityError, InputRejected, Problem
from creditcity.ids import unique_hex
from creditcity.ledger.arrivals import register_arrivals
from creditcity.ledger.audit import Access, record_events
from creditcity.ledger.decisions import (
    DECISIONS_SOURCE,
    adjudicated_later,
    decision_writes,
    entry_writes,
    exposure_later,
)
from creditcity.ledger.driver_statements import write_together
from creditcity.ledger.guards import (
    KeptAnswer,
    kept_answer_writes,
    lock_people,
    stored_answers_later,
)
from creditcity.ledger.pipelining import Later, Send, together
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decide import DecisionAnswer, DecisionRequest, checked_request, now_utc
from creditcity.services.notices import notify_restrictions
from creditcity.services.serving import ScoreFacts

__all__ = ["Outcome", "ScoreSource", "decide_batch", "idempotency_mismatch"]

#: A decision, a kept answer given again (a retry), or the error a request was refused with.
Outcome = DecisionAnswer | dict[str, Any] | Exception

_RECORD_KIND = {
    ServiceKind.DEPOSIT_WAIVER: "deposit_waived",
    ServiceKind.PAY_LATER: "pay_later_charged",
}


class ScoreSource(Protocol):
    """Where the batch reads scores: the worker's memory, or the database directly."""

    def scores_later(
        self, send: Send, people: Sequence[str]
    ) -> Later[Mapping[str, ScoreFacts]]: ...


@dataclass
class _Writes:
    """What a batch writes, gathered so each table gets one statement."""

    decisions: list[dict[str, Any]] = field(default_factory=list)
    entries: list[tuple[object, ...]] = field(default_factory=list)
    audit: list[Access] = field(default_factory=list)
    kept: list[tuple[str, str, str, Mapping[str, Any]]] = field(default_factory=list)

    def flush(self, conn: Connection, now: datetime) -> None:
        write_together(  # one statement on PostgreSQL
            conn,
            [
                *decision_writes(self.decisions),
                *entry_writes(conn.dialect.name, self.entries, now),
                *kept_answer_writes(self.kept, at=now),
            ],
        )
        # Last: the audit chain is one lock for every worker, held from here to the
        # commit, so the less that follows it, the less the workers wait on each other.
        record_events(conn, self.audit)


@dataclass
class _Read:
    """What the batch read about its people."""

    scores: Mapping[str, ScoreFacts]
    exposure: dict[str, dict[str, Decimal]]
    records: dict[str, list[AdjudicatedRecord]]


def decide_batch(
    uow: UnitOfWork,
    requests: Sequence[DecisionRequest],
    *,
    policy: Policy,
    settings: Settings,
    scores: ScoreSource,
    now: datetime | None = None,
    commit: Callable[[], None] | None = None,
) -> list[Outcome]:
    """One outcome per request, in order (see the module docstring).

    The caller commits, or passes ``commit`` to have it go out with the
    batch's writes (on PostgreSQL, one round trip fewer).
    """
    conn = uow.conn
    now = now or now_utc()
    outcomes: list[Outcome | None] = [None] * len(requests)
    checked: dict[int, DecisionRequest] = {}
    for i, request in enumerate(requests):
        try:
            checked[i] = checked_request(request)
        except CreditCityError as error:
            outcomes[i] = error
    if checked:
        read, kept = _locked_reads(uow, list(checked.values()), scores, settings, now)
        todo, repeats = _answer_retries(checked, kept, outcomes)
        writes = _Writes()
        for i in todo:
            try:
                outcomes[i] = _decide_one(conn, checked[i], read, writes, policy, settings, now)
            except CreditCityError as error:
                outcomes[i] = error
        for i, first in repeats:
            outcomes[i] = _repeat(checked[i], checked[first], outcomes[first])
        with together(conn):  # the writes, the chain's lock and its head: one trip
            writes.flush(conn, now)
            if commit is not None:  # then the audit events and the commit: one more
                commit()
                commit = None
    if commit is not None:
        commit()
    return [o if o is not None else RuntimeError("request left undecided") for o in outcomes]


def _locked_reads(
    uow: UnitOfWork,
    requests: Sequence[DecisionRequest],
    scores: ScoreSource,
    settings: Settings,
    now: datetime,
) -> tuple[_Read, dict[tuple[str, str], KeptAnswer]]:
    """Lock the batch's people and keys, then read what deciding needs, in one trip.

    On PostgreSQL the lock and the four reads go out together (each read runs
    once the lock is held, see :mod:`creditcity.ledger.pipelining`). People
    named by national ID are linked between the lock and the reads, since a
    peer city's records may wait for them (rare: only in a federation).
    """
    conn = uow.conn
    people = sorted({r.subject for r in requests})
    keyed = [(r.provider, r.idempotency_key) for r in requests if r.idempotency_key]
    named = any(r.links for r in requests)
    if named:
        lock_people(conn, _lock_keys(requests))
        _arrive(uow, requests, settings, now)
    with together(conn) as send:
        if not named:
            lock_people(conn, _lock_keys(requests), send)
        kept = stored_answers_later(send, keyed) if keyed else dict
        found = scores.scores_later(send, people)
        exposure = exposure_later(send, people)
        records = adjudicated_later(send, people)
        return _Read(found(), exposure(), records()), kept()


def _arrive(
    uow: UnitOfWork, requests: Sequence[DecisionRequest], settings: Settings, now: datetime
) -> None:
    """Link the people named by national ID (this city their home), as an import links them."""
    named = [r for r in requests if r.links]
    if not named:
        return
    homes = {r.subject: settings.city for r in named}
    arrived = register_arrivals(uow.conn, homes, [p for r in named for p in r.links], now)
    uow.people_changed(arrived.linked)


def _lock_keys(requests: Sequence[DecisionRequest] | Any) -> list[str]:
    keys = []
    for request in requests:
        keys.append(request.subject)
        if request.idempotency_key:
            keys.append(f"idempotency:{request.provider}:{request.idempotency_key}")
    return keys


def _answer_retries(
    checked: dict[int, DecisionRequest],
    kept: Mapping[tuple[str, str], KeptAnswer],
    outcomes: list[Outcome | None],
) -> tuple[list[int], list[tuple[int, int]]]:
    """Requests to decide, and (repeat, first) pairs of one key within the batch."""
    keyed = {i: (r.provider, r.idempotency_key) for i, r in checked.items() if r.idempotency_key}
    first: dict[tuple[str, str], int] = {}
    todo: list[int] = []
    repeats: list[tuple[int, int]] = []
    for i, request in checked.items():
        pair = keyed.get(i)
        if pair is None:
            todo.append(i)
        elif pair in kept:
            answer = kept[pair]
            same = answer.fingerprint == request.fingerprint
            outcomes[i] = answer.response if same else idempotency_mismatch(pair[1])
        elif pair in first:
            repeats.append((i, first[pair]))
        else:
            first[pair] = i
            todo.append(i)
    return todo, repeats


def _repeat(request: DecisionRequest, first: DecisionRequest, outcome: Outcome | None) -> Outcome:
    if request.fingerprint != first.fingerprint:
        return idempotency_mismatch(request.idempotency_key or "")
    if isinstance(outcome, DecisionAnswer):
        return outcome.as_dict()
    return outcome if outcome is not None else RuntimeError("request left undecided")


def idempotency_mismatch(key: str) -> InputRejected:
    """The same ``Idempotency-Key`` sent with a different request (422, as the draft says)."""
    return InputRejected(
        "this Idempotency-Key was already used for a different request",
        problems=[
            Problem(
                f"key '{key[:128]}' first came with another body or decision",
                where="header",
                field="Idempotency-Key",
                expected="a new key for a new request; the same key only to retry "
                "exactly the same request",
            )
        ],
    )


def _decide_one(
    conn: Connection,
    request: DecisionRequest,
    read: _Read,
    writes: _Writes,
    policy: Policy,
    settings: Settings,
    now: datetime,
) -> DecisionAnswer:
    subject = request.subject
    facts = read.scores.get(subject)
    records = read.records.get(subject)
    restrictions = tuple(active_restrictions(policy, records, now.date())) if records else ()
    owed = read.exposure.setdefault(subject, {})
    decision = decide(
        policy,
        request.service,
        request.amount,
        request.purpose,
        score=facts.score if facts else None,
        reasons=facts.reasons if facts else (),
        restrictions=restrictions,
        exposure=owed,
    )
    decision_id = unique_hex()
    record_kind = _grant_record(policy, decision_id, subject, decision, settings, now, writes)
    if decision.approved:
        owed[decision.service] = owed.get(decision.service, Decimal(0)) + decision.granted
    purpose = request.purpose.strip()
    model_version = facts.model_version if facts else None
    writes.decisions.append(
        _row(decision_id, subject, request.provider, purpose, now, decision, model_version)
    )
    writes.audit.append(_audit(decision_id, request, purpose, decision))
    notices = notify_restrictions(conn, subject, restrictions, now) if restrictions else []
    answer = DecisionAnswer(
        decision_id,
        subject,
        request.provider,
        purpose,
        now,
        decision,
        model_version,
        tuple(notices),
        record_kind,
    )
    if request.idempotency_key:
        writes.kept.append(
            (request.provider, request.idempotency_key, request.fingerprint, answer.as_dict())
        )
    return answer


def _audit(decision_id: str, request: DecisionRequest, purpose: str, decision: Decision) -> Access:
    return Access(
        actor=request.provider,
        role="provider",
        purpose=purpose,
        action="decide",
        subject=request.subject,
        detail={
            "decision_id": decision_id,
            "service": decision.service,
            "amount": str(decision.amount_requested),
            "approved": decision.approved,
            "granted": str(decision.granted),
        },
    )


def _row(
    decision_id: str,
    subject: str,
    provider: str,
    purpose: str,
    now: datetime,
    decision: Decision,
    model_version: str | None,
) -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "subject": subject,
        "service": decision.service,
        "amount": float(decision.amount_requested),
        "purpose": purpose,
        "requested_by": provider,
        "decided_at": now,
        "approved": decision.approved,
        "waived_amount": float(decision.waived_amount),
        "credit_line": float(decision.credit_line),
        "tier": decision.tier,
        "score": decision.score,
        "reasons": [{"code": code, "text": text} for code, text in decision.reasons],
        "restrictions": [r.as_dict() for r in decision.restrictions],
        "model_version": model_version,
        "policy_version": decision.policy_version,
    }


def _grant_record(
    policy: Policy,
    decision_id: str,
    subject: str,
    decision: Decision,
    settings: Settings,
    now: datetime,
    writes: _Writes,
) -> str | None:
    """Put an approved waiver or pay-later charge on the person's file; fee waivers are gifts.

    Validated by the rule every imported row obeys; a record the catalogue
    refuses is a bug here, reported for this request rather than stored.
    """
    kind = _RECORD_KIND.get(policy.services[decision.service].kind)
    if not decision.approved or kind is None:
        return None
    record: dict[str, object] = {
        "source": DECISIONS_SOURCE,
        "idempotency_key": decision_id,
        "subject": subject,
        "kind": kind,
        "occurred_at": now,
        "city": settings.city,
        "ref": decision_id,
        "service": decision.service,
        "amount": str(decision.granted),
    }
    where = f"{kind} record {decision_id}"
    row = validate_row(record, where, settings.pseudonym_secret, now)
    if isinstance(row, list):
        raise InputRejected(f"the {where} was refused by the record catalogue", problems=row)
    writes.entries.append(row)
    return kind
