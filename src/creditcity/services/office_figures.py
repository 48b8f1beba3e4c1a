"""The credit office's figures by group and over time, beside :mod:`.stats`' totals.

*Approval and loss rates*, by tier and by service: how often each is
approved, and how often an approved decision whose outcome is known ended
lost (a borrowing lost, a pay-later overdue). A waived fee has no outcome and
never closes. *Deposits waived and exposure by month*: per calendar month of
the city, the deposits waived by the month's approvals, the exposure opened
(deposits waived and pay-later lines granted) and closed (returned or paid,
dated as the provider reported it), and what was still owed at the month's
end. A loss keeps its exposure open: the item is still owed.

The database groups the decisions (:mod:`creditcity.ledger.office_figures`, one
pass for these and :mod:`.stats`' totals); this module only adds up the few
rows that come back. No person's file is read, so nothing is written to the
audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditcity.domain.policy import Policy
from creditcity.ledger.office_figures import LOST, DecisionGroup

__all__ = ["CITY_UTC_OFFSET_MINUTES", "MonthRow", "OfficeFigures", "RateRow", "office_figures_from"]

#: The city's clock (Asia/Shanghai, no daylight saving): months are its calendar months.
CITY_UTC_OFFSET_MINUTES = 8 * 60
THIN_FILE_TIER = "thin_file"  #: the tier name of decisions without a score
_ZERO = Decimal("0.00")
_KeyOf = Callable[[DecisionGroup], str]


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


def office_figures_from(groups: list[DecisionGroup], policy: Policy) -> OfficeFigures:
    """Rates by tier and service and the months, added up from the grouped decisions
    (:func:`creditcity.services.stats.office_view` reads them)."""
    tier_order = {t.name: t.rank for t in policy.tiers}
    service_order = {s: i for i, s in enumerate(policy.services)}
    return OfficeFigures(
        by_tier=_rolled_up(groups, lambda g: g.tier or THIN_FILE_TIER, tier_order),
        by_service=_rolled_up(groups, lambda g: g.service, service_order),
        months=_months([g for g in groups if g.approved and g.service not in policy.never_owed]),
    )


def _rolled_up(groups: list[DecisionGroup], key_of: _KeyOf, order: dict[str, int]) -> list[RateRow]:
    """Groups summed per key, in the policy's order (the thin file, or unknown ids, first)."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for g in groups:
        total = sums[key_of(g)]
        total[0] += g.count
        if g.approved:
            total[1] += g.count
            total[2] += g.count if g.outcome is not None else 0
            total[3] += g.count if g.outcome == LOST else 0
    ordered = sorted(sums, key=lambda k: (order.get(k, -1), k))
    return [RateRow(k, *sums[k]) for k in ordered]


def _months(grants: list[DecisionGroup]) -> list[MonthRow]:
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
