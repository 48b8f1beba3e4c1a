"""One small synthetic city, generated once per test session and shared read-only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditcity.sim import SimulationSpec, SimulationSummary, simulate

CITY_RESIDENTS = 20_000
CITY_SEED = 7


@dataclass(frozen=True)
class City:
    out: Path
    summary: SimulationSummary
    residents: pa.Table
    records: pa.Table
    outcomes: pa.Table


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    out = tmp_path_factory.mktemp("city")
    summary = simulate(SimulationSpec(residents=CITY_RESIDENTS, seed=CITY_SEED), out)
    return City(
        out=out,
        summary=summary,
        residents=pq.read_table(out / "residents.parquet"),
        records=pq.read_table(out / "records.parquet"),
        outcomes=pq.read_table(out / "outcomes.parquet"),
    )
