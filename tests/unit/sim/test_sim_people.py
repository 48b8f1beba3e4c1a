"""Residents: unique IDs the ledger accepts, and the mix of people the model needs."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from creditcity.domain.subjects import is_national_id
from creditcity.sim.people import SERIAL_MODULUS, draw_people, serials
from creditcity.sim.tables import national_ids
from creditcity.sim.text import strings
from creditcity.sim.timeline import Timeline


@given(
    first=st.integers(0, 100_000_000 - 5_000),
    n=st.integers(1, 5_000),
    offset=st.integers(0, SERIAL_MODULUS - 1),
)
def test_serials_are_unique_twelve_digit_numbers(first: int, n: int, offset: int) -> None:
    values = serials(first, n, offset)
    assert len(np.unique(values)) == n
    assert values.min() >= 0
    assert values.max() < SERIAL_MODULUS


def test_consecutive_ranges_never_share_a_serial() -> None:
    a, b = serials(0, 100_000, 12345), serials(100_000, 100_000, 12345)
    assert not np.intersect1d(a, b).size


def test_serials_depend_only_on_the_resident_index_not_on_the_range_asked_for() -> None:
    assert np.array_equal(serials(10, 5, 99), serials(0, 20, 99)[10:15])


def test_national_ids_are_eighteen_characters_the_ledger_accepts() -> None:
    rng = np.random.default_rng(0)
    people = draw_people(rng, 0, 1_000, 42, Timeline.build(date(2026, 6, 30), 3))
    ids = strings(national_ids(people)).to_pylist()
    assert all(len(i) == 18 and is_national_id(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_fraudsters_move_to_another_city_after_the_fraud_and_no_one_else_moves() -> None:
    rng = np.random.default_rng(1)
    timeline = Timeline.build(date(2026, 6, 30), 3)
    people = draw_people(rng, 0, 50_000, 0, timeline)
    moved = people.moved_city >= 0
    assert np.array_equal(moved, people.fraudster)
    assert np.all(people.moved_city[moved] != people.city[moved])
    res = np.flatnonzero(moved)
    before = people.city_at(res, people.fraud_us[res])
    after = people.city_at(res, people.fraud_us[res] + 1)
    assert np.array_equal(before, people.city[res])
    assert np.array_equal(after, people.moved_city[res])
