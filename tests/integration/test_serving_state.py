"""A worker's in-memory scores catch up with every score row written by anyone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, insert
from tests.support.decisions import give_score

from creditcity.ledger.tables import scores
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services import serving
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


def _person(i: int) -> str:
    return "p_" + f"{i:032x}"


def test_rescored_people_are_put_into_the_arrays_so_the_worker_does_not_grow(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving, "COMPACT_AT", 4)
    give_score(engine, ANN, 600)
    state = _load(engine)
    state.compact_at = 4
    for i in range(1, 13):  # eight newcomers and four rescorings of people already held
        give_score(engine, _person(i % 9), 500 + i)
        _refresh(engine, state)
    assert len(state.changed) < 4
    assert len(state.table) >= 8
    assert {i: state.score_of(_person(i)).score for i in range(9)} == {  # type: ignore[union-attr]
        0: 509,
        1: 510,
        2: 511,
        3: 512,
        4: 504,
        5: 505,
        6: 506,
        7: 507,
        8: 508,
    }
    assert state.score_of(ANN).score == 600  # type: ignore[union-attr]


def test_scores_after_an_open_gap_stay_aside_until_the_gap_is_filled(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving, "COMPACT_AT", 2)
    give_score(engine, ANN, 600)
    state = _load(engine)
    state.compact_at = 2
    top = state.last_id
    for offset, person in ((3, 1), (4, 2), (5, 3)):  # ids top+1 and top+2 not yet committed
        _insert(engine, top + offset, _person(person), 700 + person)
    _refresh(engine, state)
    assert {top + 1, top + 2} <= set(state.gaps)
    assert state.base_id < top + 1  # nothing past the gap is taken as held by the arrays
    _insert(engine, top + 2, _person(1), 650)  # an earlier score of person 1 arrives late
    _insert(engine, top + 1, ANN, 610)
    _refresh(engine, state)
    assert state.score_of(_person(1)).score == 701  # type: ignore[union-attr]
    assert state.score_of(ANN).score == 610  # type: ignore[union-attr]
    assert [state.score_of(_person(p)).score for p in (2, 3)] == [702, 703]  # type: ignore[union-attr]
