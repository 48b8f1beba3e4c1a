"""The synthetic city: residents, their records and their outcomes, for demos, tests and benchmarks.

Each resident has a hidden creditworthiness that drives both their records
(lateness, defaults, fines, lost items, judgments) and whether they default
in the 12 months after ``as_of``. Generation is vectorised per block of
residents and streamed to Parquet chunk by chunk, so a city of 22 million
residents and a billion records fits in bounded memory. The same seed and
arguments always give the same files.

``simulate`` and ``SimulationSummary`` are imported on first use, so that
importing the spec (as the CLI does at start-up) costs no NumPy or Arrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from creditcity.sim.spec import DEFAULT_AS_OF, SimulationSpec

if TYPE_CHECKING:
    from creditcity.sim.writer import SimulationSummary, simulate

__all__ = ["DEFAULT_AS_OF", "SimulationSpec", "SimulationSummary", "simulate"]


def __getattr__(name: str) -> Any:
    if name in ("simulate", "SimulationSummary"):
        from creditcity.sim import writer

        return getattr(writer, name)
    raise AttributeError(f"module 'creditcity.sim' has no attribute '{name}'")
