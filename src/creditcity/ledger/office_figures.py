"""The office's figures over time and by group: one ``GROUP BY`` each, so the rows stay in
the database and what comes back is a few dozen counts and sums.

* :func:`outcomes_by_tier_and_service`: per (tier, service), decisions asked,
  approved, ended (the provider reported how) and lost or defaulted. The two
  tables the office reads (by tier, by service) are sums of these rows, so
  one statement serves both.
* :func:`grants_by_month`: per (month granted, month closed), what approved
  decisions waived and granted. Deposits waived per month, exposure opened,
  closed, and outstanding at each month end all follow by addition.

Months are the city's calendar months: a UTC time is shifted by the city's
offset before its month is taken, in SQL, since SQLite and PostgreSQL spell
both operations differently (:func:`month_of`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Interval,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
)

from creditcity.ledger.decisions import CLOSING_KINDS, OUTCOME_KINDS, closed_at, closed_by, to_money
from creditcity.ledger.tables import decisions

__all__ = [
    "LOSS_KINDS",
    "MonthGrants",
    "TierServiceOutcomes",
    "grants_by_month",
    "month_of",
    "outcomes_by_tier_and_service",
]

#: Outcomes that count as a loss: the item was lost, or the pay-later went unpaid.
LOSS_KINDS = ("borrowing_lost", "pay_later_overdue")


@dataclass(frozen=True, slots=True)
class TierServiceOutcomes:
    """Decisions of one tier (None: no score) and one service, and how the approved ended."""

    tier: str | None
    service: str
    asked: int
    approved: int
    #: approved decisions whose provider reported an outcome (returned, lost, paid, overdue)
    closed: int
    #: of those, reported lost or overdue (once reported, it stays counted)
    lost: int


@dataclass(frozen=True, slots=True)
class MonthGrants:
    """Approved decisions granted in ``month`` and closed in ``closed_month`` (None: open).

    Months are ``yyyymm`` integers in the city's calendar.
    """

    month: int
    closed_month: int | None
    waived: Decimal  #: deposits waived (the amount the person did not have to leave)
    granted: Decimal  #: waived plus pay-later lines: what is owed back until closed


def month_of(column: ColumnElement[object], dialect: str, offset_minutes: int) -> Any:
    """The calendar month (``yyyymm``) of a stored UTC time, on a clock ``offset_minutes``
    ahead of UTC (the city's); NULL stays NULL."""
    shift = int(offset_minutes)  # an int, so the literal below can carry nothing else
    if dialect == "postgresql":
        moved = column + literal_column(f"interval '{shift} minutes'", type_=Interval)
        return cast(func.to_char(moved, "YYYYMM"), Integer)
    return cast(func.strftime("%Y%m", column, f"{shift:+d} minutes"), Integer)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def outcomes_by_tier_and_service(conn: Connection) -> list[TierServiceOutcomes]:
    """Every (tier, service) that has decisions, with its counts (one statement)."""
    approved = decisions.c.approved.is_(True)
    query = select(
        decisions.c.tier,
        decisions.c.service,
        func.count(),
        _count_if(approved),
        _count_if(and_(approved, closed_by(OUTCOME_KINDS))),
        _count_if(and_(approved, closed_by(LOSS_KINDS))),
    ).group_by(decisions.c.tier, decisions.c.service)
    return [
        TierServiceOutcomes(tier, service, int(asked), int(yes), int(closed), int(lost))
        for tier, service, asked, yes, closed, lost in conn.execute(query)
    ]


def grants_by_month(
    conn: Connection, *, never_owed: Collection[str], offset_minutes: int
) -> list[MonthGrants]:
    """Approved grants that are owed back (not the ``never_owed`` fee waivers), summed per
    month granted and month closed (returned or paid, by the date the provider reported)."""
    each = (
        select(
            decisions.c.decided_at,
            closed_at(CLOSING_KINDS).label("closed_at"),
            decisions.c.waived_amount,
            (decisions.c.waived_amount + decisions.c.credit_line).label("granted"),
        )
        .where(decisions.c.approved.is_(True), decisions.c.service.not_in(list(never_owed)))
        .subquery()
    )
    dialect = conn.dialect.name
    opened = month_of(each.c.decided_at, dialect, offset_minutes).label("opened")
    closed = month_of(each.c.closed_at, dialect, offset_minutes).label("closed")
    query = select(
        opened, closed, func.sum(each.c.waived_amount), func.sum(each.c.granted)
    ).group_by(opened, closed)
    return [
        MonthGrants(int(month), None if shut is None else int(shut), to_money(w), to_money(g))
        for month, shut, w, g in conn.execute(query)
    ]
