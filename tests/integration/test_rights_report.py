"""The subject access report lists everything held and every access, and is itself an access."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from tests.support.rights import OTHER, OTHER_ID, SUBJECT, add, record, save_score

from creditcity.config import Settings
from creditcity.ledger.audit import chain
from creditcity.ledger.tables import entries
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.access_report import access_report, render_html
from creditcity.services.consent import grant
from creditcity.services.decide import DecisionRequest, decide_request, policy_for
from creditcity.services.disputes import open_dispute

SETTINGS = Settings()


def _stored_entry_ids(engine: Engine, subject: str) -> set[int]:
    with UnitOfWork(engine) as uow:
        query = select(entries.c.entry_id).where(entries.c.subject == subject)
        return set(uow.conn.execute(query).scalars())


def test_the_report_lists_every_record_decision_and_access_made_about_the_person(
    engine: Engine,
) -> None:
    first, _, judgment = add(
        engine,
        record("k1", "loan_instalment_paid", "2026-01-05", ref="L1", amount=500, days_late=0),
        record("s1", "monthly_spending", "2026-02-28", amount=3200),
        record("j1", "court_judgment", "2026-03-01", source="court:xihu", ref="J1", amount=8000),
    )
    add(
        engine,
        record("o1", "loan_default", "2026-01-01", national_id=OTHER_ID, ref="L9", amount=900),
    )
    save_score(engine, SUBJECT, 640, date(2026, 4, 1))
    save_score(engine, SUBJECT, 720, date(2026, 5, 1))
    answer = decide_request(
        engine,
        DecisionRequest(
            SUBJECT, "bike_deposit", 99, "bike without deposit", provider="bike_operator:hellobike"
        ),
        policy=policy_for(SETTINGS),
        settings=SETTINGS,
    )
    open_dispute(engine, SUBJECT, first, "I paid this early", settings=SETTINGS)
    grant(engine, SUBJECT, "bank:west-lake")

    report = access_report(engine, SUBJECT, settings=SETTINGS)

    assert {r["entry_id"] for r in report["records"]} == _stored_entry_ids(engine, SUBJECT)
    assert judgment in {r["entry_id"] for r in report["records"]}
    assert [d["decision_id"] for d in report["decisions"]] == [answer.decision_id]
    assert report["decisions"][0]["purpose"] == "bike without deposit"
    with UnitOfWork(engine) as uow:
        stored = [r.event.seq for r in chain(uow.conn, SUBJECT)]
    assert [a["seq"] for a in report["accesses"]] == stored
    assert [(a["actor"], a["role"], a["purpose"], a["action"]) for a in report["accesses"]] == [
        ("bike_operator:hellobike", "provider", "bike without deposit", "decide"),
        ("resident", "resident", "dispute", "dispute.opened"),
        ("resident", "resident", "consent register", "consent.granted"),
        ("resident", "resident", "subject access", "report.generated"),
    ], "the report lists its own generation"
    assert [d["statement"] for d in report["disputes"]] == ["I paid this early"]
    assert report["consents"]["active"] == ["bank:west-lake"]
    assert OTHER not in str(report), "nothing of another person's file leaks in"


def test_each_record_carries_its_source_and_legal_basis_and_scores_their_tier(
    engine: Engine,
) -> None:
    add(
        engine,
        record("k1", "loan_instalment_paid", "2026-01-05", ref="L1", amount=500, days_late=0),
        record("j1", "court_judgment", "2026-03-01", source="court:xihu", ref="J1", amount=8000),
    )
    save_score(engine, SUBJECT, 640, date(2026, 4, 1))
    save_score(engine, SUBJECT, 720, date(2026, 5, 1))

    report = access_report(engine, SUBJECT, settings=SETTINGS, as_of=date(2026, 5, 2))

    shown = [(r["source"], r["kind"], r["basis"], r["counts"]) for r in report["records"]]
    assert shown == [
        ("bank:west-lake", "loan_instalment_paid", "contract", True),
        ("court:xihu", "court_judgment", "statutory", True),
    ]
    policy = policy_for(SETTINGS)
    scores = report["scores"]
    assert scores["current"]["score"] == 720
    assert scores["current"]["tier"] == policy.tier_for(720).name
    assert [s["score"] for s in scores["history"]] == [720, 640]
    assert scores["current"]["reasons"][0]["code"] == "PH-LATE"
    (restriction,) = report["restrictions"]
    assert restriction["trigger"] == "court_judgment" and restriction["appeal_route"]
    assert restriction["expires_on"] > "2026-05-02"


def test_the_html_report_is_bilingual_phone_sized_and_escapes_what_people_wrote(
    engine: Engine,
) -> None:
    (first,) = add(
        engine,
        record("k1", "loan_instalment_paid", "2026-01-05", ref="L1", amount=500, days_late=0),
    )
    open_dispute(engine, SUBJECT, first, "<script>alert(1)</script> not mine", settings=SETTINGS)

    page = render_html(access_report(engine, SUBJECT, settings=SETTINGS, output="html"))

    assert 'name="viewport"' in page
    for heading in (
        "记录",
        "Records held about you",
        "决定",
        "Decisions made about you",
        "异议",
        "授权",
        "Who accessed your file",
        "查询记录",
    ):
        assert heading in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; not mine" in page
