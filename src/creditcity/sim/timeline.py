"""Time in the synthetic city: the span of years before ``as_of``, its months and seasons.

Times are int64 microseconds since the epoch (the unit of ``timestamp[us]``),
so generators add and compare plain integers. A record exists only if it
happened inside ``[start, as_of)``: whatever falls after ``as_of`` (a bill not
yet paid, a book not yet returned) is simply not known yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

US_PER_DAY = 86_400_000_000
US_PER_HOUR = 3_600_000_000
_EPOCH = datetime(1970, 1, 1)

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: Gregorian date of the Spring Festival (lunar new year); borrowing peaks before it.
SPRING_FESTIVAL: dict[int, tuple[int, int]] = {
    2000: (2, 5),
    2001: (1, 24),
    2002: (2, 12),
    2003: (2, 1),
    2004: (1, 22),
    2005: (2, 9),
    2006: (1, 29),
    2007: (2, 18),
    2008: (2, 7),
    2009: (1, 26),
    2010: (2, 14),
    2011: (2, 3),
    2012: (1, 23),
    2013: (2, 10),
    2014: (1, 31),
    2015: (2, 19),
    2016: (2, 8),
    2017: (1, 28),
    2018: (2, 16),
    2019: (2, 5),
    2020: (1, 25),
    2021: (2, 12),
    2022: (2, 1),
    2023: (1, 22),
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
}

#: Relative activity by calendar month (index 0 = January).
#: Bikes and umbrellas follow the rainy, warm months (plum rains in June-July).
SEASON_BIKE = np.array([0.5, 0.5, 0.8, 1.1, 1.3, 1.5, 1.5, 1.4, 1.2, 1.0, 0.7, 0.5])
SEASON_UMBRELLA = np.array([0.3, 0.4, 0.7, 1.0, 1.4, 2.4, 2.4, 1.6, 1.0, 0.6, 0.4, 0.3])
SEASON_FLAT = np.ones(12)
#: Library books: school holidays (winter and summer).
SEASON_LIBRARY = np.array([1.4, 1.5, 0.9, 0.9, 0.8, 0.9, 1.4, 1.5, 0.9, 0.8, 0.8, 0.9])
#: Spending and card balances: Spring Festival and the November shopping festival.
SEASON_SPENDING = np.array([1.3, 1.35, 0.9, 0.9, 0.95, 1.0, 0.95, 0.95, 1.0, 1.05, 1.3, 1.1])


def micros(day: date) -> int:
    """Microseconds since the epoch at midnight of ``day``."""
    return (datetime(day.year, day.month, day.day) - _EPOCH) // timedelta(microseconds=1)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True, slots=True)
class Timeline:
    """The span of the simulation and its calendar months."""

    as_of: date
    years: int
    start_us: int
    end_us: int
    #: start of each calendar month touching the span, plus the start of the month after
    month_edges: I64
    #: calendar month (1-12) of each month of the span
    month_of_year: I64
    #: ``yyyymm`` of each month of the span
    yyyymm: I64
    #: 1.0, or more for months when loans are taken ahead of the Spring Festival
    festival: F64

    @property
    def months(self) -> int:
        return len(self.month_of_year)

    @classmethod
    def build(cls, as_of: date, years: int) -> Timeline:
        start = years_before(as_of, years)
        first = np.datetime64(f"{start.year:04d}-{start.month:02d}", "M")
        last = np.datetime64(f"{as_of.year:04d}-{as_of.month:02d}", "M")
        months = np.arange(first, last + 2)
        edges = months.astype("datetime64[us]").astype(np.int64)
        years_ = months[:-1].astype("datetime64[Y]").astype(np.int64) + 1970
        moy = months[:-1].astype(np.int64) % 12 + 1
        return cls(
            as_of=as_of,
            years=years,
            start_us=micros(start),
            end_us=micros(as_of),
            month_edges=edges,
            month_of_year=moy,
            yyyymm=years_ * 100 + moy,
            festival=_festival_weights(years_, moy),
        )

    def month_weights(self, season: F64, extra: F64 | None = None) -> F64:
        """Probability of each span month for an event with this seasonal profile."""
        inside = np.clip(
            np.minimum(self.month_edges[1:], self.end_us)
            - np.maximum(self.month_edges[:-1], self.start_us),
            0,
            None,
        ).astype(np.float64)
        weights = inside * season[self.month_of_year - 1]
        if extra is not None:
            weights = weights * extra
        return np.asarray(weights / weights.sum(), dtype=np.float64)

    def random_times(
        self, rng: np.random.Generator, n: int, season: F64, extra: F64 | None = None
    ) -> I64:
        """``n`` event times spread over the span with a seasonal profile, in daytime hours."""
        month = rng.choice(self.months, size=n, p=self.month_weights(season, extra))
        return self.time_in_month(rng, month.astype(np.int64))

    def time_in_month(self, rng: np.random.Generator, month: I64) -> I64:
        """A uniformly random daytime moment inside each given span month."""
        lo = self.month_edges[month]
        days = (self.month_edges[month + 1] - lo) // US_PER_DAY
        day = (rng.random(len(month)) * days).astype(np.int64)
        return lo + day * US_PER_DAY + daytime(rng, len(month))


def daytime(rng: np.random.Generator, n: int) -> I64:
    """A time of day between 07:00 and 23:00, whole seconds."""
    return rng.integers(7 * 3600, 23 * 3600, size=n, dtype=np.int64) * 1_000_000


def _festival_weights(years: I64, moy: I64) -> F64:
    """Triple weight for the month holding the four weeks before each Spring Festival."""
    weights = np.ones(len(years))
    for i, (year, month) in enumerate(zip(years.tolist(), moy.tolist(), strict=True)):
        fest_month, fest_day = SPRING_FESTIVAL.get(year, (2, 5))
        before = fest_month if fest_day > 14 else fest_month - 1
        if month == before:
            weights[i] = 3.0
    return weights
