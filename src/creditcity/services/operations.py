"""Is this node ready to serve, and the figures a scrape of ``/metrics`` reads.

    readiness(engine, keys_dir) -> Readiness    database, migrations, active model, signing key
    scrape_figures(engine) -> {name: value}      audit chain length, rescoring lag

Readiness never changes anything: a missing signing key is reported, not
made (``KeyStore.open`` would make one, and a node must not mint its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from creditcity.errors import CreditCityError
from creditcity.ledger import health
from creditcity.ledger.models import active_model
from creditcity.rights.keystore import KeyStore

__all__ = ["Readiness", "readiness", "scrape_figures"]


@dataclass(frozen=True, slots=True)
class Readiness:
    """Each check's verdict and what it saw; ready when every check passed."""

    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(c["ok"] for c in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"ready": self.ready, "checks": self.checks}


def readiness(engine: Engine, keys_dir: Path) -> Readiness:
    """Database reachable, migrations current, a model active, the signing key usable."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            health.ping(conn)
            checks["database"] = {"ok": True, "detail": engine.dialect.name}
            current, head = health.schema_revisions(conn)
            checks["migrations"] = {
                "ok": current == head,
                "detail": f"at {current}, newest {head}",
            }
            model = active_model(conn)
            checks["model"] = {
                "ok": model is not None,
                "detail": model[0] if model else "no active model: `creditcity model activate`",
            }
    except Exception as error:  # any failure to reach the database means "not ready"
        checks["database"] = {"ok": False, "detail": type(error).__name__}
    checks["signing_key"] = _signing_key(keys_dir)
    return Readiness(checks)


def _signing_key(keys_dir: Path) -> dict[str, Any]:
    if not (keys_dir / "keys.json").exists():
        return {"ok": False, "detail": "no signing keys yet: `creditcity certificate rotate`"}
    try:
        kid, _ = KeyStore(keys_dir).signing_key()
    except (CreditCityError, OSError, ValueError) as error:
        return {"ok": False, "detail": str(error)[:200]}
    return {"ok": True, "detail": kid}


def scrape_figures(engine: Engine) -> dict[str, float]:
    """The database-side series of ``/metrics``; ``creditcity_up`` 0 when unreachable."""
    try:
        with engine.connect() as conn:
            length = health.audit_length(conn)
            received, computed = health.freshest(conn)
    except Exception:  # a scrape must answer even when the database does not
        return {"creditcity_up": 0.0}
    lag = 0.0  # nothing scored yet, or scores newer than every record: no lag
    if received is not None and computed is not None and computed < received:
        lag = (received - computed).total_seconds()
    return {
        "creditcity_up": 1.0,
        "creditcity_audit_chain_length": float(length),
        "creditcity_rescoring_lag_seconds": lag,
    }
