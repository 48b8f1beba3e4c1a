"""An API under test: the app on a test database, a key per role, and helpers to call it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from creditcity.asgi import create_app
from creditcity.config import Settings
from creditcity.domain.subjects import pseudonymise
from creditcity.ledger.scores import save_scores
from creditcity.ledger.unit_of_work import UnitOfWork

SECRET = "api-test-secret"
NATIONAL_ID = "330106199001011234"
OTHER_ID = "330106198505055678"
RESIDENT = pseudonymise(NATIONAL_ID, SECRET)
OTHER = pseudonymise(OTHER_ID, SECRET)

KEYS = {
    "bank": "bank-key-0123456789abcdef",
    "bike_source": "bike-source-key-0123456789",
    "provider": "provider-key-0123456789abcd",
    "landlord": "landlord-key-0123456789abcd",
    "resident": "resident-key-0123456789abcd",
    "other_resident": "other-resident-key-012345",
    "operator": "operator-key-0123456789abcd",
}
KEYS_TOML = f"""
[[keys]]
principal = "bank:west-lake"
role = "source"
key = "{KEYS["bank"]}"

[[keys]]
principal = "bike_operator:hellobike"
role = "source"
key = "{KEYS["bike_source"]}"

[[keys]]
principal = "bike_operator:hellobike"
role = "provider"
key = "{KEYS["provider"]}"
services = ["bike_deposit", "power_bank_deposit", "umbrella_deposit", "pay_later_transit"]

[[keys]]
principal = "landlord_platform:anju"
role = "provider"
key = "{KEYS["landlord"]}"
services = ["rental_deposit", "agency_fee", "bike_deposit"]

[[keys]]
principal = "resident:{RESIDENT}"
role = "resident"
key = "{KEYS["resident"]}"
label = "Demo resident"
demo = true

[[keys]]
principal = "resident:{OTHER}"
role = "resident"
key = "{KEYS["other_resident"]}"

[[keys]]
principal = "operator:office"
role = "operator"
key = "{KEYS["operator"]}"
label = "Office"
demo = true
"""


def settings_for(home: Path) -> Settings:
    return Settings(pseudonym_secret=SECRET, city="hangzhou", home=home)


def keys_file(folder: Path) -> Path:
    """The test keys as a TOML keys file (the app imports it into its database)."""
    path = folder / "keys.toml"
    path.write_text(KEYS_TOML, encoding="utf-8")
    return path


@dataclass
class Api:
    """A test client plus headers for each role."""

    client: TestClient
    engine: Engine
    settings: Settings

    def headers(self, role: str, purpose: str | None = None) -> dict[str, str]:
        out = {"X-API-Key": KEYS[role]}
        if purpose is not None:
            out["X-Purpose"] = purpose
        return out

    def post(self, path: str, role: str, body: Any, **kwargs: Any) -> Any:
        return self.client.post(path, json=body, headers=self.headers(role), **kwargs)

    def get(self, path: str, role: str | None, purpose: str | None = "test") -> Any:
        headers = self.headers(role, purpose) if role else {}
        return self.client.get(path, headers=headers)


@contextmanager
def running_api(
    db_url: str,
    engine: Engine,
    folder: Path,
    *,
    demo: bool = False,
    settings: Settings | None = None,
) -> Iterator[Api]:
    settings = settings or settings_for(folder / "home")
    app = create_app(db_url, settings=settings, keys=keys_file(folder), demo=demo)
    with TestClient(app) as client:
        yield Api(client, engine, settings)


def give_score(
    engine: Engine, subject: str, score: int, reasons: list[dict[str, Any]] | None = None
) -> None:
    """A stored score as a scoring run would leave it (the newest row is current)."""
    row = {
        "subject": subject,
        "as_of": date.today(),
        "computed_at": datetime.now(UTC).replace(tzinfo=None),
        "model_version": "m-test",
        "score": score,
        "percentile": 50.0,
        "city": "hangzhou",
        "dimensions": {
            "base": 350,
            "payment_history": 150.0,
            "obligations_capacity": 60.0,
            "history_length": 40.0,
            "new_obligations": 20.0,
            "public_records": 0.0,
        },
        "reasons": reasons
        if reasons is not None
        else [
            {
                "code": "HL-SHORT",
                "feature": "history_length_months",
                "dimension": "history_length",
                "text": "history of only 23 months",
                "points_lost": 31,
            }
        ],
    }
    with UnitOfWork(engine) as uow:
        save_scores(uow.conn, [row])
        uow.commit()


def record(key: str, **overrides: Any) -> dict[str, Any]:
    """An on-time loan instalment of the test resident, from the bank, in the import format."""
    row: dict[str, Any] = {
        "idempotency_key": key,
        "national_id": NATIONAL_ID,
        "kind": "loan_instalment_paid",
        "occurred_at": "2026-03-01",
        "city": "hangzhou",
        "ref": "loan-1",
        "amount": 1200,
        "days_late": 0,
    }
    row.update(overrides)
    return row
