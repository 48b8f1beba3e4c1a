"""What if I settled these? The exact score a person would have after paying or returning.

A person picks open records (an overdue fine, tax in arrears, an unsatisfied
judgment, a loan in default, an overdue pay-later charge, an item not yet
returned). Each is answered by the record its source would send when it is
settled, dated today; the person's features are recomputed from their live
ledger entries plus those records by the same feature definitions that
score everyone, and the active scorecard turns them into points. Nothing is
written: the answer is a forecast, exact for the current model and policy.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine

from creditcity.errors import InputRejected, Problem
from creditcity.features.engine import compute_features
from creditcity.features.schema import ENTRY_SCHEMA
from creditcity.ledger.entries import live_entries_arrow
from creditcity.ledger.exclusions import consent_table, disputed_table
from creditcity.scoring.batch import explain_batch
from creditcity.services.scoring import load_active

__all__ = ["SETTLED_BY", "Settleable", "WhatIf", "settleable", "what_if"]

#: an open record's kind -> the kind its source sends when it is settled
SETTLED_BY: Mapping[str, str] = {
    "traffic_fine_overdue": "traffic_fine_paid",
    "tax_arrears": "tax_paid",
    "court_judgment": "judgment_satisfied",
    "loan_default": "loan_settled",
    "pay_later_overdue": "pay_later_paid",
    "borrowing_started": "borrowing_returned",
}
#: settlements that close the case by the same reference (anything later with that ref does)
_CLOSED_BY: Mapping[str, tuple[str, ...]] = {
    "borrowing_started": ("borrowing_returned", "borrowing_lost"),
}
MAX_CHOSEN = 50


@dataclass(frozen=True, slots=True)
class Settleable:
    """One open record the person could settle."""

    entry_id: int
    kind: str
    source: str
    ref: str | None
    amount: float | None
    item: str | None
    service: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The score now and the score with the chosen records settled, with dimensions."""

    score_now: int
    score_then: int
    dimensions_now: dict[str, int]
    dimensions_then: dict[str, int]
    chosen: list[int]

    @property
    def gain(self) -> int:
        return self.score_then - self.score_now

    def as_dict(self) -> dict[str, Any]:
        return {
            "score_now": self.score_now,
            "score_then": self.score_then,
            "gain": self.gain,
            "dimensions_now": self.dimensions_now,
            "dimensions_then": self.dimensions_then,
            "chosen": self.chosen,
        }


def settleable(engine: Engine, subject: str) -> list[Settleable]:
    """The person's open records that a payment or a return would settle, newest first."""
    with engine.connect() as conn:
        live = live_entries_arrow(conn, subject)
    return _open_records(live.to_pylist())


def _open_records(rows: list[dict[str, Any]]) -> list[Settleable]:
    closing: set[tuple[str, str | None]] = {(r["kind"], r["ref"]) for r in rows}
    found = []
    for row in rows:
        kind = row["kind"]
        if kind not in SETTLED_BY:
            continue
        closers = _CLOSED_BY.get(kind, (SETTLED_BY[kind],))
        if any((closer, row["ref"]) in closing for closer in closers):
            continue
        found.append(
            Settleable(
                int(row["entry_id"]),
                kind,
                row["source"],
                row["ref"],
                row["amount"],
                row["item"],
                row["service"],
                row["occurred_at"],
            )
        )
    return sorted(found, key=lambda s: s.occurred_at, reverse=True)


def what_if(engine: Engine, subject: str, chosen: Collection[int], *, as_of: date) -> WhatIf:
    """The exact score of ``subject`` on ``as_of`` if the ``chosen`` open records were settled."""
    with engine.connect() as conn:
        _, card = load_active(conn)
        live = live_entries_arrow(conn, subject)
        open_ids = {s.entry_id: s for s in _open_records(live.to_pylist())}
        wanted = _checked(chosen, open_ids)
        then = pa.concat_tables([live, _settlements([open_ids[i] for i in wanted], subject, as_of)])
        now_row = _scored(conn, card, live, subject, as_of)
        then_row = _scored(conn, card, then, subject, as_of)
    return WhatIf(now_row[0], then_row[0], now_row[1], then_row[1], wanted)


def _checked(chosen: Collection[int], open_ids: Mapping[int, Settleable]) -> list[int]:
    wanted = sorted(set(chosen))
    unknown = [i for i in wanted if i not in open_ids]
    if unknown or len(wanted) > MAX_CHOSEN:
        raise InputRejected(
            "those records cannot be settled",
            problems=[
                Problem(
                    f"record {unknown[0] if unknown else wanted[MAX_CHOSEN]} is not open",
                    field="settle",
                    expected=f"up to {MAX_CHOSEN} of the open records listed on your page",
                )
            ],
        )
    return wanted


def _settlements(records: list[Settleable], subject: str, day: date) -> pa.Table:
    """The records sources would send on settling, numbered below every real entry id."""
    moment = datetime(day.year, day.month, day.day)
    rows = [
        {
            "entry_id": -1 - index,
            "subject": subject,
            "source": record.source,
            "kind": SETTLED_BY[record.kind],
            "occurred_at": moment,
            "received_at": moment,
            "city": None,
            "ref": record.ref,
            "amount": record.amount,
            "balance": None,
            "credit_limit": None,
            "days_late": _days_late(record, day),
            "item": record.item,
            "service": record.service,
        }
        for index, record in enumerate(records)
    ]
    return pa.Table.from_pylist(rows, schema=ENTRY_SCHEMA)


def _days_late(record: Settleable, day: date) -> int | None:
    """Paid today: an overdue charge is as late as it is overdue; a return today is on time."""
    if record.kind == "pay_later_overdue":
        return max(0, (day - record.occurred_at.date()).days)
    if record.kind == "borrowing_started":
        return 0
    return None


def _scored(
    conn: Connection, card: Any, entries_: pa.Table, subject: str, day: date
) -> tuple[int, dict[str, int]]:
    features = compute_features(
        entries_,
        as_of=day,
        disputed=disputed_table(conn, [subject]),
        consents=consent_table(conn, [subject]),
    )
    if features.num_rows == 0:
        raise InputRejected(
            "no score to compare",
            problems=[Problem("there are no records that count", field="subject")],
        )
    batch = explain_batch(card, features)
    dims = dict(zip(batch.dimension_keys, map(int, batch.dimension_points[0]), strict=True))
    return int(batch.scores[0]), dims
