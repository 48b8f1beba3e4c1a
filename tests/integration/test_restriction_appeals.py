"""The office's restriction list by appeal state: none, open, upheld, rejected (SQLite and
PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.support.decisions import POLICY, SETTINGS, ingest, judgment, now

from creditcity.errors import InputRejected
from creditcity.ledger.tables import entries
from creditcity.services.disputes import open_dispute, resolve_dispute
from creditcity.services.restriction_list import list_restrictions

TODAY = date.today()


def _entry_id(engine: Engine, subject: str) -> int:
    with engine.connect() as conn:
        query = select(entries.c.entry_id).where(
            entries.c.subject == subject, entries.c.kind == "court_judgment"
        )
        return int(conn.execute(query).scalar_one())


def _city(engine: Engine, tmp_path: Path) -> dict[str, str]:
    """Four people with a judgment each: never disputed, disputed and still open,
    disputed and upheld, disputed and rejected."""
    people = {state: f"p_{uuid.uuid4().hex}" for state in ("none", "open", "upheld", "rejected")}
    day = TODAY - timedelta(days=30)
    rows = [judgment(p, f"J-{state}", day) for state, p in people.items()]
    ingest(engine, tmp_path, rows, "judgments")
    disputes = {
        state: open_dispute(
            engine, people[state], _entry_id(engine, people[state]), "paid", settings=SETTINGS
        )
        for state in ("open", "upheld", "rejected")
    }
    resolve_dispute(engine, disputes["upheld"].dispute_id, upheld=True, note="court erred")
    resolve_dispute(engine, disputes["rejected"].dispute_id, upheld=False, note="proven")
    return people


def _listed(engine: Engine, appeal: str | None) -> list[tuple[str, str, bool]]:
    page = list_restrictions(engine, POLICY, TODAY, appeal=appeal)
    return sorted((r.subject, r.appeal, r.binding) for r in page.rows)


def test_restrictions_are_filtered_by_the_state_of_their_appeal(
    engine: Engine, tmp_path: Path
) -> None:
    people = _city(engine, tmp_path)
    # in force: never disputed, and disputed but rejected; an open dispute suspends
    # the restriction and an upheld one withdrew its record
    assert _listed(engine, None) == sorted(
        [(people["none"], "none", True), (people["rejected"], "rejected", True)]
    )
    assert _listed(engine, "none") == [(people["none"], "none", True)]
    assert _listed(engine, "open") == [(people["open"], "pending", False)]
    assert _listed(engine, "upheld") == [(people["upheld"], "upheld", False)]
    assert _listed(engine, "rejected") == [(people["rejected"], "rejected", True)]
    by_rule = list_restrictions(engine, POLICY, TODAY, appeal="upheld").by_rule
    assert sum(by_rule.values()) == 2  # the choices still count what binds today


def test_an_unknown_appeal_state_is_refused_naming_the_choices(engine: Engine) -> None:
    with pytest.raises(InputRejected) as refused:
        list_restrictions(engine, POLICY, TODAY, appeal="maybe")
    assert "none or open or upheld or rejected" in refused.value.problems[0].render()


def test_a_restriction_past_its_term_is_not_listed_even_when_its_appeal_was_upheld(
    engine: Engine, tmp_path: Path
) -> None:
    old = f"p_{uuid.uuid4().hex}"
    ingest(engine, tmp_path, [judgment(old, "J-old", date(2019, 1, 5))], "old")
    dispute = open_dispute(engine, old, _entry_id(engine, old), "paid", settings=SETTINGS)
    resolve_dispute(engine, dispute.dispute_id, upheld=True, note="paid", now=now())
    assert _listed(engine, "upheld") == []
