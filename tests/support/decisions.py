"""Helpers for decision tests: stored scores, ledger records and requests, without a model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from creditcity.config import Settings
from creditcity.domain.policy import default_policy
from creditcity.ledger.scores import save_scores
from creditcity.ledger.tables import audit_log, decisions, entries, notices
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decide import DecisionAnswer, DecisionRequest, decide_request
from creditcity.services.ingest import ingest_files
from tests.support.files import write_rows

SETTINGS = Settings(pseudonym_secret="decisions-test-secret", city="hangzhou")
POLICY = default_policy()
COURT = "court:west-lake-district"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def give_score(engine: Engine, subject: str, score: int, *, version: str = "m-test") -> None:
    """Store a score row as a scoring run would (newest row wins)."""
    row = {
        "subject": subject,
        "as_of": date.today(),
        "computed_at": now(),
        "model_version": version,
        "score": score,
        "percentile": 0.5,
        "city": "hangzhou",
        "dimensions": {"payment_history": 100.0},
        "reasons": [{"code": "PH-LATE-30", "text": "Bills paid more than 30 days late"}],
    }
    with UnitOfWork(engine) as uow:
        save_scores(uow.conn, [row])
        uow.commit()


def ask(
    engine: Engine,
    subject: str,
    service: str,
    amount: Decimal | int | float | str,
    *,
    purpose: str = "deposit-free rental",
    provider: str = "bike_operator:hellobike",
) -> DecisionAnswer:
    request = DecisionRequest(subject, service, amount, purpose, provider)
    return decide_request(engine, request, policy=POLICY, settings=SETTINGS)


def ingest(engine: Engine, tmp_path: Path, rows: list[dict[str, Any]], name: str) -> None:
    """Put records on people's files through the ordinary import path."""
    report = ingest_files(
        [write_rows(rows, tmp_path / f"{name}.jsonl")], engine=engine, settings=SETTINGS
    )
    problems = [p.render() for f in report.files for p in f.problems]
    assert report.ok and report.accepted == len(rows), problems


def judgment(
    subject: str, ref: str, when: date | datetime, kind: str = "court_judgment"
) -> dict[str, Any]:
    """A court record about ``subject`` (a judgment to pay, or its satisfaction)."""
    row: dict[str, Any] = {
        "source": COURT,
        "idempotency_key": f"{kind}-{ref}",
        "subject": subject,
        "kind": kind,
        "occurred_at": when
        if isinstance(when, datetime)
        else datetime(when.year, when.month, when.day),
        "ref": ref,
    }
    if kind == "court_judgment":
        row["amount"] = 12000.0
    return row


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def counts(engine: Engine) -> tuple[int, int, int, int]:
    """(decisions, audit events, ledger entries, notices) stored."""
    return (
        count(engine, decisions),
        count(engine, audit_log),
        count(engine, entries),
        count(engine, notices),
    )
