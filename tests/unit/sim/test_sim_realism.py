"""The synthetic city behaves like the one the models, benchmarks and demo need.

Ranges are wide enough for sampling noise at 20,000 residents and narrow
enough to fail if a generator's calibration drifts.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pytest
from tests.unit.sim.conftest import CITY_RESIDENTS, City

from creditcity.sim.timeline import SPRING_FESTIVAL


@pytest.fixture(scope="module")
def db(city: City) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("r", city.records)
    con.register("p", city.residents)
    con.register("o", city.outcomes)
    con.execute(
        """create table per as
           select p.*, o.defaulted, count(r.national_id) as n,
                  count(*) filter (where r.kind in ('loan_default', 'court_judgment')) as judged,
                  count(*) filter (where r.days_late > 30) as very_late
           from p join o using (national_id) left join r using (national_id)
           where o.as_of = (select max(as_of) from o)
           group by all"""
    )
    return con


def _one(db: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = db.execute(sql).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def _auc(score: np.ndarray[Any, Any], label: np.ndarray[Any, Any]) -> float:
    """Probability that a random defaulter scores above a random non-defaulter (ties half)."""
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    for value in np.unique(score):  # average ranks of ties
        tied = score == value
        ranks[tied] = ranks[tied].mean()
    pos = label.sum()
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * (len(label) - pos)))


def test_five_to_ten_percent_default_in_the_year_after_as_of(db: duckdb.DuckDBPyConnection) -> None:
    assert 0.05 <= _one(db, "select avg(defaulted::int) from per") <= 0.10


def test_about_three_percent_are_chronic_defaulters_who_mostly_default(
    db: duckdb.DuckDBPyConnection,
) -> None:
    share, their_rate = _one(
        db,
        "select avg(chronic_defaulter::int), avg(defaulted::int) filter (chronic_defaulter) "
        "from per",
    )
    assert 0.02 <= share <= 0.04
    assert their_rate > 0.3


def test_most_files_are_thin_some_are_rich_and_the_average_is_about_45(
    db: duckdb.DuckDBPyConnection, city: City
) -> None:
    thin, rich = _one(db, "select avg((n < 12)::int), avg((n >= 100)::int) from per")
    assert 0.5 <= thin <= 0.65, "thin file: fewer than 4 records a year"
    assert 0.1 <= rich <= 0.3
    assert 38 <= city.records.num_rows / CITY_RESIDENTS <= 52


def test_people_with_a_loan_default_or_judgment_default_far_more_often(
    db: duckdb.DuckDBPyConnection,
) -> None:
    flagged, clean = _one(
        db,
        "select avg(defaulted::int) filter (judged > 0), avg(defaulted::int) filter "
        "(judged = 0) from per",
    )
    assert flagged > 2.5 * clean


def test_people_who_paid_a_month_late_default_more_often(db: duckdb.DuckDBPyConnection) -> None:
    late, on_time = _one(
        db,
        "select avg(defaulted::int) filter (very_late > 0), avg(defaulted::int) filter "
        "(very_late = 0 and n > 0) from per",
    )
    assert late > 2 * on_time


def test_records_explain_much_of_the_outcome_but_not_all(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "select defaulted, judged * 3 + very_late as bad, latent from per"
    ).fetchnumpy()
    label = rows["defaulted"].astype(bool)
    from_records = _auc(rows["bad"].astype(float), label)
    truth = _auc(-rows["latent"], label)
    assert 0.6 < from_records < truth - 0.03


def test_amounts_are_heavy_tailed(db: duckdb.DuckDBPyConnection) -> None:
    mean, median, p99 = _one(
        db,
        "select avg(amount), median(amount), quantile_cont(amount, 0.99) from r "
        "where kind = 'loan_opened'",
    )
    assert mean > 1.3 * median
    assert p99 > 5 * median


def test_umbrellas_and_bikes_are_borrowed_in_the_rainy_summer(
    db: duckdb.DuckDBPyConnection,
) -> None:
    for item, ratio in (("umbrella", 3.0), ("bike", 1.8)):
        summer, winter = _one(
            db,
            f"select count(*) filter (month(occurred_at) in (6, 7)), count(*) filter "
            f"(month(occurred_at) in (12, 1)) from r where kind = 'borrowing_started' "
            f"and item = '{item}'",
        )
        assert summer > ratio * winter, item


def test_loans_are_opened_ahead_of_the_spring_festival(db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(
        db.execute(
            "select strftime(occurred_at, '%Y-%m'), count(*) from r where kind = 'loan_opened' "
            "and occurred_at >= '2023-07-01' group by 1"
        ).fetchall()
    )
    festive = set()
    for year in (2024, 2025, 2026):
        month, day = SPRING_FESTIVAL[year]
        festive.add(f"{year}-{(month if day > 14 else month - 1):02d}")
    usual = np.mean([c for m, c in counts.items() if m not in festive])
    assert all(counts[m] > 2 * usual for m in festive)


def test_fraudsters_are_judged_and_their_later_records_come_from_another_city(
    db: duckdb.DuckDBPyConnection,
) -> None:
    fraudsters, judged, wrong_city = _one(
        db,
        """with f as (select national_id, occurred_at as at from r where kind = 'proven_fraud')
        select (select count(*) from p where fraudster), count(distinct f.national_id),
               count(*) filter (where r.occurred_at > f.at and r.city <> p.moved_to)
        from f join p using (national_id) join r using (national_id)""",
    )
    assert fraudsters > 0
    assert judged == fraudsters
    assert wrong_city == 0


def test_newcomers_have_thinner_files_but_default_no_more_often(
    db: duckdb.DuckDBPyConnection,
) -> None:
    rows = dict(
        (g, (thin, rate))
        for g, thin, rate in db.execute(
            'select "group", avg((n < 12)::int), avg(defaulted::int) from per group by 1'
        ).fetchall()
    )
    assert rows["group_d"][0] > rows["group_a"][0] + 0.1
    assert abs(rows["group_d"][1] - rows["group_a"][1]) < 0.03
