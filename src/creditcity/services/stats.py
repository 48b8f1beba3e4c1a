"""The operator's figures: what deposit-free services did for the city, and at what risk.

Like Alipay's "38 billion yuan of deposits waived", but also the other side:
what is still owed (exposure), how often each tier is approved, how often a
waived borrowing ends lost, how many people are restricted and how many of
those restrictions have lifted, and how many people looked at their own file.
Aggregates only; no one's file is read, so nothing is written to the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from creditcity.domain.policy import Policy
from creditcity.domain.restrictions import active_restrictions
from creditcity.ledger.decision_stats import Ratio, notice_count, residents_who_looked
from creditcity.ledger.decisions import adjudicated_records_by_person
from creditcity.ledger.office_figures import LOST, DecisionGroup, decision_summary
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.notices import RESTRICTION_NOTICE
from creditcity.services.office_figures import (
    CITY_UTC_OFFSET_MINUTES,
    THIN_FILE_TIER,
    OfficeFigures,
    office_figures_from,
)

__all__ = ["CityStats", "RestrictionCounts", "city_stats", "office_view", "restriction_counts"]

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class RestrictionCounts:
    """Restrictions that bind today, and those imposed once that have since lifted."""

    active: int
    lifted: int
    people: int


@dataclass(frozen=True, slots=True)
class CityStats:
    deposits_waived: dict[str, Decimal]
    fees_waived: dict[str, Decimal]
    pay_later_granted: dict[str, Decimal]
    exposure: dict[str, Decimal]
    approvals: dict[str, Ratio]
    losses: dict[str, Ratio]
    restrictions: RestrictionCounts
    restriction_notices: int
    residents_who_looked: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "deposits_waived": _money_block(self.deposits_waived),
            "fees_waived": _money_block(self.fees_waived),
            "pay_later_granted": _money_block(self.pay_later_granted),
            "exposure": _money_block(self.exposure),
            "approval_rate_by_tier": _ratios(self.approvals, "approved", "decisions"),
            "loss_rate_by_tier": _ratios(self.losses, "lost", "closed"),
            "restrictions": {
                "active": self.restrictions.active,
                "lifted": self.restrictions.lifted,
                "people_restricted": self.restrictions.people,
                "notices_sent": self.restriction_notices,
            },
            "residents_who_looked": self.residents_who_looked,
        }


def _money_block(amounts: dict[str, Decimal]) -> dict[str, Any]:
    return {
        "total": str(sum(amounts.values(), _ZERO)),
        "by_service": {s: str(a) for s, a in sorted(amounts.items())},
    }


def _ratios(ratios: dict[str, Ratio], part: str, whole: str) -> dict[str, Any]:
    return {tier: {part: r.part, whole: r.whole, "rate": r.rate} for tier, r in ratios.items()}


def city_stats(engine: Engine, *, policy: Policy, today: date | None = None) -> CityStats:
    """Every figure in one read-only transaction."""
    return office_view(engine, policy=policy, today=today)[0]


def office_view(
    engine: Engine, *, policy: Policy, today: date | None = None
) -> tuple[CityStats, OfficeFigures]:
    """The totals and the office's rates and months, from one pass over the decisions."""
    today = today or datetime.now(UTC).date()
    with UnitOfWork(engine) as uow:
        conn = uow.conn
        groups = decision_summary(conn, offset_minutes=CITY_UTC_OFFSET_MINUTES)
        deposits, fees, lent = _granted(groups, policy)
        stats = CityStats(
            deposits_waived=deposits,
            fees_waived=fees,
            pay_later_granted=lent,
            exposure=_owed(groups, policy),
            approvals=_by_tier(_approvals(groups), policy),
            losses=_by_tier(_losses(groups), policy),
            restrictions=restriction_counts(conn, policy, today),
            restriction_notices=notice_count(conn, RESTRICTION_NOTICE),
            residents_who_looked=residents_who_looked(conn),
        )
    return stats, office_figures_from(groups, policy)


def _granted(
    groups: list[DecisionGroup], policy: Policy
) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]:
    """Per service, what approved decisions waived (deposits apart from fees) and lent."""
    waived: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    lent: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    for g in groups:
        if g.approved:
            waived[g.service] += g.waived
            lent[g.service] += g.lent
    deposits = {s: a for s, a in sorted(waived.items()) if a > 0 and s not in policy.never_owed}
    fees = {s: a for s, a in sorted(waived.items()) if a > 0 and s in policy.never_owed}
    return deposits, fees, {s: a for s, a in sorted(lent.items()) if a > 0}


def _owed(groups: list[DecisionGroup], policy: Policy) -> dict[str, Decimal]:
    """Granted and not yet returned or paid, per service (a waived fee is never owed)."""
    owed: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    for g in groups:
        if g.approved and g.closed_month is None and g.service not in policy.never_owed:
            owed[g.service] += g.granted
    return {s: a for s, a in sorted(owed.items()) if a > 0}


def _approvals(groups: list[DecisionGroup]) -> dict[str | None, Ratio]:
    """Approved of all decisions, per tier (None = no score)."""
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for g in groups:
        counts[g.tier][0] += g.count if g.approved else 0
        counts[g.tier][1] += g.count
    return {tier: Ratio(yes, total) for tier, (yes, total) in counts.items()}


def _losses(groups: list[DecisionGroup]) -> dict[str | None, Ratio]:
    """Lost of closed waived borrowings, per tier.

    A waived borrowing is closed once the provider reported it returned or
    lost; one reported lost counts as lost even if the item turned up later.
    """
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for g in groups:
        if g.approved and g.waiver and g.outcome is not None:
            counts[g.tier][0] += g.count if g.outcome == LOST else 0
            counts[g.tier][1] += g.count
    return {tier: Ratio(lost, closed) for tier, (lost, closed) in counts.items()}


def _by_tier(ratios: dict[str | None, Ratio], policy: Policy) -> dict[str, Ratio]:
    """Tiers from lowest to highest, the thin file (no score) first."""
    order = {t.name: t.rank for t in policy.tiers}
    named = {THIN_FILE_TIER if tier is None else tier: r for tier, r in ratios.items()}
    return dict(sorted(named.items(), key=lambda item: order.get(item[0], -1)))


def restriction_counts(conn: Connection, policy: Policy, today: date) -> RestrictionCounts:
    """Active restrictions today, and imposed ones since lifted (settled or expired)."""
    records = adjudicated_records_by_person(conn)
    active = lifted = people = 0
    triggers = [rule.trigger for rule in policy.restrictions]
    for person in records.values():
        binding = len(active_restrictions(policy, person, today))
        imposed = sum(
            1
            for trigger in triggers
            for r in person
            if r.kind == trigger and _day(r.occurred_at) <= today
        )
        active += binding
        lifted += imposed - binding
        people += binding > 0
    return RestrictionCounts(active, lifted, people)


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
