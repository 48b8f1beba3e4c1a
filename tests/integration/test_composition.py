"""The composition root's contracts: one after-commit event, one rule for a city's scores."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from creditcity.ledger.scores import EVERY_CITY, current_score_values, current_scores, save_scores
from creditcity.ledger.unit_of_work import UnitOfWork, on_people_changed
from creditcity.services.score_distribution import score_distribution

MOVER = "p_" + "1" * 32
STAYER = "p_" + "2" * 32


def _score(subject: str, score: int, city: str, at: datetime) -> dict[str, object]:
    return {
        "subject": subject,
        "score": score,
        "percentile": 50.0,
        "as_of": date(2026, 6, 30),
        "computed_at": at,
        "model_version": "m1",
        "city": city,
        "dimensions": {},
        "reasons": [],
    }


def _two_people(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        save_scores(
            uow.conn,
            [
                _score(MOVER, 600, "hangzhou", datetime(2026, 1, 1)),
                _score(STAYER, 700, "hangzhou", datetime(2026, 1, 1)),
                _score(MOVER, 640, "suzhou", datetime(2026, 3, 1)),
            ],
        )
        uow.commit()


def test_a_person_who_moved_counts_in_their_new_city_only(engine: Engine) -> None:
    _two_people(engine)
    with engine.connect() as conn:
        assert sorted(current_score_values(conn, "hangzhou").tolist()) == [700]
        assert current_score_values(conn, "suzhou").tolist() == [640]
        assert sorted(current_score_values(conn, EVERY_CITY).tolist()) == [640, 700]
        assert {s.subject: s.city for s in current_scores(conn)} == {
            MOVER: "suzhou",
            STAYER: "hangzhou",
        }
    assert score_distribution(engine, "hangzhou").people == 1
    assert score_distribution(engine, None).people == 2


def test_people_changed_is_announced_after_the_commit_and_never_after_a_rollback(
    engine: Engine,
) -> None:
    heard: list[frozenset[str]] = []
    unsubscribe = on_people_changed(engine, heard.append)
    with UnitOfWork(engine) as uow:
        uow.people_changed({MOVER})
        uow.rollback()
        assert heard == []
        uow.people_changed({STAYER})
        uow.commit()
    assert heard == [frozenset({STAYER})]
    with UnitOfWork(engine) as uow:
        uow.people_changed({MOVER})  # left without commit: rolled back, nothing announced
    unsubscribe()
    with UnitOfWork(engine) as uow:
        uow.people_changed({MOVER})
        uow.commit()
    assert heard == [frozenset({STAYER})]


def test_a_failing_handler_does_not_undo_the_commit_or_silence_the_others(engine: Engine) -> None:
    heard: list[frozenset[str]] = []

    def broken(_: frozenset[str]) -> None:
        raise RuntimeError("handler bug")

    undo = [on_people_changed(engine, broken), on_people_changed(engine, heard.append)]
    _two_people(engine)
    with UnitOfWork(engine) as uow:
        uow.people_changed({MOVER})
        uow.commit()
    for unsubscribe in undo:
        unsubscribe()
    assert heard == [frozenset({MOVER})]
    with engine.connect() as conn:
        assert len(current_scores(conn)) == 2
