"""The operator's figures over notices and the audit log (those over decisions are
:mod:`creditcity.ledger.office_figures`' one pass).

Aggregates only: each function is one ``COUNT`` so the database does the
work, and no person's rows leave it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from creditcity.ledger.tables import audit_log, notices

__all__ = ["Ratio", "notice_count", "residents_who_looked"]

#: Audit actions that mean "a person looked at their own file".
LOOK_ACTIONS = ("%report%", "%view%")


@dataclass(frozen=True, slots=True)
class Ratio:
    """``part`` of ``whole``; ``rate`` is None when there is nothing to divide."""

    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None


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
