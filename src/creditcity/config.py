"""One settings object; nothing else in creditcity reads the environment.

Everything a deployment keeps on disk lives under one data directory,
``Settings.home`` (env ``CREDITCITY_HOME``), never the working directory:

    <home>/pseudonym-secret   the key of the pseudonyms, made on first use (0600)
    <home>/keys/              the city's Ed25519 signing keys
    <home>/models/            trained scorecards (``creditcity train``'s default --out)

The default home follows the XDG base directory rule: ``$XDG_DATA_HOME/creditcity``,
else ``~/.local/share/creditcity``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from creditcity.errors import InputRejected, Problem

__all__ = ["DEMO_SECRET", "Settings", "default_home", "get_settings"]

#: the secret earlier versions shipped as a default; ``serve`` refuses it outside the demo
DEMO_SECRET = "creditcity-demo-secret-change-me"
SECRET_FILE = "pseudonym-secret"


def default_home() -> Path:
    """``$XDG_DATA_HOME/creditcity``, else ``~/.local/share/creditcity``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "creditcity"


class Settings(BaseSettings):
    """Deployment settings, read from env vars prefixed ``CREDITCITY_``."""

    model_config = SettingsConfigDict(env_prefix="CREDITCITY_", extra="ignore")

    database_url: str = "sqlite:///./creditcity.db"
    #: the data directory (models, signing keys, the pseudonym secret)
    home: Path = Field(default_factory=default_home)
    # Keyed pseudonyms: the same national ID maps to the same subject only
    # within one deployment; change it and every pseudonym changes. Unset, it
    # is read from <home>/pseudonym-secret, which is made on first use.
    pseudonym_secret: str = ""
    city: str = "hangzhou"
    # The published scale, the same for every model version: base_score means
    # odds base_odds (good:bad) and every pdo points double them. The anchor is
    # the middle of 350-950 at the city's average odds (about 7% default in 12
    # months), so an average resident sits mid-scale. PDO 60 puts the ends of
    # the range five doublings either side: 350 states 71% default, 950 0.24%,
    # the span of risk in a city's population.
    base_score: float = 650.0
    base_odds: float = 13.0
    pdo: float = 60.0
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
    #: the Secure flag on portal cookies: "auto" sets it when the request came over HTTPS
    #: (behind a proxy, as its forwarded headers say), "always" or "never" force it
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    #: portal sessions last this long unless signed out (or their key is revoked)
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    #: origins besides the portal's own that may post its forms (e.g. behind a proxy)
    trusted_origins: list[str] = Field(default_factory=list)
    #: sign-in with the city's identity provider (OpenID Connect, authorization-code flow)
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    #: endpoints; unset, they are read from <issuer>/.well-known/openid-configuration
    oidc_authorization_endpoint: str = ""
    oidc_token_endpoint: str = ""
    #: the JWKS: an https URL, or a local JSON file for a provider whose keys are pinned
    oidc_jwks: str = ""
    #: the ID-token claim holding the resident's national ID (pseudonymised at once)
    oidc_national_id_claim: str = "national_id"

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

    @model_validator(mode="after")
    def _secret_from_home(self) -> Settings:
        if not self.pseudonym_secret:
            self.pseudonym_secret = deployment_secret(self.home)
        elif len(self.pseudonym_secret) < 8:
            raise InputRejected(
                "the pseudonym secret is too short",
                problems=[
                    Problem(
                        f"{len(self.pseudonym_secret)} characters",
                        where="environment",
                        field="CREDITCITY_PSEUDONYM_SECRET",
                        expected="at least 8 (better 32) random characters, or unset it to "
                        f"have one made under {self.home}",
                    )
                ],
            )
        return self

    @property
    def signing_keys_dir(self) -> Path:
        return self.keys_dir or self.home / "keys"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)


def deployment_secret(home: Path) -> str:
    """This deployment's pseudonym secret, made (random, mode 0600) the first time it is asked.

    Written to a private temporary file and linked into place, so two processes
    starting at once agree on one whole secret.
    """
    path = home / SECRET_FILE
    if path.exists():
        return _read_secret(path)
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=home, prefix=".secret-")  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
        os.unlink(temporary)
    except OSError as error:
        raise InputRejected(
            "the data directory cannot be written",
            problems=[
                Problem(
                    str(error),
                    where=str(home),
                    field="CREDITCITY_HOME",
                    expected="a directory this user may write (or set CREDITCITY_PSEUDONYM_SECRET)",
                )
            ],
        ) from error
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 8:
        raise InputRejected(
            "the pseudonym secret file is empty or too short",
            problems=[
                Problem(
                    f"{len(text)} characters",
                    where=str(path),
                    expected="the secret this deployment was started with (restore it from "
                    "backup; a new one changes every pseudonym)",
                )
            ],
        )
    return text


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
