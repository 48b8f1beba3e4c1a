"""Ledger training on a city with two outcome vintages: validation, the gate, serious records."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tests.support.city import AS_OF, SETTINGS, simulated
from tests.support.files import write_rows
from typer.testing import CliRunner

from creditcity.cli import app
from creditcity.config import get_settings
from creditcity.errors import InputRejected
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.models import active_model, model_rows
from creditcity.ledger.scores import current_score, current_scores
from creditcity.ledger.unit_of_work import on_people_changed
from creditcity.services.ingest import ingest_files
from creditcity.services.scoring import rescore, rescorer
from creditcity.services.train_ledger import train_from_ledger
from creditcity.sim import SimulationSpec

pytestmark = pytest.mark.xdist_group("city")
TRAINING_DAY = SimulationSpec(1, as_of=AS_OF).training_as_of


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated(tmp_path_factory.mktemp("city"))


def _ingested(url: str, city: Path) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    assert ingest_files([city / "records.parquet"], engine=engine, settings=SETTINGS).ok
    return engine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ledger(
    request: pytest.FixtureRequest, city: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield _ingested(f"sqlite:///{tmp_path_factory.mktemp('db') / 'ledger.db'}", city)
        return
    from tests.conftest import PG_ADMIN_URL, _postgres_or_skip

    admin = _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield _ingested(f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}", city)
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def trained(
    ledger: Engine, city: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """`train --outcomes` with no --as-of, through the CLI, then everyone scored."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CREDITCITY_PSEUDONYM_SECRET", SETTINGS.pseudonym_secret)
    get_settings.cache_clear()
    out = tmp_path_factory.mktemp("models")
    args = ["train", "--outcomes", str(city / "outcomes.parquet"), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--database-url", _url(ledger), "--json"])
    patch.undo()
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    rescore(ledger, as_of=AS_OF)
    return dict(json.loads(result.output))


def test_without_as_of_training_uses_the_files_earliest_date_and_the_later_one_is_out_of_time(
    trained: dict[str, object],
) -> None:
    assert trained["as_of"] == TRAINING_DAY.isoformat()
    validation = trained["validation"]
    assert isinstance(validation, dict)
    later = validation["out_of_time"]
    assert later["as_of"] == AS_OF.isoformat()
    for sample in (validation["in_time"], later):
        for figure in ("auc", "gini", "ks"):
            interval = sample[figure]
            assert interval["low"] <= interval["value"] <= interval["high"]
        assert sum(row["people"] for row in sample["tiers"]) == sample["people"]
        assert all(row["expected_default_rate"] is not None for row in sample["tiers"])
        roc = sample["roc"]  # the model page's curves, stored small with the artefact
        assert (roc[0]["tpr"], roc[0]["fpr"], roc[-1]["tpr"], roc[-1]["fpr"]) == (0, 0, 1, 1)
        assert len(roc) <= 22
        assert sum(b["people"] for b in sample["calibration"]) == sample["people"]
    assert validation["curves_version"] == 1
    assert validation["population_stability"]["score_psi"] is not None
    assert all("iv" in f and f["bins"] for f in validation["features"])
    assert validation["gate"]["passed"] is True
    report = Path(str(trained["report"])).read_text(encoding="utf-8")
    assert f"Out of time ({AS_OF.isoformat()})" in report and "Activation gate" in report


def test_an_unpaid_court_judgment_costs_at_least_30_points_and_is_named(
    ledger: Engine, trained: dict[str, object], tmp_path: Path
) -> None:
    with ledger.connect() as conn:
        ranked = sorted(current_scores(conn), key=lambda s: s.score)
    person = ranked[len(ranked) // 2]
    row = {
        "source": "court:test",
        "idempotency_key": f"judgment-{person.subject}",
        "subject": person.subject,
        "kind": "court_judgment",
        "occurred_at": "2026-05-01",
        "ref": "J-1",
        "amount": 12000,
    }
    unsubscribe = on_people_changed(ledger, rescorer(ledger, as_of=AS_OF))
    report = ingest_files(
        [write_rows([row], tmp_path / "judgment.csv")], engine=ledger, settings=SETTINGS
    )
    unsubscribe()
    assert report.ok
    with ledger.connect() as conn:
        after = current_score(conn, person.subject)
    assert after is not None
    assert person.score - after.score >= 30
    assert after.dimensions["public_records"] < person.dimensions["public_records"]
    assert any(r["feature"] == "court_judgments_active" for r in after.reasons)


def test_a_model_below_the_policys_gate_is_refused_and_the_previous_one_stays_active(
    ledger: Engine, trained: dict[str, object], city: Path, tmp_path: Path
) -> None:
    from importlib.resources import files

    default = files("creditcity.domain").joinpath("default_policy.toml").read_text("utf-8")
    strict = tmp_path / "strict.toml"
    strict.write_text(default.replace("min_auc = 0.65", "min_auc = 0.99"), encoding="utf-8")
    settings = SETTINGS.model_copy(update={"policy_path": strict})
    with ledger.connect() as conn:
        before = active_model(conn)
    with pytest.raises(InputRejected, match="activation gate") as refused:
        train_from_ledger(
            city / "outcomes.parquet",
            None,
            database_url=_url(ledger),
            out=tmp_path,
            settings=settings,
        )
    assert any("below the policy's minimum 0.99" in p.message for p in refused.value.problems)
    with ledger.connect() as conn:
        assert active_model(conn) == before
        assert len(model_rows(conn)) == 2  # the refused version is kept for 'model show'
