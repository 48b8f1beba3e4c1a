"""The operator's figures: what deposit-free services did for the city, and at what risk.

Like Alipay's "38 billion yuan of deposits waived", but also the other side:
what is still owed (exposure), how often each tier is approved, how often a
waived borrowing ends lost, how many people are restricted and how many of
those restrictions have lifted, and how many people looked at their own file.
Aggregates only; no one's file is read, so nothing is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from creditcity.domain.policy import Policy
from creditcity.domain.restrictions import active_restrictions
from creditcity.ledger.decision_stats import (
    Ratio,
    approvals_by_tier,
    losses_by_tier,
    notice_count,
    residents_who_looked,
    totals_by_service,
)
from creditcity.ledger.decisions import adjudicated_records_by_person, open_exposure
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.notices import RESTRICTION_NOTICE

__all__ = ["CityStats", "RestrictionCounts", "city_stats", "restriction_counts"]

THIN_FILE_TIER = "thin_file"
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
    today = today or datetime.now(UTC).date()
    order = {t.name: t.rank for t in policy.tiers}
    with UnitOfWork(engine) as uow:
        conn = uow.conn
        deposits, fees, lent = _granted(conn, policy)
        owed = {
            s: a for s, a in open_exposure(conn).items() if s not in policy.never_owed and a > 0
        }
        return CityStats(
            deposits_waived=deposits,
            fees_waived=fees,
            pay_later_granted=lent,
            exposure=owed,
            approvals=_by_tier(approvals_by_tier(conn), order),
            losses=_by_tier(losses_by_tier(conn), order),
            restrictions=restriction_counts(conn, policy, today),
            restriction_notices=notice_count(conn, RESTRICTION_NOTICE),
            residents_who_looked=residents_who_looked(conn),
        )


def _granted(
    conn: Connection, policy: Policy
) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]:
    deposits: dict[str, Decimal] = {}
    fees: dict[str, Decimal] = {}
    lent: dict[str, Decimal] = {}
    for row in totals_by_service(conn):
        if row.waived > 0:
            target = fees if row.service in policy.never_owed else deposits
            target[row.service] = row.waived
        if row.lent > 0:
            lent[row.service] = row.lent
    return deposits, fees, lent


def _by_tier(ratios: dict[str | None, Ratio], order: dict[str, int]) -> dict[str, Ratio]:
    """Tiers from lowest to highest, the thin file (no score) first."""
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
