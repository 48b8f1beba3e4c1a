"""The office's figures read the ledger through its partial indexes, which must hold every
kind those figures ask about."""

from __future__ import annotations

from sqlalchemy import Engine, text

from creditcity.ledger.decisions import OUTCOME_KINDS, RESTRICTION_KINDS
from creditcity.ledger.office_figures import decision_summary
from creditcity.ledger.tables import INDEXED_OUTCOME_KINDS, INDEXED_RESTRICTION_KINDS


def test_the_partial_indexes_hold_every_outcome_and_adjudicated_kind() -> None:
    # a kind missing here would silently drop out of the figures and the restrictions
    assert set(OUTCOME_KINDS) <= set(INDEXED_OUTCOME_KINDS)
    assert set(RESTRICTION_KINDS) <= set(INDEXED_RESTRICTION_KINDS)


def test_each_decisions_outcomes_are_looked_up_with_one_seek_of_the_outcome_index(
    sqlite_url: str,
) -> None:
    from creditcity.ledger.db import make_engine, migrate

    engine: Engine = make_engine(sqlite_url)
    migrate(engine)
    seen: list[str] = []
    with engine.connect() as conn:
        original = conn.execute

        def explained(statement, *args, **kwargs):  # type: ignore[no-untyped-def]
            compiled = statement.compile(
                dialect=conn.dialect, compile_kwargs={"literal_binds": True}
            )
            plan = original(text(f"EXPLAIN QUERY PLAN {compiled}"))
            seen.extend(str(row[3]) for row in plan)
            return original(statement, *args, **kwargs)

        conn.execute = explained  # type: ignore[method-assign]
        decision_summary(conn, offset_minutes=480)
    lookups = [step for step in seen if "outcome" in step and "SEARCH" in step]
    assert lookups and all(
        step == "SEARCH outcome USING COVERING INDEX ix_entries_outcomes (ref=? AND subject=?)"
        for step in lookups
    )
    assert any("ix_decisions_figures" in step for step in seen)
