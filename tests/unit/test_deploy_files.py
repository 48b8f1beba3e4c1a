"""The deployment files say what the README says: both services health-checked, the unit
serves with workers, drains on SIGTERM and reloads with SIGHUP, every setting named exists."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml

from creditcity.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_compose_runs_creditcity_after_a_healthy_postgres_and_checks_readiness() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert set(services) == {"creditcity", "postgres"}
    assert all("healthcheck" in s for s in services.values())
    app = services["creditcity"]
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(app["healthcheck"]["test"])


def test_the_systemd_unit_serves_drains_on_sigterm_and_reloads_with_sighup() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "creditcity.service")
    service = unit["Service"]
    assert "creditcity serve" in service["ExecStart"] and "--workers" in service["ExecStart"]
    assert service["KillSignal"] == "SIGTERM" and "-HUP" in service["ExecReload"]


def test_every_setting_the_env_example_names_is_a_setting() -> None:
    text = (DEPLOY / "creditcity.env.example").read_text()
    named = {m.lower() for m in re.findall(r"^#?\s*CREDITCITY_([A-Z_]+)=", text, re.M)}
    assert named and named <= set(Settings.model_fields), named - set(Settings.model_fields)
