"""A worker's copy of each city's score distribution: reused while fresh, reread when old."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
from sqlalchemy import Engine

from creditcity.ledger.scores import save_scores
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services import score_reference
from creditcity.services.score_reference import MAX_AGE_SECONDS, forget, reference_for


def _scores(engine: Engine, city: str | None, values: list[int], first: int = 0) -> None:
    with UnitOfWork(engine) as uow:
        save_scores(
            uow.conn,
            [
                {
                    "subject": f"p_{first + i:032d}",
                    "score": v,
                    "percentile": 50.0,
                    "as_of": date(2026, 6, 30),
                    "computed_at": datetime(2026, 7, 1),
                    "model_version": "m1",
                    "city": city,
                    "dimensions": {},
                    "reasons": [],
                }
                for i, v in enumerate(values)
            ],
        )
        uow.commit()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_fresh_copy_is_reused_and_an_old_one_reread(engine: Engine) -> None:
    _scores(engine, "hangzhou", [500, 600, 600, 700])
    clock = _Clock()
    with engine.connect() as conn:
        first = reference_for(engine, conn, "hangzhou", clock=clock)
    assert first.values.tolist() == [500, 600, 700] and first.counts.tolist() == [1, 2, 1]
    assert first.rank(np.array([600])).tolist() == [50.0]

    _scores(engine, "hangzhou", [900, 900], first=10)
    clock.now += MAX_AGE_SECONDS / 2
    with engine.connect() as conn:
        assert reference_for(engine, conn, "hangzhou", clock=clock) is first
    clock.now += MAX_AGE_SECONDS
    with engine.connect() as conn:
        again = reference_for(engine, conn, "hangzhou", clock=clock)
    assert again.people == 6 and again.values.tolist()[-1] == 900


def test_cities_are_kept_apart_and_an_empty_city_is_read_every_time(engine: Engine) -> None:
    _scores(engine, "hangzhou", [500, 700])
    clock = _Clock()
    with engine.connect() as conn:
        assert reference_for(engine, conn, "suzhou", clock=clock).people == 0
        assert reference_for(engine, conn, None, clock=clock).people == 0
    _scores(engine, "suzhou", [640], first=20)
    with engine.connect() as conn:
        assert reference_for(engine, conn, "suzhou", clock=clock).values.tolist() == [640]
        assert reference_for(engine, conn, "hangzhou", clock=clock).people == 2


def test_forgetting_an_engine_rereads_at_once(engine: Engine) -> None:
    _scores(engine, "hangzhou", [500])
    clock = _Clock()
    with engine.connect() as conn:
        reference_for(engine, conn, "hangzhou", clock=clock)
    _scores(engine, "hangzhou", [800], first=5)
    forget(engine)
    assert engine not in score_reference._ENGINES
    with engine.connect() as conn:
        assert reference_for(engine, conn, "hangzhou", clock=clock).people == 2
