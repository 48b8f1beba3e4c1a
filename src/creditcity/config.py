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

    # --- limits (see creditcity.api.limits and creditcity.services.disputes) ---------------
    #: bodies larger than these are refused (413) before they are read
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_decision_body_bytes: int = Field(default=16 * 1024, ge=1024)
    max_records_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    #: requests per second per key, by role (0 = unlimited); bursts of this many seconds
    rate_resident: float = Field(default=5.0, ge=0)
    rate_source: float = Field(default=50.0, ge=0)
    rate_provider: float = Field(default=20_000.0, ge=0)
    rate_operator: float = Field(default=50.0, ge=0)
    rate_burst_seconds: float = Field(default=4.0, gt=0)
    #: failed keys from one address within the window before that address is refused (429)
    auth_failures_max: int = Field(default=20, ge=1)
    auth_failure_window_seconds: float = Field(default=300.0, gt=0)
    #: disputes one person may have open at once, and open within 30 days
    dispute_max_open: int = Field(default=5, ge=1)
    dispute_max_per_month: int = Field(default=10, ge=1)
    #: disputes one person opens within a day beyond this many are queued for the office's
    #: review: their records keep counting and nothing is upheld by default at the deadline
    dispute_bulk_after: int = Field(default=3, ge=0)

    # --- operations (see creditcity.api.observability and creditcity.cli.serve) ------------
    #: one JSON line per request on stderr
    access_log: bool = True
    log_level: str = "info"
    #: trust X-Forwarded-For/-Proto from these proxy addresses (comma-separated, or "*")
    forwarded_allow_ips: str = "127.0.0.1"
    proxy_headers: bool = True
    #: seconds SIGTERM waits for in-flight requests before closing them
    graceful_shutdown_seconds: int = Field(default=20, ge=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
