"""A small simulated city, ingested and scored, shared by the scoring tests of one module."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.ledger.db import make_engine, migrate
from creditcity.services.ingest import ingest_files
from creditcity.services.scoring import rescore
from creditcity.services.train_ledger import train_from_ledger
from creditcity.sim import SimulationSpec, simulate

AS_OF = date(2026, 6, 30)
SETTINGS = Settings(pseudonym_secret="city-test-secret")


def simulated(out: Path, residents: int = 1500, seed: int = 3) -> Path:
    simulate(SimulationSpec(residents, years=2, seed=seed, as_of=AS_OF), out)
    return out


def scored_city(url: str, city: Path, models: Path) -> Engine:
    """Ingest the city's records, train on its outcomes, rescore everyone."""
    engine = make_engine(url)
    migrate(engine)
    assert ingest_files([city / "records.parquet"], engine=engine, settings=SETTINGS).ok
    train_from_ledger(
        city / "outcomes.parquet", AS_OF, database_url=url, out=models, settings=SETTINGS
    )
    rescore(engine, as_of=AS_OF)
    return engine
