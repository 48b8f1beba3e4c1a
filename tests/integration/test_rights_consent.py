"""The consent register on storage: events the feature engines read, voluntary sources only."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from tests.support.rights import SUBJECT, add, record

from creditcity.config import Settings
from creditcity.errors import InputRejected
from creditcity.ledger.audit import chain
from creditcity.ledger.exclusions import consent_table
from creditcity.ledger.tables import consents
from creditcity.ledger.unit_of_work import UnitOfWork, on_people_changed
from creditcity.services.access_report import access_report
from creditcity.services.consent import CONSENT_ROLES, grant, list_consents, withdraw

GRANTED = datetime(2026, 3, 1, 9, 0)
WITHDRAWN = datetime(2026, 4, 1, 9, 0)


def _periods(engine: Engine) -> list[dict[str, object]]:
    with UnitOfWork(engine) as uow:
        return consent_table(uow.conn, SUBJECT).to_pylist()


def test_granting_and_withdrawing_change_the_consent_periods_the_features_read(
    engine: Engine,
) -> None:
    changed: list[frozenset[str]] = []
    on_people_changed(engine, changed.append)
    grant(engine, SUBJECT, "bank:west-lake", now=GRANTED)
    assert _periods(engine) == [
        {
            "subject": SUBJECT,
            "source": "bank:west-lake",
            "granted_at": GRANTED,
            "withdrawn_at": None,
        }
    ]

    state = withdraw(engine, SUBJECT, "bank:west-lake", now=WITHDRAWN)

    assert _periods(engine) == [
        {
            "subject": SUBJECT,
            "source": "bank:west-lake",
            "granted_at": GRANTED,
            "withdrawn_at": WITHDRAWN,
        }
    ]
    assert state.active == [] and state.changed
    assert [e.action for e in state.events] == ["grant", "withdraw"]
    assert changed == [{SUBJECT}, {SUBJECT}], "each change asks for a rescore"


def test_granting_twice_stores_one_event_and_asks_for_no_rescore(engine: Engine) -> None:
    changed: list[frozenset[str]] = []
    on_people_changed(engine, changed.append)
    grant(engine, SUBJECT, "broker:huatai")
    again = grant(engine, SUBJECT, "broker:huatai")
    assert not again.changed
    assert len(again.events) == 1 and len(changed) == 1
    assert not withdraw(engine, SUBJECT, "card_issuer:zhaoshang").changed


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("court:xihu", "a court submits no voluntary records"),
        ("bike_operator:hellobike", "a bike_operator submits no voluntary records"),
        ("bank", "is not a source id"),
        ("astrologer:zhou", "is not a source id"),
    ],
)
def test_consent_is_refused_for_sources_of_statutory_or_contract_records(
    engine: Engine, source: str, words: str
) -> None:
    with pytest.raises(InputRejected) as refused:
        grant(engine, SUBJECT, source)
    assert words in refused.value.problems[0].message
    assert ", ".join(CONSENT_ROLES) in refused.value.problems[0].expected
    with UnitOfWork(engine) as uow:
        assert uow.conn.execute(select(func.count()).select_from(consents)).scalar_one() == 0


def test_withdrawal_stops_only_voluntary_records_counting_and_the_report_says_so(
    engine: Engine,
) -> None:
    spending, loan, fine = add(
        engine,
        record("s1", "monthly_spending", "2026-02-28", amount=3200),
        record("k1", "loan_instalment_paid", "2026-02-05", ref="L1", amount=500, days_late=0),
        record(
            "f1",
            "traffic_fine_overdue",
            "2026-02-10",
            source="traffic_police:hz",
            ref="F1",
            amount=200,
        ),
    )
    grant(engine, SUBJECT, "bank:west-lake", now=GRANTED)

    def counting(day: str) -> set[int]:
        as_of = datetime.fromisoformat(day).date()
        report = access_report(engine, SUBJECT, settings=Settings(), as_of=as_of)
        assert "Statutory records" in report["consents"]["note"]
        return {r["entry_id"] for r in report["records"] if r["counts"]}

    assert counting("2026-03-15") == {spending, loan, fine}
    withdraw(engine, SUBJECT, "bank:west-lake", now=WITHDRAWN)
    assert counting("2026-03-31") == {spending, loan, fine}, "consent held until withdrawn"
    assert counting("2026-04-01") == {loan, fine}, "the bank's loan record is contract: it stays"


def test_reading_and_changing_the_register_is_audited(engine: Engine) -> None:
    grant(engine, SUBJECT, "bank:west-lake")
    withdraw(engine, SUBJECT, "bank:west-lake")
    list_consents(engine, SUBJECT)
    with UnitOfWork(engine) as uow:
        actions = [r.event.action for r in chain(uow.conn, SUBJECT)]
    assert actions == ["consent.granted", "consent.withdrawn", "consent.listed"]
