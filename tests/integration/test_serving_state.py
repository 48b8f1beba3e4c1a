"""A worker's in-memory scores catch up with every score row written by anyone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, insert
from tests.support.decisions import give_score

from creditcity.ledger.tables import scores
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.serving import ServingState

ANN = "p_" + "a" * 32
BOB = "p_" + "b" * 32


def _load(engine: Engine) -> ServingState:
    with UnitOfWork(engine) as uow:
        return ServingState.load(uow.conn)


def _refresh(engine: Engine, state: ServingState) -> None:
    with UnitOfWork(engine) as uow:
        state.refresh(uow.conn)


def test_scores_written_after_loading_are_served_after_the_next_refresh(engine: Engine) -> None:
    give_score(engine, ANN, 600)
    state = _load(engine)
    assert state.score_of(ANN) is not None and state.score_of(ANN).score == 600  # type: ignore[union-attr]
    give_score(engine, ANN, 710)
    give_score(engine, BOB, 640)
    _refresh(engine, state)
    assert [state.score_of(s).score for s in (ANN, BOB)] == [710, 640]  # type: ignore[union-attr]


def test_a_score_committed_out_of_id_order_is_still_found(engine: Engine) -> None:
    give_score(engine, ANN, 600)
    state = _load(engine)
    top = state.last_id
    _insert(engine, top + 5, BOB, 700)  # a later id commits first
    _refresh(engine, state)
    _insert(engine, top + 2, ANN, 810)  # an earlier id commits after it
    _refresh(engine, state)
    assert state.score_of(ANN).score == 810  # type: ignore[union-attr]
    assert state.score_of(BOB).score == 700  # type: ignore[union-attr]


def _insert(engine: Engine, score_id: int, subject: str, value: int) -> None:
    row = {
        "score_id": score_id,
        "subject": subject,
        "as_of": date.today(),
        "computed_at": datetime.now(UTC).replace(tzinfo=None),
        "model_version": "m",
        "score": value,
        "percentile": 50.0,
        "city": "hangzhou",
        "dimensions": {},
        "reasons": [],
    }
    with UnitOfWork(engine) as uow:
        uow.conn.execute(insert(scores), row)
        uow.commit()
