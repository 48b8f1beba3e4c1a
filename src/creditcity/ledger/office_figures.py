"""Every decision figure of the office from one pass over the decisions: one ``GROUP BY``
whose few hundred rows the services add up, so no decision leaves the database.

:func:`decision_summary` groups decisions by tier, service, whether approved,
whether a deposit was waived, the month decided, the month closed (returned or
paid) and how it ended (no outcome yet, ended, lost or defaulted). Totals by
service, approval and loss rates by tier and by service, open exposure, and
deposits waived and exposure by month are all sums of these rows. One pass
matters: each decision's outcome is looked up in the ledger (twice, through
``ix_entries_outcomes``, once per decision), and six figures each doing so
took seconds on a 20,000-resident city with a year of decisions.

Months are the city's calendar months: a UTC time is shifted by the city's
offset before its month is taken, in SQL, since SQLite and PostgreSQL spell
both operations differently (:func:`month_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Interval,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from creditcity.ledger.decisions import CLOSING_KINDS, DECISIONS_SOURCE, to_money
from creditcity.ledger.tables import INDEXED_OUTCOME_KINDS, decisions, entries, kind_in_index

__all__ = ["ENDED", "LOSS_KINDS", "LOST", "DecisionGroup", "decision_summary", "month_of"]

#: Outcomes that count as a loss: the item was lost, or the pay-later went unpaid.
LOSS_KINDS = ("borrowing_lost", "pay_later_overdue")
#: How an approved decision ended, as :attr:`DecisionGroup.outcome` says it.
ENDED, LOST = 1, 2


@dataclass(frozen=True, slots=True)
class DecisionGroup:
    """Decisions alike in everything the office's figures tell apart, and their sums."""

    tier: str | None  #: None: no score (a thin file)
    service: str
    approved: bool
    waiver: bool  #: a deposit (or fee) was waived
    month: int  #: decided, ``yyyymm`` in the city's calendar
    closed_month: int | None  #: first returned or paid; None while owed
    #: None: no outcome reported (or not approved); ENDED; LOST (lost or overdue, once
    #: reported it stays counted even if the item turned up or was paid later)
    outcome: int | None
    count: int
    waived: Decimal
    lent: Decimal  #: pay-later lines granted

    @property
    def granted(self) -> Decimal:
        return self.waived + self.lent


def month_of(column: ColumnElement[Any], dialect: str, offset_minutes: int) -> Any:
    """The calendar month (``yyyymm``) of a stored UTC time, on a clock ``offset_minutes``
    ahead of UTC (the city's); NULL stays NULL."""
    shift = int(offset_minutes)  # an int, so the literal below can carry nothing else
    if dialect == "postgresql":
        moved = column + literal_column(f"interval '{shift} minutes'", type_=Interval)
        return cast(func.to_char(moved, "YYYYMM"), Integer)
    return cast(func.strftime("%Y%m", column, f"{shift:+d} minutes"), Integer)


def _how_it_ended(dialect: str, offset_minutes: int) -> Any:
    """How an approved decision ended, as one number: the month it was first returned or
    paid (0: still owed) times ten, plus LOST, ENDED or 0 (no outcome yet).

    One number, because each decision's outcomes are then looked up once (one seek
    of ``ix_entries_outcomes`` per decision), and the reports counted are those
    :func:`creditcity.ledger.decisions.closed_by` accepts.
    """
    outcome = entries.alias("outcome")
    closing = month_of(outcome.c.occurred_at, dialect, offset_minutes)
    first_closed = func.min(case((outcome.c.kind.in_(CLOSING_KINDS), closing)))
    worst = func.max(case((outcome.c.kind.in_(LOSS_KINDS), LOST), else_=ENDED))
    return (
        select(func.coalesce(first_closed, 0) * 10 + func.coalesce(worst, 0))
        .where(
            outcome.c.ref == decisions.c.decision_id,
            outcome.c.subject == decisions.c.subject,
            kind_in_index(outcome.c.kind, INDEXED_OUTCOME_KINDS),
            outcome.c.source.in_([decisions.c.requested_by, literal(DECISIONS_SOURCE)]),
        )
        .scalar_subquery()
    )


def decision_summary(conn: Connection, *, offset_minutes: int) -> list[DecisionGroup]:
    """Every decision, grouped (see the module docstring); one statement."""
    dialect = conn.dialect.name
    approved = decisions.c.approved.is_(True)
    keys = [
        decisions.c.tier,
        decisions.c.service,
        approved.label("is_approved"),
        (decisions.c.waived_amount > 0).label("waiver"),
        month_of(decisions.c.decided_at, dialect, offset_minutes).label("month_decided"),
        # asked only of approved decisions: a declined one owes and ends nothing
        case((approved, _how_it_ended(dialect, offset_minutes)), else_=0).label("ended"),
    ]
    query = select(
        *keys,
        func.count(),
        func.sum(decisions.c.waived_amount),
        func.sum(decisions.c.credit_line),
        # grouped by the columns' names: repeated as expressions, with their bound
        # parameters, SQLite would look each decision's outcomes up twice
    ).group_by(*(literal_column(k.name) for k in keys))
    return [_group(row) for row in conn.execute(query)]


def _group(row: Any) -> DecisionGroup:
    tier, service, yes, waiver, month, ended, count, waived, lent = row
    return DecisionGroup(
        tier,
        service,
        bool(yes),
        bool(waiver),
        int(month),
        int(ended) // 10 or None,
        int(ended) % 10 or None,
        int(count),
        to_money(waived),
        to_money(lent),
    )
