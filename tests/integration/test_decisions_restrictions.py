"""Restrictions derived live from the ledger, lifting themselves, and noticed exactly once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, select
from tests.support.decisions import ask, count, give_score, ingest, judgment, now

from creditcity.domain.decisions import RESTRICTED
from creditcity.ledger.tables import disputes, entries, notices

CLINIC = "clinic:west-lake"


def person() -> str:
    return f"p_{uuid.uuid4().hex}"


def clinic(engine: Engine, subject: str) -> bool:
    answer = ask(engine, subject, "pay_later_clinic", 300, provider=CLINIC, purpose="treatment")
    return answer.decision.approved


def test_an_unpaid_judgment_restricts_only_the_services_its_rule_blocks(
    engine: Engine, tmp_path: Path
) -> None:
    subject = person()
    give_score(engine, subject, 720)
    ingest(engine, tmp_path, [judgment(subject, "J-1", date(2026, 1, 5))], "judgment")
    blocked = ask(engine, subject, "pay_later_clinic", 300, provider=CLINIC)
    assert not blocked.decision.approved
    code, text = blocked.decision.reasons[0]
    assert code == RESTRICTED and "J-1" in text and "to appeal" in text
    assert blocked.decision.restrictions[0].rule == "unpaid_court_judgment"
    assert ask(engine, subject, "bike_deposit", 99).decision.approved  # not blocked by the rule


def test_a_restriction_lifts_the_same_day_the_judgment_is_satisfied(
    engine: Engine, tmp_path: Path
) -> None:
    subject = person()
    give_score(engine, subject, 720)
    ingest(engine, tmp_path, [judgment(subject, "J-2", date(2025, 6, 1))], "judgment")
    assert not clinic(engine, subject)
    satisfied = judgment(subject, "J-2", now() - timedelta(minutes=1), "judgment_satisfied")
    ingest(engine, tmp_path, [satisfied], "satisfied")
    assert clinic(engine, subject)


def test_satisfying_a_different_judgment_lifts_nothing(engine: Engine, tmp_path: Path) -> None:
    subject = person()
    give_score(engine, subject, 720)
    rows = [
        judgment(subject, "J-3", date(2025, 6, 1)),
        judgment(subject, "J-other", date(2026, 1, 1), "judgment_satisfied"),
    ]
    ingest(engine, tmp_path, rows, "records")
    assert not clinic(engine, subject)


def test_a_judgment_under_pending_dispute_restricts_nobody_while_it_is_reviewed(
    engine: Engine, tmp_path: Path
) -> None:
    subject = person()
    give_score(engine, subject, 720)
    ingest(engine, tmp_path, [judgment(subject, "J-4", date(2026, 2, 1))], "judgment")
    with engine.begin() as conn:
        entry_id = conn.execute(
            select(entries.c.entry_id).where(entries.c.subject == subject)
        ).scalar_one()
        conn.execute(
            insert(disputes),
            {
                "subject": subject,
                "entry_id": entry_id,
                "statement": "Not my debt",
                "opened_at": now(),
                "deadline": now() + timedelta(days=30),
                "status": "pending",
            },
        )
    assert clinic(engine, subject)


def test_a_retracted_judgment_restricts_nobody(engine: Engine, tmp_path: Path) -> None:
    subject = person()
    give_score(engine, subject, 720)
    first = judgment(subject, "J-5", date(2026, 2, 1))
    retraction = {
        "source": first["source"],
        "idempotency_key": "retract-J-5",
        "subject": subject,
        "kind": "retraction",
        "occurred_at": datetime(2026, 3, 1),
        "supersedes": first["idempotency_key"],
    }
    ingest(engine, tmp_path, [first], "judgment")
    assert not clinic(engine, subject)
    ingest(engine, tmp_path, [retraction], "retraction")
    assert clinic(engine, subject)


def test_a_judgment_older_than_its_expiry_restricts_nobody(engine: Engine, tmp_path: Path) -> None:
    subject = person()
    give_score(engine, subject, 720)
    ingest(engine, tmp_path, [judgment(subject, "J-6", date(2019, 1, 1))], "judgment")
    assert clinic(engine, subject)


def test_the_person_is_noticed_once_with_expiry_and_appeal_route(
    engine: Engine, tmp_path: Path
) -> None:
    subject = person()
    give_score(engine, subject, 720)
    ingest(engine, tmp_path, [judgment(subject, "J-7", date(2026, 1, 5))], "judgment")
    first = ask(engine, subject, "bike_deposit", 99)  # any decision tells them
    second = ask(engine, subject, "pay_later_clinic", 100, provider=CLINIC)
    assert len(first.notices) == 1 and second.notices == ()
    assert count(engine, notices, notices.c.subject == subject) == 1
    with engine.connect() as conn:
        stored = conn.execute(select(notices).where(notices.c.subject == subject)).one()
    assert (stored.kind, stored.reference) == ("restriction", "J-7")
    expires = date(2026, 1, 5) + timedelta(days=1826)
    assert "J-7" in stored.text and expires.isoformat() in stored.text
    assert "Appeal to the issuing court" in stored.text


def test_a_new_judgment_brings_a_new_notice(engine: Engine, tmp_path: Path) -> None:
    subject = person()
    give_score(engine, subject, 720)
    ingest(engine, tmp_path, [judgment(subject, "J-8", date(2026, 1, 5))], "first")
    ask(engine, subject, "bike_deposit", 99)
    ingest(engine, tmp_path, [judgment(subject, "J-9", date(2026, 2, 5))], "second")
    answer = ask(engine, subject, "bike_deposit", 50)
    assert [n.reference for n in answer.notices] == ["J-9"]
    assert count(engine, notices, notices.c.subject == subject) == 2
