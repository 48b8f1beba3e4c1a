"""What to simulate, checked before any work starts."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from creditcity.errors import InputRejected, Problem

DEFAULT_AS_OF = date(2026, 6, 30)
#: The training vintage lies this many months before ``as_of``; ``as_of`` is out of time.
OUT_OF_TIME_MONTHS = 6
DEFAULT_CHUNK_SIZE = 65_536
MAX_RESIDENTS = 100_000_000
MAX_YEARS = 20
MAX_CHUNK_SIZE = 500_000
#: The Spring Festival table and the ID serials cover these years.
FIRST_YEAR = 2000


@dataclass(frozen=True, slots=True)
class SimulationSpec:
    """A synthetic city: how many residents, how many years of records before ``as_of``."""

    residents: int
    years: int = 3
    seed: int = 0
    as_of: date = DEFAULT_AS_OF
    #: residents per written chunk (rounded up to whole blocks); memory, not data
    chunk_size: int = DEFAULT_CHUNK_SIZE

    @property
    def training_as_of(self) -> date:
        """The earlier outcome date (training); ``as_of`` itself is the out-of-time sample.

        The same day ``OUT_OF_TIME_MONTHS`` earlier; a month's last day maps to
        that month's last day (30 June -> 31 December).
        """
        months = self.as_of.year * 12 + self.as_of.month - 1 - OUT_OF_TIME_MONTHS
        year, month = divmod(months, 12)
        last = calendar.monthrange(year, month + 1)[1]
        month_end = self.as_of.day == calendar.monthrange(self.as_of.year, self.as_of.month)[1]
        return date(year, month + 1, last if month_end else min(self.as_of.day, last))

    def problems(self, today: date | None = None) -> list[Problem]:
        """Everything wrong with this spec, each saying how to fix it."""
        today = today or date.today()
        found: list[Problem] = []

        def bad(field: str, message: str, expected: str) -> None:
            found.append(Problem(message=message, field=field, expected=expected))

        if not 1 <= self.residents <= MAX_RESIDENTS:
            bad(
                "residents",
                f"{self.residents} residents is out of range",
                f"an integer from 1 to {MAX_RESIDENTS:,}",
            )
        if not 1 <= self.years <= MAX_YEARS:
            bad("years", f"{self.years} years is out of range", f"1 to {MAX_YEARS}")
        if self.seed < 0 or self.seed >= 2**63:
            bad("seed", f"seed {self.seed} is out of range", "an integer from 0 to 2**63 - 1")
        if not 1 <= self.chunk_size <= MAX_CHUNK_SIZE:
            bad(
                "chunk_size",
                f"chunk size {self.chunk_size} is out of range",
                f"1 to {MAX_CHUNK_SIZE:,} residents",
            )
        if self.as_of > today:
            bad(
                "as_of",
                f"as-of date {self.as_of} is in the future (today is {today})",
                "a date no later than today (ingest refuses records from the future)",
            )
        if self.as_of.year - self.years < FIRST_YEAR:
            bad(
                "as_of",
                f"{self.years} years before {self.as_of} starts before {FIRST_YEAR}",
                f"an as-of date and years that start in {FIRST_YEAR} or later",
            )
        return found

    def validate(self, today: date | None = None) -> SimulationSpec:
        """Return ``self`` if it can be simulated; raise :class:`InputRejected` otherwise."""
        found = self.problems(today)
        if found:
            raise InputRejected("cannot simulate this city", problems=found)
        return self
