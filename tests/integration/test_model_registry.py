"""``creditcity model list | show | activate``: versions, their validation, the live one."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select
from tests.unit.scoring._synthetic import SPECS, make_table
from typer.testing import CliRunner

from creditcity.cli import app
from creditcity.ledger.models import active_model, register_model
from creditcity.ledger.tables import audit_log
from creditcity.scoring import ModelArtefact, Scorecard


def _artefact(version: str, gate: dict[str, object]) -> str:
    columns, y = make_table(800, seed=1)
    card = Scorecard(features=SPECS, one_sided=("shared_savings",)).fit(columns, y)
    validation = {"cross_validation": {"auc_mean": 0.75}, "gate": gate}
    return ModelArtefact(
        card,
        version=version,
        created_at="2026-01-01T00:00:00+00:00",
        training_sha256="ab" * 32,
        as_of="2025-12-31",
        validation=validation,
    ).to_json()


@pytest.fixture
def registry(engine: Engine) -> Engine:
    with engine.begin() as conn:
        register_model(conn, "v1-good", _artefact("v1-good", {"passed": True}), activate=True)
        failed = {"passed": False, "failures": ["AUC 0.51 is below the policy's minimum 0.65"]}
        register_model(conn, "v2-bad", _artefact("v2-bad", failed), activate=False)
        register_model(conn, "v3-good", _artefact("v3-good", {"passed": True}), activate=False)
    return engine


def _run(engine: Engine, *args: str) -> tuple[int, str]:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["model", *args, "--database-url", url, "--json"])
    return result.exit_code, result.output


def test_model_list_names_every_version_and_marks_the_active_one(registry: Engine) -> None:
    code, out = _run(registry, "list")
    assert code == 0
    rows = {r["version"]: r for r in json.loads(out)["models"]}
    assert set(rows) == {"v1-good", "v2-bad", "v3-good"}
    assert [v for v, r in rows.items() if r["active"]] == ["v1-good"]
    assert rows["v2-bad"]["gate_passed"] is False


def test_model_show_prints_the_stored_validation_and_gate(registry: Engine) -> None:
    code, out = _run(registry, "show", "v2-bad")
    assert code == 0
    info = json.loads(out)
    assert info["validation"]["gate"]["failures"] == ["AUC 0.51 is below the policy's minimum 0.65"]
    assert "late_30_12m" in info["features"]


def test_activating_a_version_that_passed_its_gate_makes_it_live(registry: Engine) -> None:
    code, _ = _run(registry, "activate", "v3-good")
    assert code == 0
    with registry.connect() as conn:
        found = active_model(conn)
        audited = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(
                audit_log.c.action == "model.activated"
            )
        ).all()
    assert found is not None and found[0] == "v3-good"
    # who switched the live model, and from which version, is on the audit chain
    assert [(a, json.loads(d)) for a, d in audited] == [
        ("operator:cli", {"version": "v3-good", "previous": "v1-good"})
    ]


def test_a_version_that_failed_its_gate_is_refused_and_the_live_one_stays(
    registry: Engine,
) -> None:
    code, out = _run(registry, "activate", "v2-bad")
    assert code == 1 and "activation gate" in out
    with registry.connect() as conn:
        found = active_model(conn)
    assert found is not None and found[0] == "v1-good"


def test_an_unknown_version_is_reported_with_how_to_list_them(registry: Engine) -> None:
    code, out = _run(registry, "show", "nope")
    assert code == 1 and "creditcity model list" in out
