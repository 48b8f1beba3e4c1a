"""The policy-level fairness audit over a stored city, from a file path or uploaded bytes."""

from __future__ import annotations

import io
from datetime import date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select

from creditcity.config import Settings
from creditcity.domain.subjects import pseudonymise
from creditcity.errors import InputRejected
from creditcity.ledger.scores import save_scores
from creditcity.ledger.tables import metadata
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.fairness_audit import audit_fairness_upload, audit_policy_fairness

SECRET = "fairness-test-secret"
SETTINGS = Settings(pseudonym_secret=SECRET)
DAY = date(2026, 6, 30)


def _subject(n: int) -> str:
    return pseudonymise(f"33010619900101{n:04d}", SECRET)


def _city(engine: Engine) -> bytes:
    """North: 60 scored 560 (no bikes) and 40 unscored; south: 100 scored 640. A groups CSV."""
    rows = []
    for n in range(160):
        if n < 60:
            score = 560
        elif n < 100:
            continue  # unscored: known only to the group file
        else:
            score = 640
        rows.append(
            {
                "subject": _subject(n),
                "as_of": DAY,
                "computed_at": datetime(2026, 6, 30),
                "model_version": "test-1",
                "score": score,
                "percentile": 50.0,
                "city": "hangzhou",
                "dimensions": {},
                "reasons": [],
            }
        )
    with UnitOfWork(engine) as uow:
        save_scores(uow.conn, rows)
        uow.commit()
    lines = [f"33010619900101{n:04d},zz-{'north' if n < 100 else 'south'}" for n in range(160)]
    return ("national_id,group\n" + "\n".join(lines) + "\n").encode()


def _stored(engine: Engine) -> str:
    with UnitOfWork(engine) as uow:
        return "\n".join(
            repr(tuple(row))
            for table in metadata.sorted_tables
            for row in uow.conn.execute(select(table))
        )


def test_an_uploaded_group_file_is_audited_for_every_resident_and_nothing_of_it_is_stored(
    engine: Engine,
) -> None:
    audit = audit_fairness_upload(engine, _city(engine), settings=SETTINGS)
    report = audit.policy
    assert dict(report.groups) == {"zz-north": 100, "zz-south": 60}
    assert dict(report.unscored) == {"zz-north": 40, "zz-south": 0}
    bike = next(
        e for e in report.eligibility if (e.service, e.group) == ("bike_deposit", "zz-north")
    )
    assert (bike.eligible, bike.impact_ratio, bike.flagged) == (0, 0.0, True)
    umbrella = next(
        e for e in report.eligibility if (e.service, e.group) == ("umbrella_deposit", "zz-north")
    )
    assert umbrella.rate == 1.0  # unscored people get umbrellas by the thin-file rule
    assert audit.decisions.unlabelled == 0
    assert "zz-north" not in _stored(engine) and "zz-south" not in _stored(engine)


def test_a_parquet_upload_and_a_stream_give_the_same_audit(engine: Engine) -> None:
    csv_bytes = _city(engine)
    lines = csv_bytes.decode().splitlines()[1:]
    table = pa.table(
        {"national_id": [x.split(",")[0] for x in lines], "group": [x.split(",")[1] for x in lines]}
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    from_parquet = audit_fairness_upload(engine, buffer.getvalue(), settings=SETTINGS)
    from_stream = audit_fairness_upload(engine, io.BytesIO(csv_bytes), settings=SETTINGS)
    assert from_parquet.policy.as_dict() == from_stream.policy.as_dict()


def test_an_upload_that_is_not_a_group_file_is_refused_naming_the_columns(engine: Engine) -> None:
    with pytest.raises(InputRejected, match="lacks columns"):
        audit_fairness_upload(engine, b"who,what\n1,2\n", settings=SETTINGS)


def test_outcomes_without_an_active_model_give_equal_opportunity_but_no_calibration(
    engine: Engine,
) -> None:
    groups_csv = _city(engine)
    from creditcity.services.fairness_audit import read_groups_bytes

    groups = read_groups_bytes(groups_csv, secret=SECRET)
    outcomes = {_subject(n): False for n in range(160)}
    audit = audit_policy_fairness(engine, groups, outcomes=outcomes, settings=SETTINGS)
    assert all(c.ratio is None for c in audit.policy.calibration)
    bike = next(
        e for e in audit.policy.eligibility if (e.service, e.group) == ("bike_deposit", "zz-north")
    )
    assert bike.equal_opportunity_difference == pytest.approx(-1.0)
