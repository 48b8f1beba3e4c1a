"""The office's list of restrictions binding people today, filtered and paged.

A restriction is not stored: it follows from a live adjudicated record (an
unpaid court judgment, proven fraud) and the policy's rules, as it does for a
decision (:func:`creditcity.domain.restrictions.active_restrictions`). The
list is computed the same way, so the office sees exactly what providers get.
A record under a pending dispute binds nobody while it is reviewed, and is not
listed among those in force. Showing a person's restrictions is an access to
their file: each person on the page shown gets an audit event.

Each restriction carries the state of its appeal (a dispute of the record
that imposes it): ``none``, ``pending`` or ``review`` (both "open"),
``rejected`` or ``upheld``. Filtered by appeal state, the list also shows the
restrictions an open dispute suspends and those an upheld one withdrew
(within the term they would have had), marked as not binding; unfiltered,
it lists only what binds today.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from creditcity.domain.policy import Policy
from creditcity.domain.restrictions import ActiveRestriction, active_restrictions
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.audit import record_access
from creditcity.ledger.disputes import REJECTED, REVIEW, UPHELD
from creditcity.ledger.exclusions import PENDING
from creditcity.ledger.restriction_appeals import AppealedRecord, adjudicated_records_with_appeal
from creditcity.ledger.unit_of_work import UnitOfWork

__all__ = ["APPEALS", "PER_PAGE", "RestrictionPage", "RestrictionRow", "list_restrictions"]

PER_PAGE = 20
PURPOSE = "restrictions review"
NO_APPEAL = "none"
#: the appeal filter's choices, and the row appeal states each one keeps
APPEALS: dict[str, frozenset[str]] = {
    NO_APPEAL: frozenset({NO_APPEAL}),
    "open": frozenset({PENDING, REVIEW}),
    UPHELD: frozenset({UPHELD}),
    REJECTED: frozenset({REJECTED}),
}
#: an appeal in these states sets the record aside: it binds nobody
_SET_ASIDE = frozenset({PENDING, UPHELD})


@dataclass(frozen=True, slots=True)
class RestrictionRow:
    subject: str
    rule: str
    trigger: str  #: the record kind that imposes it (a court judgment, proven fraud)
    source: str
    record_ref: str
    occurred_on: date
    expires_on: date
    blocks: tuple[str, ...]
    #: the newest dispute of the record: none, pending, review, upheld or rejected
    appeal: str = NO_APPEAL
    #: False while a pending dispute suspends it, or once an upheld one withdrew it
    binding: bool = True


@dataclass(frozen=True, slots=True)
class RestrictionPage:
    rows: list[RestrictionRow]
    total: int
    page: int
    pages: int
    #: rule -> how many bind today (before the filters), for the filter's choices
    by_rule: dict[str, int]


def list_restrictions(
    engine: Engine,
    policy: Policy,
    today: date,
    *,
    rule: str | None = None,
    since: date | None = None,
    expires_by: date | None = None,
    appeal: str | None = None,
    page: int = 1,
    actor: str = "operator",
) -> RestrictionPage:
    """Restrictions binding today, newest record first, with the filters applied; with
    ``appeal`` (a key of :data:`APPEALS`), those whose appeal is in that state, binding or not."""
    rules = {r.name for r in policy.restrictions}
    if rule is not None and rule not in rules:
        raise InputRejected(
            "unknown restriction rule",
            problems=[Problem(repr(rule)[:80], "query", "rule", " or ".join(sorted(rules)))],
        )
    if appeal is not None and appeal not in APPEALS:
        raise InputRejected(
            "unknown appeal state",
            problems=[Problem(repr(appeal)[:80], "query", "appeal", " or ".join(APPEALS))],
        )
    with UnitOfWork(engine) as uow:
        everyone = _listed(adjudicated_records_with_appeal(uow.conn), policy, today)
        by_rule: dict[str, int] = defaultdict(int)
        for row in everyone:
            by_rule[row.rule] += int(row.binding)
        states = APPEALS[appeal] if appeal is not None else None
        kept = [
            r
            for r in everyone
            if (r.appeal in states if states is not None else r.binding)
            and (rule is None or r.rule == rule)
            and (since is None or r.occurred_on >= since)
            and (expires_by is None or r.expires_on <= expires_by)
        ]
        pages = max(1, -(-len(kept) // PER_PAGE))
        page = min(max(1, page), pages)
        shown = kept[(page - 1) * PER_PAGE : page * PER_PAGE]
        for person in sorted({r.subject for r in shown}):
            record_access(
                uow.conn,
                actor=actor,
                role="operator",
                purpose=PURPOSE,
                action="restrictions.listed",
                subject=person,
            )
        uow.commit()
    return RestrictionPage(shown, len(kept), page, pages, dict(sorted(by_rule.items())))


def _listed(
    records: dict[str, list[AppealedRecord]], policy: Policy, today: date
) -> list[RestrictionRow]:
    """Every restriction binding today, and every one an appeal sets aside, newest first."""
    rows = [
        row for subject, held in records.items() for row in _of_person(subject, held, policy, today)
    ]
    return sorted(rows, key=lambda r: (r.occurred_on, r.subject), reverse=True)


def _of_person(
    subject: str, held: list[AppealedRecord], policy: Policy, today: date
) -> list[RestrictionRow]:
    """A person's restrictions in force (as a decision derives them, from the records no
    appeal sets aside), then those a pending or upheld appeal sets aside."""
    live = [h.record for h in held if h.appeal not in _SET_ASIDE]
    state = {_key(h.record.kind, h.record.source, h.record.ref): h.appeal for h in held}
    rows = [
        _row(subject, a, state.get(_key(a.trigger, a.source, a.record_ref)) or NO_APPEAL, True)
        for a in active_restrictions(policy, live, today)
    ]
    bound = {_key(r.trigger, r.source, r.record_ref) for r in rows}
    for h in held:
        key = _key(h.record.kind, h.record.source, h.record.ref)
        if h.appeal not in _SET_ASIDE or key in bound:
            continue
        for a in active_restrictions(policy, [*live, h.record], today):
            if _key(a.trigger, a.source, a.record_ref) == key:
                rows.append(_row(subject, a, h.appeal or NO_APPEAL, False))
    return rows


def _key(kind: str, source: str, ref: str) -> tuple[str, str, str]:
    return (kind, source, ref)


def _row(subject: str, a: ActiveRestriction, appeal: str, binding: bool) -> RestrictionRow:
    return RestrictionRow(
        subject,
        a.rule,
        a.trigger,
        a.source,
        a.record_ref,
        a.occurred_on,
        a.expires_on,
        tuple(sorted(a.blocks)),
        appeal,
        binding,
    )
