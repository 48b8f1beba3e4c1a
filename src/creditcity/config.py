"""One settings object; nothing else in creditcity reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Deployment settings, read from env vars prefixed ``CREDITCITY_``."""

    model_config = SettingsConfigDict(env_prefix="CREDITCITY_", extra="ignore")

    database_url: str = "sqlite:///./creditcity.db"
    # Keyed pseudonyms: the same national ID maps to the same subject only
    # within one deployment; change it and every pseudonym changes.
    pseudonym_secret: str = Field(default="creditcity-demo-secret-change-me", min_length=8)
    city: str = "hangzhou"
    home: Path = Path("./.creditcity")
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 40.0
    score_min: int = 350
    score_max: int = 950
    ingest_batch_size: int = Field(default=20_000, ge=1)
    #: PostgreSQL only: batches written at once, each on its own connection and transaction
    #: (the server then spreads index maintenance over cores; SQLite has one writer)
    ingest_writers: int = Field(default=2, ge=1, le=16)
    #: the operator's policy file (TOML); None = the default policy shipped in the package
    policy_path: Path | None = None
    #: where the city's Ed25519 signing keys live (default: <home>/keys)
    keys_dir: Path | None = None
    #: shared by every city of the federation (and by no one else): the key of the
    #: federation pseudonym a person travels under; None = this city is not federated
    federation_secret: str | None = Field(default=None, min_length=8)
    #: most records in one signed federation batch
    federation_batch_records: int = Field(default=5000, ge=1, le=100_000)
    #: seconds between audit checkpoints published when no record is due
    federation_checkpoint_seconds: float = Field(default=10.0, ge=0)
    negative_retention_days: int = 5 * 365 + 1
    dispute_deadline_days: int = 30


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
