"""A person's file built straight through the ledger, for the rights tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select

from creditcity.domain.records import ENTRY_ARROW_SCHEMA, entries_from_rows, validate_row
from creditcity.domain.subjects import pseudonymise
from creditcity.ledger.entries import append_batch, register_subjects
from creditcity.ledger.scores import save_scores
from creditcity.ledger.tables import entries
from creditcity.ledger.unit_of_work import UnitOfWork

SECRET = "creditcity-demo-secret-change-me"
NATIONAL_ID = "330106199001011234"
OTHER_ID = "330106198505055678"
SUBJECT = pseudonymise(NATIONAL_ID, SECRET)
OTHER = pseudonymise(OTHER_ID, SECRET)
NOW = datetime(2026, 6, 1, 12, 0)


def record(
    key: str,
    kind: str,
    occurred: str,
    *,
    source: str = "bank:west-lake",
    national_id: str = NATIONAL_ID,
    **fields: Any,
) -> dict[str, Any]:
    """One import-format row; ``fields`` are the kind's field columns."""
    return {
        "source": source,
        "idempotency_key": key,
        "national_id": national_id,
        "kind": kind,
        "occurred_at": occurred,
        "city": "hangzhou",
        **fields,
    }


def add(engine: Engine, *rows: Mapping[str, Any], now: datetime = NOW) -> list[int]:
    """Validate and append rows as an import would; returns their entry ids in order."""
    checked = []
    for row in rows:
        outcome = validate_row(dict(row), "test", SECRET, now)
        assert not isinstance(outcome, list), outcome
        checked.append(outcome)
    batch = entries_from_rows(checked, ENTRY_ARROW_SCHEMA)
    with UnitOfWork(engine) as uow:
        register_subjects(uow.conn, batch, now)
        append_batch(uow.conn, batch, now)
        ids = {
            (source, key): int(entry_id)
            for source, key, entry_id in uow.conn.execute(
                select(entries.c.source, entries.c.idempotency_key, entries.c.entry_id)
            )
        }
        uow.commit()
    return [ids[(str(r["source"]), str(r["idempotency_key"]))] for r in rows]


def save_score(engine: Engine, subject: str, score: int, as_of: date) -> None:
    with UnitOfWork(engine) as uow:
        save_scores(
            uow.conn,
            [
                {
                    "subject": subject,
                    "as_of": as_of,
                    "computed_at": datetime.combine(as_of, datetime.min.time()),
                    "model_version": "test-1",
                    "score": score,
                    "percentile": 50.0,
                    "city": "hangzhou",
                    "dimensions": {"payment_history": 120.0},
                    "reasons": [{"code": "PH-LATE", "text": "late payments in the last year"}],
                }
            ],
        )
        uow.commit()
