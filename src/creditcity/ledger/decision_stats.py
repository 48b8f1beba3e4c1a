"""The operator's figures over decisions, outcomes, notices and the audit log.

Aggregates only: each function is one ``GROUP BY`` (or ``COUNT``) so the
database does the work, and no person's rows leave it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, case, func, or_, select

from creditcity.ledger.decisions import closed_by, to_money
from creditcity.ledger.tables import audit_log, decisions, notices

__all__ = [
    "Ratio",
    "ServiceTotals",
    "approvals_by_tier",
    "losses_by_tier",
    "notice_count",
    "residents_who_looked",
    "totals_by_service",
]

#: Audit actions that mean "a person looked at their own file".
LOOK_ACTIONS = ("%report%", "%view%")


@dataclass(frozen=True, slots=True)
class ServiceTotals:
    """Approved decisions of one service and what they granted."""

    service: str
    approved: int
    waived: Decimal
    lent: Decimal


@dataclass(frozen=True, slots=True)
class Ratio:
    """``part`` of ``whole``; ``rate`` is None when there is nothing to divide."""

    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def totals_by_service(conn: Connection) -> list[ServiceTotals]:
    """Per service: approved decisions, amounts waived and pay-later lines granted."""
    query = (
        select(
            decisions.c.service,
            func.count(),
            func.sum(decisions.c.waived_amount),
            func.sum(decisions.c.credit_line),
        )
        .where(decisions.c.approved.is_(True))
        .group_by(decisions.c.service)
        .order_by(decisions.c.service)
    )
    return [
        ServiceTotals(service, int(count), to_money(waived), to_money(lent))
        for service, count, waived, lent in conn.execute(query)
    ]


def approvals_by_tier(conn: Connection) -> dict[str | None, Ratio]:
    """Approved of all decisions, per tier (None = no score)."""
    query = select(
        decisions.c.tier, _count_if(decisions.c.approved.is_(True)), func.count()
    ).group_by(decisions.c.tier)
    return {tier: Ratio(int(yes), int(total)) for tier, yes, total in conn.execute(query)}


def losses_by_tier(conn: Connection) -> dict[str | None, Ratio]:
    """Lost of closed waived borrowings, per tier.

    A waived borrowing is closed once the provider reported it returned or
    lost; one reported lost counts as lost even if the item turned up later.
    """
    lost = closed_by(("borrowing_lost",))
    closed = closed_by(("borrowing_returned", "borrowing_lost"))
    query = (
        select(decisions.c.tier, _count_if(lost), _count_if(closed))
        .where(decisions.c.approved.is_(True), decisions.c.waived_amount > 0)
        .group_by(decisions.c.tier)
    )
    return {
        tier: Ratio(int(part), int(whole)) for tier, part, whole in conn.execute(query) if whole
    }


def notice_count(conn: Connection, kind: str) -> int:
    query = select(func.count()).select_from(notices).where(notices.c.kind == kind)
    return int(conn.execute(query).scalar_one())


def residents_who_looked(conn: Connection) -> int:
    """Distinct people who opened their own file (as residents: report or view)."""
    query = select(func.count(func.distinct(audit_log.c.subject))).where(
        audit_log.c.role == "resident",
        audit_log.c.subject != "",
        or_(*(audit_log.c.action.like(pattern) for pattern in LOOK_ACTIONS)),
    )
    return int(conn.execute(query).scalar_one())
