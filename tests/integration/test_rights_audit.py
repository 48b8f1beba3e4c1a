"""The stored audit chain catches tampering; the fairness audit stores no group label."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select, text
from tests.support.rights import SUBJECT, add, record, save_score

from creditcity.domain.subjects import pseudonymise
from creditcity.errors import InputRejected
from creditcity.ledger.audit import record_access
from creditcity.ledger.decisions import insert_decision
from creditcity.ledger.tables import metadata
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.audit_chain import Break, ChainAnchor
from creditcity.services.audit_log import verify_audit_log
from creditcity.services.fairness_audit import audit_fairness, read_groups

SECRET = "creditcity-demo-secret-change-me"


def _five_events(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        for n in range(5):
            record_access(
                uow.conn,
                actor=f"provider:{n}",
                role="provider",
                purpose="bike deposit",
                action="decide",
                subject=SUBJECT,
                detail={"n": n},
            )
        uow.commit()


def _edit(conn: Connection) -> None:
    conn.execute(text("UPDATE audit_log SET purpose = 'marketing' WHERE seq = 2"))


def _overwrite_hash(conn: Connection) -> None:
    conn.execute(text("UPDATE audit_log SET hash = prev_hash WHERE seq = 2"))


def _delete(conn: Connection) -> None:
    conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))


def _reorder(conn: Connection) -> None:
    for old, new in ((2, -2), (3, 2), (-2, 3)):
        conn.execute(
            text("UPDATE audit_log SET seq = :new WHERE seq = :old"), {"new": new, "old": old}
        )


def test_an_untouched_chain_verifies(engine: Engine) -> None:
    _five_events(engine)
    verdict = verify_audit_log(engine)
    assert (verdict.intact, verdict.count) == (True, 5)
    assert verify_audit_log(engine, anchor=ChainAnchor(5, verdict.head)).intact


@pytest.mark.parametrize(
    ("tamper", "kind"),
    [
        (_edit, Break.EDITED),
        (_overwrite_hash, Break.EDITED),
        (_delete, Break.DELETED),
        (_reorder, Break.EDITED),
    ],
    ids=["edited", "hash-edited", "deleted", "reordered"],
)
def test_editing_deleting_or_reordering_a_stored_row_is_caught_at_that_row(
    engine: Engine, tamper: Callable[[Connection], None], kind: Break
) -> None:
    _five_events(engine)
    with engine.begin() as conn:
        tamper(conn)
    verdict = verify_audit_log(engine)
    assert not verdict.intact
    assert verdict.first_broken_seq == 2
    assert verdict.kind is kind
    assert verdict.count == 1, "only the row before the break is vouched for"


def test_cutting_off_the_newest_rows_is_caught_against_a_published_anchor(engine: Engine) -> None:
    _five_events(engine)
    head = verify_audit_log(engine).head
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
    assert verify_audit_log(engine).intact, "a clean cut is invisible without an anchor"
    verdict = verify_audit_log(engine, anchor=ChainAnchor(5, head))
    assert (verdict.intact, verdict.first_broken_seq, verdict.kind) == (False, 4, Break.DELETED)


def _decision(conn: Connection, subject: str, n: int, approved: bool) -> None:
    insert_decision(
        conn,
        {
            "decision_id": f"d{n}",
            "subject": subject,
            "service": "bike_deposit",
            "amount": 299.0,
            "purpose": "bike",
            "requested_by": "bike_operator:hellobike",
            "decided_at": datetime(2026, 5, 1, 10, n),
            "approved": approved,
            "waived_amount": 299.0 if approved else 0.0,
            "credit_line": 0.0,
            "tier": "B",
            "score": 700,
            "reasons": [],
            "restrictions": [],
            "model_version": "test-1",
            "policy_version": "1",
        },
    )


def _city_of_four(engine: Engine, tmp_path: Path) -> Path:
    ids = [f"33010619900101{n:04d}" for n in range(4)]
    for n, national_id in enumerate(ids):
        add(
            engine,
            record(
                f"k{n}",
                "loan_instalment_paid",
                "2026-01-05",
                national_id=national_id,
                ref=f"L{n}",
                amount=500,
                days_late=0,
            ),
        )
        save_score(engine, pseudonymise(national_id, SECRET), 600 + 50 * n, date(2026, 5, 1))
    with UnitOfWork(engine) as uow:
        for n, national_id in enumerate(ids):
            _decision(uow.conn, pseudonymise(national_id, SECRET), n, approved=n != 0)
        uow.commit()
    labels = tmp_path / "groups.csv"
    rows = [f"{nid},zz-label-{'north' if n < 2 else 'south'}" for n, nid in enumerate(ids)]
    labels.write_text("national_id,group\n" + "\n".join(rows) + "\n")
    return labels


def test_the_fairness_audit_flags_a_low_impact_ratio_and_never_stores_a_label(
    engine: Engine, tmp_path: Path
) -> None:
    labels = _city_of_four(engine, tmp_path)

    report = audit_fairness(engine, read_groups(labels, secret=SECRET))

    north, south = report.groups
    assert (north.group, north.count, north.mean) == ("zz-label-north", 2, 625.0)
    assert north.services["bike_deposit"].rate == 0.5
    assert south.services["bike_deposit"].rate == 1.0
    assert report.flagged == [("zz-label-north", "bike_deposit", 0.5)]
    assert _everything_stored(engine).count("zz-label") == 0
    assert "fairness.audited" in _everything_stored(engine)


def _everything_stored(engine: Engine) -> str:
    """Every value of every row of every table, as one text."""
    with UnitOfWork(engine) as uow:
        return "\n".join(
            repr(tuple(row))
            for table in metadata.sorted_tables
            for row in uow.conn.execute(select(table))
        )


def test_a_group_file_with_bad_ids_or_no_label_column_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("national_id,group\n330106199001011234,a\nnot an id!,b\n")
    with pytest.raises(InputRejected) as refused:
        read_groups(bad, secret=SECRET)
    assert refused.value.problems[0].where.endswith("row 2")
    with pytest.raises(InputRejected, match="lacks columns"):
        read_groups(bad, secret=SECRET, attribute="sex")
