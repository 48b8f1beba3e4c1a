"""Arguments are checked before any work, and the calendar covers exactly the span asked for."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from creditcity.errors import InputRejected
from creditcity.sim import SimulationSpec
from creditcity.sim.timeline import SEASON_UMBRELLA, Timeline, micros, years_before

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (SimulationSpec(residents=0), "residents"),
        (SimulationSpec(residents=10, years=0), "years"),
        (SimulationSpec(residents=10, years=21), "years"),
        (SimulationSpec(residents=10, seed=-1), "seed"),
        (SimulationSpec(residents=10, chunk_size=0), "chunk_size"),
        (SimulationSpec(residents=10, as_of=date(2027, 1, 1)), "as_of"),
        (SimulationSpec(residents=10, as_of=date(2010, 1, 1), years=20), "as_of"),
    ],
)
def test_an_impossible_spec_is_refused_naming_the_field(spec: SimulationSpec, field: str) -> None:
    with pytest.raises(InputRejected) as caught:
        spec.validate(TODAY)
    assert [p.field for p in caught.value.problems] == [field]
    assert caught.value.problems[0].expected


def test_the_default_spec_is_accepted() -> None:
    spec = SimulationSpec(residents=1)
    assert spec.validate(TODAY) is spec


def test_years_before_a_leap_day_lands_on_the_28th() -> None:
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2026, 6, 30), 3) == date(2023, 6, 30)


def test_the_timeline_spans_the_years_before_as_of_month_by_month() -> None:
    timeline = Timeline.build(date(2026, 6, 30), 3)
    assert timeline.start_us == micros(date(2023, 6, 30))
    assert timeline.end_us == micros(date(2026, 6, 30))
    assert timeline.yyyymm[0] == 202306
    assert timeline.yyyymm[-1] == 202606
    assert timeline.months == 37


def test_random_times_fall_inside_the_span_and_follow_the_season() -> None:
    timeline = Timeline.build(date(2026, 6, 30), 3)
    weights = timeline.month_weights(SEASON_UMBRELLA)
    assert weights.sum() == pytest.approx(1.0)
    times = timeline.random_times(np.random.default_rng(0), 20_000, SEASON_UMBRELLA)
    assert times.min() >= micros(date(2023, 6, 1)) and times.max() < micros(date(2026, 7, 1))
    months = list(times.astype("datetime64[us]").astype("datetime64[M]").astype(int) % 12 + 1)
    assert months.count(7) > 3 * months.count(1)


def test_the_month_before_the_spring_festival_is_marked_for_loans() -> None:
    timeline = Timeline.build(date(2026, 6, 30), 3)
    festive = {int(m) for m, w in zip(timeline.yyyymm, timeline.festival, strict=True) if w > 1}
    assert festive == {202401, 202501, 202602}
