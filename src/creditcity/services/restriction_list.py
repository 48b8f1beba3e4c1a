"""The office's list of restrictions binding people today, filtered and paged.

A restriction is not stored: it follows from a live adjudicated record (an
unpaid court judgment, proven fraud) and the policy's rules, as it does for a
decision (:func:`creditcity.domain.restrictions.active_restrictions`). The
list is computed the same way, so the office sees exactly what providers get.
A record under a pending dispute binds nobody while it is reviewed, and is not
listed. Showing a person's restrictions is an access to their file: each
person on the page shown gets an audit event.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from creditcity.domain.policy import Policy
from creditcity.domain.restrictions import AdjudicatedRecord, active_restrictions
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.audit import record_access
from creditcity.ledger.decisions import adjudicated_records_by_person
from creditcity.ledger.unit_of_work import UnitOfWork

__all__ = ["PER_PAGE", "RestrictionPage", "RestrictionRow", "list_restrictions"]

PER_PAGE = 20
PURPOSE = "restrictions review"


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
    page: int = 1,
    actor: str = "operator",
) -> RestrictionPage:
    """Restrictions binding today, newest record first, with the filters applied."""
    rules = {r.name for r in policy.restrictions}
    if rule is not None and rule not in rules:
        raise InputRejected(
            "unknown restriction rule",
            problems=[Problem(repr(rule)[:80], "query", "rule", " or ".join(sorted(rules)))],
        )
    with UnitOfWork(engine) as uow:
        everyone = _binding(adjudicated_records_by_person(uow.conn), policy, today)
        by_rule: dict[str, int] = defaultdict(int)
        for row in everyone:
            by_rule[row.rule] += 1
        kept = [
            r
            for r in everyone
            if (rule is None or r.rule == rule)
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


def _binding(
    records: dict[str, list[AdjudicatedRecord]], policy: Policy, today: date
) -> list[RestrictionRow]:
    rows = [
        RestrictionRow(
            subject,
            r.rule,
            r.trigger,
            r.source,
            r.record_ref,
            r.occurred_on,
            r.expires_on,
            tuple(sorted(r.blocks)),
        )
        for subject, held in records.items()
        for r in active_restrictions(policy, held, today)
    ]
    return sorted(rows, key=lambda r: (r.occurred_on, r.subject), reverse=True)
