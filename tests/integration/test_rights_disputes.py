"""Disputes on storage: a disputed record stops counting at once, the outcome is a ledger entry."""

from __future__ import annotations

from datetime import timedelta
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.support.rights import OTHER, OTHER_ID, SUBJECT, add, record

from creditcity.config import Settings
from creditcity.errors import Conflict, InputRejected, NotFound
from creditcity.ledger import disputes as store
from creditcity.ledger.audit import chain
from creditcity.ledger.entries import live_entries_arrow
from creditcity.ledger.exclusions import disputed_table, pending_disputed_entry_ids
from creditcity.ledger.tables import entries
from creditcity.ledger.unit_of_work import UnitOfWork, on_people_changed
from creditcity.services.access_report import access_report
from creditcity.services.disputes import (
    DEADLINE_ACTOR,
    deadline_days,
    list_disputes,
    open_dispute,
    resolve_dispute,
    sweep,
    utc_now,
)

SETTINGS = Settings()


def _file(engine: Engine) -> list[int]:
    return add(
        engine,
        record("k1", "loan_instalment_paid", "2026-01-05", ref="L1", amount=500, days_late=0),
        record("k2", "loan_instalment_paid", "2026-02-05", ref="L1", amount=500, days_late=45),
        record(
            "f1",
            "traffic_fine_overdue",
            "2026-03-01",
            source="traffic_police:hz",
            ref="F1",
            amount=200,
        ),
    )


def _pending(engine: Engine) -> set[int]:
    with UnitOfWork(engine) as uow:
        return pending_disputed_entry_ids(uow.conn, SUBJECT)


def _live_ids(engine: Engine) -> set[int]:
    with UnitOfWork(engine) as uow:
        return set(live_entries_arrow(uow.conn, SUBJECT).column("entry_id").to_pylist())


def _record_in_report(engine: Engine, entry_id: int) -> dict[str, object]:
    report = access_report(engine, SUBJECT, settings=SETTINGS)
    return next(r for r in report["records"] if r["entry_id"] == entry_id)


def test_a_disputed_record_stops_counting_at_once_and_counts_again_when_rejected(
    engine: Engine,
) -> None:
    _, late, _ = _file(engine)
    changed: list[frozenset[str]] = []
    on_people_changed(engine, changed.append)
    opened = open_dispute(
        engine,
        SUBJECT,
        late,
        "I paid on time; the bank's date is wrong",
        settings=SETTINGS,
    )

    assert _pending(engine) == {late}
    with UnitOfWork(engine) as uow:
        assert disputed_table(uow.conn).column("entry_id").to_pylist() == [late]
    shown = _record_in_report(engine, late)
    assert shown["counts"] is False
    assert [x["code"] for x in shown["excluded"]] == ["disputed"]  # type: ignore[index]

    resolve_dispute(
        engine,
        opened.dispute_id,
        upheld=False,
        note="bank ledger shows 45 days late",
    )

    assert _pending(engine) == set()
    assert late in _live_ids(engine)
    shown = _record_in_report(engine, late)
    assert shown["counts"] is True
    assert shown["disputes"] == [
        {
            "dispute_id": opened.dispute_id,
            "status": "rejected",
            "statement": "I paid on time; the bank's date is wrong",
        }
    ]
    assert changed == [{SUBJECT}, {SUBJECT}], "each change asks for a rescore of the person"


def test_an_upheld_dispute_retracts_the_record_under_its_own_source_and_keeps_the_original(
    engine: Engine,
) -> None:
    _, _, fine = _file(engine)
    opened = open_dispute(engine, SUBJECT, fine, "paid at the window", settings=SETTINGS)
    resolve_dispute(engine, opened.dispute_id, upheld=True, note="payment receipt verified")

    with UnitOfWork(engine) as uow:
        rows = [
            dict(r._mapping)
            for r in uow.conn.execute(
                select(entries)
                .where(entries.c.source == "traffic_police:hz")
                .order_by(entries.c.entry_id)
            )
        ]
    assert rows[0]["entry_id"] == fine, "the original entry stays in the ledger"
    retraction = rows[-1]
    assert (retraction["kind"], retraction["supersedes"], retraction["idempotency_key"]) == (
        "retraction",
        "f1",
        f"dispute-{opened.dispute_id}",
    )
    assert retraction["subject"] == SUBJECT
    assert fine not in _live_ids(engine)
    assert _pending(engine) == set()
    shown = _record_in_report(engine, fine)
    assert shown["excluded"] == [
        {"code": "superseded", "why": f"withdrawn after dispute {opened.dispute_id} was upheld"}
    ]


def test_a_dispute_nobody_answers_by_its_deadline_is_upheld(engine: Engine) -> None:
    first, *_ = _file(engine)
    start = utc_now() - timedelta(days=40)
    opened = open_dispute(engine, SUBJECT, first, "not my loan", settings=SETTINGS, now=start)
    assert opened.deadline == start + timedelta(days=30)

    assert sweep(engine, now=start + timedelta(days=29)) == []
    assert _pending(engine) == {first}

    listed = list_disputes(engine, subject=SUBJECT)  # reading disputes sweeps them first

    assert [(d.status, d.resolved_by) for d in listed] == [("upheld", DEADLINE_ACTOR)]
    assert first not in _live_ids(engine)
    assert sweep(engine) == [], "an upheld dispute is not upheld twice"


def test_the_source_hears_of_a_dispute_and_its_outcome_through_the_outbox(engine: Engine) -> None:
    _, _, fine = _file(engine)
    opened = open_dispute(engine, SUBJECT, fine, "paid at the window", settings=SETTINGS)
    resolve_dispute(engine, opened.dispute_id, upheld=True, note="receipt verified")

    with UnitOfWork(engine) as uow:
        sent = store.messages(uow.conn, recipient="traffic_police:hz")
        assert store.messages(uow.conn, recipient="bank:west-lake") == []
    assert [m["topic"] for m in sent] == ["dispute.opened", "dispute.resolved"]
    assert sent[0]["payload"]["idempotency_key"] == "f1"
    assert sent[0]["payload"]["statement"] == "paid at the window"
    assert "subject" not in sent[0]["payload"]
    assert sent[1]["payload"]["status"] == "upheld"
    assert sent[1]["payload"]["retraction_key"] == f"dispute-{opened.dispute_id}"


def test_every_dispute_action_is_audited_in_the_persons_chain(engine: Engine) -> None:
    first, late, _ = _file(engine)
    one = open_dispute(engine, SUBJECT, first, "wrong amount", settings=SETTINGS)
    two = open_dispute(engine, SUBJECT, late, "wrong date", settings=SETTINGS)
    resolve_dispute(engine, one.dispute_id, upheld=True, note="corrected", actor="operator:li")
    resolve_dispute(engine, two.dispute_id, upheld=False, note="confirmed by the bank")

    with UnitOfWork(engine) as uow:
        trail = [(r.event.actor, r.event.role, r.event.action) for r in chain(uow.conn, SUBJECT)]
    assert trail == [
        ("resident", "resident", "dispute.opened"),
        ("resident", "resident", "dispute.opened"),
        ("operator:li", "operator", "dispute.upheld"),
        ("operator", "operator", "dispute.rejected"),
    ]


def test_disputes_are_refused_for_unknown_or_foreign_or_replaced_or_already_disputed_records(
    engine: Engine,
) -> None:
    first, late, _ = _file(engine)
    (foreign,) = add(
        engine,
        record("o1", "loan_default", "2026-01-01", national_id=OTHER_ID, ref="L9", amount=900),
    )
    with pytest.raises(NotFound, match="not in this person's file"):
        open_dispute(engine, SUBJECT, 999_999, "unknown", settings=SETTINGS)
    with pytest.raises(NotFound, match="not in this person's file"):
        open_dispute(engine, SUBJECT, foreign, "not mine", settings=SETTINGS)
    with pytest.raises(InputRejected, match="statement is empty"):
        open_dispute(engine, SUBJECT, first, "   ", settings=SETTINGS)

    opened = open_dispute(engine, SUBJECT, first, "wrong", settings=SETTINGS)
    with pytest.raises(Conflict, match="already open"):
        open_dispute(engine, SUBJECT, first, "still wrong", settings=SETTINGS)

    resolve_dispute(engine, opened.dispute_id, upheld=False, note="record confirmed")
    with pytest.raises(Conflict, match="already closed"):
        resolve_dispute(engine, opened.dispute_id, upheld=True, note="changed my mind")
    with pytest.raises(Conflict, match="was rejected"):
        open_dispute(engine, SUBJECT, first, "again", settings=SETTINGS)
    with pytest.raises(NotFound, match="no dispute 424242"):
        resolve_dispute(engine, 424242, upheld=True, note="x")

    (correction,) = add(
        engine,
        record(
            "k2b",
            "loan_instalment_paid",
            "2026-02-05",
            ref="L1",
            amount=500,
            days_late=3,
            supersedes="k2",
        ),
    )
    with pytest.raises(Conflict, match=f"entry {correction} .* replaced it"):
        open_dispute(engine, SUBJECT, late, "wrong", settings=SETTINGS)
    assert _pending(engine) == set()


def test_the_operators_policy_file_sets_the_dispute_deadline(tmp_path: Path) -> None:
    shipped = files("creditcity.domain").joinpath("default_policy.toml").read_text("utf-8")
    assert "dispute_deadline_days = 30" in shipped
    policy = tmp_path / "policy.toml"
    policy.write_text(shipped.replace("dispute_deadline_days = 30", "dispute_deadline_days = 20"))

    assert deadline_days(Settings(policy_path=policy)) == 20
    assert deadline_days(Settings(dispute_deadline_days=45)) == 45


@pytest.mark.parametrize("strangers", [0, store.FILTERED_IN_SQL + 1])
def test_a_sweep_of_some_people_upholds_only_their_overdue_disputes(
    engine: Engine, strangers: int
) -> None:
    first, *_ = _file(engine)
    start = utc_now() - timedelta(days=40)
    open_dispute(engine, SUBJECT, first, "not my loan", settings=SETTINGS, now=start)
    others = {f"p_{i:032x}" for i in range(strangers)} | {OTHER}

    assert sweep(engine, subjects=others) == []  # an import of other people's records
    assert _pending(engine) == {first}
    upheld = sweep(engine, subjects=others | {SUBJECT})
    assert [d.subject for d in upheld] == [SUBJECT]
    assert _pending(engine) == set()
