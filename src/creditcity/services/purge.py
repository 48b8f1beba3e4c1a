"""Expiry and purge: what the city may no longer keep, it blanks.

An expired record stops counting on its expiry day whether or not it was
purged (the feature engines apply the catalogue's retention). Purging then
blanks its payload (:data:`creditcity.ledger.retention.PAYLOAD`) so what it
said about the person is gone from storage too; the row itself stays, so
the ledger still shows that something was received and when. Each purge
leaves one tombstone in the audit log: how many entries, of which kinds, up
to which cut-off dates. It is safe to run every night and to re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from creditcity.domain.catalogue import CATALOGUE, RecordKind
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.audit import record_access
from creditcity.ledger.retention import blank_payloads
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.disputes import utc_now


@dataclass(frozen=True, slots=True)
class PurgeReport:
    as_of: date
    count: int
    kinds: dict[str, int]
    #: per kind purged: entries that occurred before this date were blanked (on time, late)
    cutoffs: dict[str, dict[str, str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "count": self.count,
            "kinds": self.kinds,
            "cutoffs": self.cutoffs,
        }


def cutoff(as_of: date, retention_days: int) -> datetime:
    """Entries that occurred before this moment have expired by the end of ``as_of``.

    A record counts while ``occurred day + retention > as_of`` (the rule the
    feature engines apply), so it has expired once it occurred on or before
    ``as_of - retention``, i.e. before the start of the day after.
    """
    return datetime.combine(as_of - timedelta(days=retention_days - 1), time())


def _classes(kind: RecordKind) -> list[tuple[bool | None, int]]:
    """(lateness filter, retention) pairs covering every entry of ``kind``."""
    on_time, late = kind.retention_for(0), kind.retention_for(1)
    return [(None, on_time)] if on_time == late else [(False, on_time), (True, late)]


def purge(engine: Engine, *, as_of: date | None = None, actor: str = "operator") -> PurgeReport:
    """Blank every entry past retention as of ``as_of`` (default today); one tombstone."""
    day = as_of or utc_now().date()
    if day > utc_now().date():
        raise InputRejected(
            "a purge cannot be dated in the future",
            problems=[Problem(day.isoformat(), field="--as-of", expected="today or earlier")],
        )
    kinds: dict[str, int] = {}
    cutoffs: dict[str, dict[str, str]] = {}
    with UnitOfWork(engine) as uow:
        for kind in CATALOGUE.values():
            for late, keep in _classes(kind):
                before = cutoff(day, keep)
                purged = blank_payloads(uow.conn, kind=kind.name, late=late, before=before)
                if purged:
                    kinds[kind.name] = kinds.get(kind.name, 0) + purged
                    label = "all" if late is None else ("late" if late else "on_time")
                    cutoffs.setdefault(kind.name, {})[label] = before.date().isoformat()
        report = PurgeReport(day, sum(kinds.values()), kinds, cutoffs)
        if report.count:
            record_access(
                uow.conn,
                actor=actor,
                role="operator",
                purpose="retention purge",
                action="purge",
                subject="",
                detail=report.as_dict(),
            )
        uow.commit()
    return report
