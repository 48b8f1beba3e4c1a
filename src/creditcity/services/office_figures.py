"""The credit office's figures by group and over time, beside :mod:`.stats`' totals.

*Approval and loss rates*, by tier and by service: how often each is
approved, and how often an approved decision whose outcome is known ended
lost (a borrowing lost, a pay-later overdue). A waived fee has no outcome and
never closes. *Deposits waived and exposure by month*: per calendar month of
the city, the deposits waived by the month's approvals, the exposure opened
(deposits waived and pay-later lines granted) and closed (returned or paid,
dated as the provider reported it), and what was still owed at the month's
end. A loss keeps its exposure open: the item is still owed.

The database aggregates (:mod:`creditcity.ledger.office_figures`); this module
only adds up the few rows that come back. No person's file is read, so
nothing is written to the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from creditcity.domain.policy import Policy
from creditcity.ledger.office_figures import (
    MonthGrants,
    TierServiceOutcomes,
    grants_by_month,
    outcomes_by_tier_and_service,
)
from creditcity.ledger.unit_of_work import UnitOfWork

__all__ = ["CITY_UTC_OFFSET_MINUTES", "MonthRow", "OfficeFigures", "RateRow", "office_figures"]

#: The city's clock (Asia/Shanghai, no daylight saving): months are its calendar months.
CITY_UTC_OFFSET_MINUTES = 8 * 60
THIN_FILE_TIER = "thin_file"
_ZERO = Decimal("0.00")
_KeyOf = Callable[[TierServiceOutcomes], str]


@dataclass(frozen=True, slots=True)
class RateRow:
    """One tier's or one service's decisions: asked, approved, closed and lost."""

    key: str
    asked: int
    approved: int
    closed: int
    lost: int

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.asked if self.asked else None

    @property
    def loss_rate(self) -> float | None:
        """Lost of closed: None until some outcome is known (a rate of nothing is unknown)."""
        return self.lost / self.closed if self.closed else None


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One calendar month: deposits waived, exposure opened and closed, owed at its end."""

    month: date  #: the first day of the month
    waived: Decimal
    opened: Decimal
    closed: Decimal
    outstanding: Decimal


@dataclass(frozen=True, slots=True)
class OfficeFigures:
    by_tier: list[RateRow]
    by_service: list[RateRow]
    months: list[MonthRow]


def office_figures(engine: Engine, *, policy: Policy) -> OfficeFigures:
    """Rates by tier and service and the months, in one read-only transaction."""
    with UnitOfWork(engine) as uow:
        outcomes = outcomes_by_tier_and_service(uow.conn)
        grants = grants_by_month(
            uow.conn, never_owed=policy.never_owed, offset_minutes=CITY_UTC_OFFSET_MINUTES
        )
    tier_order = {t.name: t.rank for t in policy.tiers}
    service_order = {s: i for i, s in enumerate(policy.services)}
    return OfficeFigures(
        by_tier=_rolled_up(outcomes, lambda o: o.tier or THIN_FILE_TIER, tier_order),
        by_service=_rolled_up(outcomes, lambda o: o.service, service_order),
        months=_months(grants),
    )


def _rolled_up(
    rows: list[TierServiceOutcomes], key_of: _KeyOf, order: dict[str, int]
) -> list[RateRow]:
    """Rows summed per key, in the policy's order (the thin file, or unknown ids, first)."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        total = sums[key_of(row)]
        for index, value in enumerate((row.asked, row.approved, row.closed, row.lost)):
            total[index] += value
    ordered = sorted(sums, key=lambda k: (order.get(k, -1), k))
    return [RateRow(k, *sums[k]) for k in ordered]


def _months(grants: list[MonthGrants]) -> list[MonthRow]:
    """Every month from the first grant to the last event, gaps included (owed carries on).

    A closing dated before its grant (a back-dated report) is counted in the
    grant's month, so what is owed never dips below zero.
    """
    if not grants:
        return []
    waived: dict[int, Decimal] = defaultdict(lambda: _ZERO)
    opened: dict[int, Decimal] = defaultdict(lambda: _ZERO)
    closed: dict[int, Decimal] = defaultdict(lambda: _ZERO)
    for g in grants:
        waived[g.month] += g.waived
        opened[g.month] += g.granted
        if g.closed_month is not None:
            closed[max(g.month, g.closed_month)] += g.granted
    first, last = min(opened), max([*opened, *closed])
    rows: list[MonthRow] = []
    owed = _ZERO
    for month in _month_range(first, last):
        owed += opened[month] - closed[month]
        day = date(month // 100, month % 100, 1)
        rows.append(MonthRow(day, waived[month], opened[month], closed[month], owed))
    return rows


def _month_range(first: int, last: int) -> list[int]:
    months, year, month = [], first // 100, first % 100
    while year * 100 + month <= last:
        months.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
