"""Closing the loop: the provider reports how a waived borrowing or a pay-later ended.

The report becomes a ledger record about the person, keyed so that sending
it twice is a duplicate, never a double:

==================  =============================  ===============================
result              ledger record                   exposure
==================  =============================  ===============================
returned_on_time    borrowing_returned, 0 days      released
returned_late       borrowing_returned, N days      released
lost                borrowing_lost (the amount)     kept: the item is still owed
paid                pay_later_paid, N days (0)      released
overdue             pay_later_overdue (the amount)  kept until it is paid
==================  =============================  ===============================

The record's ``ref`` is the decision id and its idempotency key is
``<decision id>:<result>``; its source is the provider that asked for the
decision when the catalogue lets that role submit the kind, else
``creditcity:decisions``. ``lost`` may later be followed by a return (the item
turned up) and ``overdue`` by ``paid``; once returned or paid, a different
result is a :class:`Conflict`. After a new record the person is rescored
(``creditcity.services.scoring.rescore``), so their next decision reflects it.

Only the provider that got the decision reports on it (``provider``: anyone
else is told there is no such decision of theirs), the answer shows that
provider's own exposure of the person and no one else's, and a record about
the decision from any other source neither closes nor settles it (see
:func:`creditcity.ledger.decisions.closed_by`). With an ``idempotency_key``,
a retry gets the first answer back and the same key with another report is
refused.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine

from creditcity.config import Settings
from creditcity.domain.catalogue import CATALOGUE
from creditcity.domain.policy import Policy
from creditcity.errors import Conflict, InputRejected, NotFound, Problem
from creditcity.ledger.audit import Access
from creditcity.ledger.decisions import (
    CLOSING_KINDS,
    DECISIONS_SOURCE,
    StoredDecision,
    get_decision,
    open_exposure,
    outcome_entries,
)
from creditcity.ledger.group_commit import group_commit
from creditcity.ledger.guards import keep_answers, lock_people, stored_answers
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decision_batch import idempotency_mismatch
from creditcity.services.record_writer import write_record

__all__ = ["OutcomeReport", "Rescore", "Result", "report_outcome", "rescore_with_model"]

#: ``rescore(engine, subject) -> bool`` (True when the person was rescored).
Rescore = Callable[[Engine, str], bool]


class Result(StrEnum):
    RETURNED_ON_TIME = "returned_on_time"
    RETURNED_LATE = "returned_late"
    LOST = "lost"
    PAID = "paid"
    OVERDUE = "overdue"


_KIND = {
    Result.RETURNED_ON_TIME: "borrowing_returned",
    Result.RETURNED_LATE: "borrowing_returned",
    Result.LOST: "borrowing_lost",
    Result.PAID: "pay_later_paid",
    Result.OVERDUE: "pay_later_overdue",
}
_BORROWING = (Result.RETURNED_ON_TIME, Result.RETURNED_LATE, Result.LOST)
_PAY_LATER = (Result.PAID, Result.OVERDUE)
_ITEMS = {
    "bike_deposit": "bike",
    "power_bank_deposit": "power_bank",
    "umbrella_deposit": "umbrella",
    "library_deposit": "library_book",
}


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """What reporting an outcome did."""

    decision_id: str
    subject: str
    service: str
    result: Result
    kind: str
    source: str
    idempotency_key: str
    #: True when the same outcome had already been reported: nothing was written
    duplicate: bool
    #: the decision no longer counts toward the person's exposure
    released: bool
    #: the person's exposure per service after the report
    exposure: dict[str, Decimal]
    rescored: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "subject": self.subject,
            "service": self.service,
            "result": self.result.value,
            "kind": self.kind,
            "source": self.source,
            "idempotency_key": self.idempotency_key,
            "duplicate": self.duplicate,
            "released": self.released,
            "exposure": {s: str(a) for s, a in self.exposure.items()},
            "rescored": self.rescored,
        }

    @classmethod
    def from_dict(cls, kept: dict[str, Any]) -> OutcomeReport:
        """An answer kept for an idempotency key, as it was given."""
        return cls(
            str(kept["decision_id"]),
            str(kept["subject"]),
            str(kept["service"]),
            Result(kept["result"]),
            str(kept["kind"]),
            str(kept["source"]),
            str(kept["idempotency_key"]),
            bool(kept["duplicate"]),
            bool(kept["released"]),
            {s: Decimal(a) for s, a in kept["exposure"].items()},
            bool(kept["rescored"]),
        )


def rescore_with_model(engine: Engine, subject: str) -> bool:
    """Rescore one person with the active model; False if scoring is not available.

    Imported when called: the scoring service is heavy and optional here (no
    model trained yet means the record is kept and the score waits).
    """
    try:
        scoring = importlib.import_module("creditcity.services.scoring")
    except ModuleNotFoundError as error:
        if error.name != "creditcity.services.scoring":
            raise
        return False
    try:
        scoring.rescore(engine, subjects={subject})
    except NotFound:
        return False
    return True


def report_outcome(
    engine: Engine,
    decision_id: str,
    result: str,
    *,
    policy: Policy,
    settings: Settings,
    days_late: int | None = None,
    provider: str | None = None,
    idempotency_key: str | None = None,
    rescore: Rescore | None = rescore_with_model,
    now: datetime | None = None,
) -> OutcomeReport:
    """Record how a decision ended, release exposure if it is settled, and rescore.

    ``provider``: the caller, who must be the provider that got the decision
    (None: the operator, on the command line).
    """
    now = now or datetime.now(UTC).replace(tzinfo=None)
    outcome = _result(result)
    decision_id = decision_id.strip()
    fingerprint = _fingerprint(decision_id, outcome, days_late)

    def work(uow: UnitOfWork, audit: list[Access]) -> tuple[OutcomeReport, Any, bool]:
        # (the report, the decision it closed or None for a kept answer, whether written)
        keys = [f"decision:{decision_id}"]
        if provider is not None and idempotency_key:
            keys.append(f"idempotency:{provider}:{idempotency_key}")
            lock_people(uow.conn, keys)
            kept = stored_answers(uow.conn, [(provider, idempotency_key)])
            if kept:
                (answer,) = kept.values()
                if answer.fingerprint != fingerprint:
                    raise idempotency_mismatch(idempotency_key)
                return OutcomeReport.from_dict(answer.response), None, False
        else:
            lock_people(uow.conn, keys)
        decision = _decision(uow.conn, decision_id, provider)
        record = _record(decision, outcome, _days(outcome, days_late), policy, settings, now)
        written = _append_once(uow.conn, decision, record, settings, now)
        audit.append(_audit(decision, outcome, written))
        exposure = open_exposure(uow.conn, decision.subject, provider=decision.requested_by)
        reported = outcome_entries(uow.conn, decision)
        report = OutcomeReport(
            decision.decision_id,
            decision.subject,
            decision.service,
            outcome,
            str(record["kind"]),
            str(record["source"]),
            str(record["idempotency_key"]),
            not written,
            any(e.kind in CLOSING_KINDS for e in reported),
            exposure,
            False,
        )
        if provider is not None and idempotency_key:
            keep_answers(
                uow.conn, [(provider, idempotency_key, fingerprint, report.as_dict())], at=now
            )
        return report, decision, written

    report, decision, written = group_commit(engine).run(work)
    if decision is None:
        return report
    if written and rescore is not None and rescore(engine, decision.subject):
        return replace(report, rescored=True)
    return report


def _fingerprint(decision_id: str, result: Result, days_late: int | None) -> str:
    body = json.dumps(["outcome", decision_id, result.value, days_late])
    return hashlib.sha256(body.encode()).hexdigest()


def _decision(conn: Connection, decision_id: str, provider: str | None) -> StoredDecision:
    """The decision, if it exists and (when a provider asks) is theirs; others learn nothing."""
    decision = get_decision(conn, decision_id)
    if decision is None or (provider is not None and decision.requested_by != provider):
        raise NotFound(
            f"no decision '{decision_id}'" + (" of yours" if provider is not None else ""),
            problems=[
                Problem(
                    "unknown decision id",
                    field="decision_id",
                    expected="the decision_id your own decision request returned",
                )
            ],
        )
    return decision


def _audit(decision: StoredDecision, outcome: Result, written: bool) -> Access:
    return Access(
        actor=decision.requested_by,
        role="provider",
        purpose=f"report the outcome of decision {decision.decision_id}",
        action="outcome",
        subject=decision.subject,
        detail={
            "decision_id": decision.decision_id,
            "result": outcome.value,
            "duplicate": not written,
        },
    )


def _result(text: str) -> Result:
    try:
        return Result(text.strip())
    except ValueError:
        raise _rejected(
            "result", f"unknown result '{text}'", "one of " + ", ".join(r.value for r in Result)
        ) from None


def _days(result: Result, days_late: int | None) -> int | None:
    """Days late as the record needs it; refuse a count that contradicts the result."""
    if result in (Result.LOST, Result.OVERDUE):
        if days_late is not None:
            raise _rejected("days_late", f"'{result}' takes no days late", "leave --days-late out")
        return None
    if days_late is not None and days_late < 0:
        raise _rejected("days_late", f"{days_late} is negative", "whole days >= 0")
    if result is Result.RETURNED_ON_TIME:
        if days_late:
            raise _rejected(
                "days_late",
                "an on-time return is 0 days late",
                "returned_late --days-late N for a late return",
            )
        return 0
    if result is Result.RETURNED_LATE and not days_late:
        raise _rejected(
            "days_late", "a late return needs how many days late", "--days-late N with N >= 1"
        )
    return days_late or 0


def _record(
    decision: StoredDecision,
    result: Result,
    days_late: int | None,
    policy: Policy,
    settings: Settings,
    now: datetime,
) -> dict[str, object]:
    """The ledger record (import format) for this outcome of this decision."""
    _check_applies(decision, result, policy)
    kind = _KIND[result]
    role = decision.requested_by.partition(":")[0]
    source = decision.requested_by if role in CATALOGUE[kind].sources else DECISIONS_SOURCE
    pay_later = result in _PAY_LATER
    return {
        "source": source,
        "idempotency_key": f"{decision.decision_id}:{result.value}",
        "subject": decision.subject,
        "kind": kind,
        "occurred_at": now,
        "city": settings.city,
        "ref": decision.decision_id,
        "item": None if pay_later else _ITEMS.get(decision.service, "other"),
        "service": decision.service if pay_later else None,
        "days_late": days_late,
        "amount": None
        if result in (Result.RETURNED_ON_TIME, Result.RETURNED_LATE)
        else str(decision.granted),
    }


def _check_applies(decision: StoredDecision, result: Result, policy: Policy) -> None:
    """A result must fit what was granted: a borrowing, a pay-later charge, nothing owed."""
    did = decision.decision_id
    if not decision.approved:
        raise Conflict(
            f"decision {did} was declined: nothing was waived or lent, "
            "so there is no outcome to report"
        )
    allowed: tuple[Result, ...]
    if decision.credit_line > 0:
        allowed = _PAY_LATER
    elif decision.service in policy.never_owed:
        raise _rejected(
            "decision_id",
            f"decision {did} waived a fee ({decision.service}), "
            "which is never owed back: there is no outcome to report",
            "a decision for a deposit waiver or a pay-later service",
        )
    else:
        allowed = _BORROWING
    if result not in allowed:
        raise _rejected(
            "result",
            f"'{result}' does not fit {decision.service}",
            "one of " + ", ".join(r.value for r in allowed),
        )


def _append_once(
    conn: Connection,
    decision: StoredDecision,
    record: dict[str, object],
    settings: Settings,
    now: datetime,
) -> bool:
    """Append the record unless it is there already; refuse to reopen a settled decision."""
    reported = outcome_entries(conn, decision)
    key = (record["source"], record["idempotency_key"])
    if any((e.source, e.idempotency_key) == key for e in reported):
        return False
    settled = [e for e in reported if e.kind in CLOSING_KINDS]
    if settled:
        first = settled[0]
        raise Conflict(
            f"decision {decision.decision_id} was already settled ({first.kind}, "
            f"{first.occurred_at:%Y-%m-%d}); a different outcome cannot follow. If that "
            "report was wrong, send a correction that supersedes it"
        )
    return write_record(conn, record, secret=settings.pseudonym_secret, now=now)


def _rejected(field: str, message: str, expected: str) -> InputRejected:
    problem = Problem(message, where="outcome report", field=field, expected=expected)
    return InputRejected(f"outcome report rejected: {message}", problems=[problem])
