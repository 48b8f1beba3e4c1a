"""Expiry on storage: an old negative record stops counting on its day; purge blanks it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select
from tests.support.rights import SUBJECT, add, record

from creditcity.config import Settings
from creditcity.domain.catalogue import CATALOGUE
from creditcity.errors import InputRejected
from creditcity.ledger.audit import chain
from creditcity.ledger.retention import PAYLOAD
from creditcity.ledger.tables import audit_log, entries
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.access_report import access_report
from creditcity.services.purge import purge

OCCURRED = date(2020, 3, 1)


def _status(engine: Engine, entry_id: int, day: date) -> dict[str, object]:
    report = access_report(engine, SUBJECT, settings=Settings(), as_of=day)
    return next(r for r in report["records"] if r["entry_id"] == entry_id)


def test_an_expired_negative_record_shows_as_excluded_from_its_expiry_day(engine: Engine) -> None:
    (default,) = add(
        engine, record("d1", "loan_default", OCCURRED.isoformat(), ref="L1", amount=9000)
    )
    keep = CATALOGUE["loan_default"].retention_for(None)
    expiry = OCCURRED + timedelta(days=keep)
    assert keep == 5 * 365 + 1

    eve = _status(engine, default, expiry - timedelta(days=1))
    on_the_day = _status(engine, default, expiry)

    assert eve["counts"] is True and eve["counts_until"] == expiry.isoformat()
    assert on_the_day["counts"] is False
    assert on_the_day["excluded"] == [
        {"code": "expired", "why": f"expired on {expiry} (kept 1826 days, about 5 years)"}
    ]


def test_a_late_payment_is_kept_five_years_and_an_on_time_one_ten(engine: Engine) -> None:
    late, on_time = add(
        engine,
        record(
            "p1",
            "utility_bill",
            "2020-01-10",
            source="utility:water",
            ref="B1",
            amount=80,
            days_late=20,
        ),
        record(
            "p2",
            "utility_bill",
            "2020-01-10",
            source="utility:water",
            ref="B2",
            amount=80,
            days_late=0,
        ),
    )
    day = date(2025, 6, 1)
    assert _status(engine, late, day)["counts"] is False
    assert _status(engine, on_time, day)["counts"] is True


def _row(engine: Engine, entry_id: int) -> dict[str, object]:
    with UnitOfWork(engine) as uow:
        found = uow.conn.execute(select(entries).where(entries.c.entry_id == entry_id)).one()
    return dict(found._mapping)


def test_purge_blanks_only_expired_payloads_keeps_the_rows_and_leaves_one_tombstone(
    engine: Engine,
) -> None:
    old_default, old_late, recent = add(
        engine,
        record("d1", "loan_default", "2019-05-01", ref="L1", amount=9000),
        record(
            "p1",
            "utility_bill",
            "2019-05-01",
            source="utility:water",
            ref="B1",
            amount=80,
            days_late=20,
        ),
        record("k1", "loan_instalment_paid", "2019-05-01", ref="L2", amount=500, days_late=0),
    )
    day = date(2025, 6, 1)

    report = purge(engine, as_of=day)

    assert (report.count, report.kinds) == (2, {"loan_default": 1, "utility_bill": 1})
    for purged in (old_default, old_late):
        row = _row(engine, purged)
        assert all(row[name] is None for name in PAYLOAD), row
        assert row["kind"] and row["idempotency_key"] and row["occurred_at"]
    assert _row(engine, old_late)["days_late"] == 20, "lateness stays: it decides retention"
    assert _row(engine, recent)["ref"] == "L2", "a positive record is kept ten years"
    assert _status(engine, old_default, day)["purged"] is True
    with UnitOfWork(engine) as uow:
        tombstones = [r.event for r in chain(uow.conn) if r.event.action == "purge"]
    assert len(tombstones) == 1
    assert tombstones[0].subject == ""
    assert tombstones[0].detail["count"] == 2
    assert tombstones[0].detail["cutoffs"]["loan_default"] == {"all": "2020-06-02"}

    again = purge(engine, as_of=day)
    assert again.count == 0
    with UnitOfWork(engine) as uow:
        actions = list(uow.conn.execute(select(audit_log.c.action)).scalars())
    assert actions.count("purge") == 1, "a purge with nothing to blank leaves no tombstone"


def test_purge_refuses_a_day_in_the_future(engine: Engine) -> None:
    with pytest.raises(InputRejected, match="future"):
        purge(engine, as_of=date.today() + timedelta(days=2))
