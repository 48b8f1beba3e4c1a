"""The office's model page over HTTP: two trained versions, the candidate's report, activation.

Run on SQLite and PostgreSQL. Activation is a signed-in office form: it
needs the page's form token, it is refused to a resident, it changes the
registry's live model (and so what scoring uses) and it is on the audit chain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select
from tests.support.api import KEYS, Api, running_api
from tests.support.city import AS_OF, SETTINGS, simulated
from tests.support.latin import latin_words

from creditcity.ledger.models import active_model
from creditcity.ledger.tables import audit_log, scores
from creditcity.services.ingest import ingest_files
from creditcity.services.model_registry import ACTIVATED
from creditcity.services.scoring import rescore
from creditcity.services.train_ledger import train_from_ledger

pytestmark = pytest.mark.xdist_group("city")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated(tmp_path_factory.mktemp("model-page-city"))


@pytest.fixture
def versions(db_url: str, engine: Engine, city: Path, tmp_path: Path) -> tuple[str, str]:
    """(live, candidate): the first training is live, the second (other data) only registered."""
    assert ingest_files([city / "records.parquet"], engine=engine, settings=SETTINGS).ok
    models = tmp_path / "models"
    live = train_from_ledger(
        city / "outcomes.parquet", None, database_url=db_url, out=models, settings=SETTINGS
    )
    outcomes = pq.read_table(city / "outcomes.parquet")
    fewer = tmp_path / "fewer-outcomes.parquet"  # other data: another version, same second or not
    pq.write_table(outcomes.slice(0, outcomes.num_rows - 7), fewer)
    candidate = train_from_ledger(
        fewer, None, database_url=db_url, out=models, settings=SETTINGS, activate=False
    )
    assert live.active and not candidate.active and live.version != candidate.version
    rescore(engine, as_of=AS_OF)
    return live.version, candidate.version


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


def _sign_in(api: Api, role: str) -> None:
    token = _token(api.client.get("/sign-in").text)
    answer = api.client.post(
        "/sign-in", data={"key": KEYS[role], "csrf": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "the form carries no token"
    return found.group(1)


def _live(engine: Engine) -> str | None:
    with engine.connect() as conn:
        found = active_model(conn)
    return found[0] if found else None


def _activations(engine: Engine) -> list[dict[str, object]]:
    query = select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == ACTIVATED)
    with engine.connect() as conn:
        return [{"actor": a, **json.loads(d)} for a, d in conn.execute(query)]


def test_the_office_activates_a_candidate_from_its_report_and_scoring_then_uses_it(
    api: Api, versions: tuple[str, str]
) -> None:
    live, candidate = versions
    _sign_in(api, "resident")  # a resident's own form token does not make them the office
    token = _token(api.client.get("/me/consents?lang=en").text)
    refused = api.client.post(
        "/operator/model/activate?lang=en", data={"version": candidate, "csrf": token}
    )
    assert refused.status_code == 403 and "may not see this page" in refused.text
    assert _live(api.engine) == live

    _sign_in(api, "operator")
    chinese = api.client.get(f"/operator/model?lang=zh&version={candidate}").text
    assert "ROC 曲线" in chinese and chinese.count("<svg") == 2
    assert latin_words(chinese) == []
    page = api.client.get(f"/operator/model?lang=en&version={candidate}")
    assert page.status_code == 200
    report = page.text[page.text.index('id="report"') :]
    assert "candidate" in report and "Put this version in use" in report
    assert report.count("<svg") == 2 and "Default rate by tier" in report
    assert "Out of time" in report and "not in this version" not in report
    token = _token(page.text)
    form = {"version": candidate, "csrf": token}

    unsigned = api.client.post("/operator/model/activate?lang=en", data={"version": candidate})
    assert unsigned.status_code == 403 and _live(api.engine) == live

    done = api.client.post("/operator/model/activate?lang=en", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/operator/model?lang=en&version={candidate}")
    after = api.client.get(done.headers["location"]).text
    assert 'role="status"' in after and "now in use" in after
    row = after[after.index(f">{candidate}</a>") :]
    assert row[: row.index("</tr>")].count("in use") == 1
    assert _live(api.engine) == candidate

    subject = _someone(api.engine)
    sent = api.post("/v1/records", "bank", [_instalment(subject)])
    assert sent.status_code == 200 and sent.json()["rescored"] == 1
    assert _newest_model(api.engine, subject) == candidate

    assert _activations(api.engine) == [
        {"actor": "operator:office", "version": candidate, "previous": live}
    ]


def _someone(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(scores.c.subject).limit(1)).scalar_one())


def _newest_model(engine: Engine, subject: str) -> str:
    query = (
        select(scores.c.model_version)
        .where(scores.c.subject == subject)
        .order_by(scores.c.score_id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        return str(conn.execute(query).scalar_one())


def _instalment(subject: str) -> dict[str, object]:
    return {
        "subject": subject,
        "idempotency_key": "office-model-page-1",
        "kind": "loan_instalment_paid",
        "occurred_at": date.today().isoformat(),
        "ref": "L-OFFICE",
        "amount": 300,
        "days_late": 0,
    }


def test_a_version_trained_before_the_curves_were_stored_still_shows_its_report(
    api: Api,
) -> None:
    from tests.unit.scoring._synthetic import SPECS, make_table

    from creditcity.ledger.models import register_model
    from creditcity.scoring import ModelArtefact, Scorecard

    columns, y = make_table(800, seed=1)
    card = Scorecard(features=SPECS, one_sided=("shared_savings",)).fit(columns, y)
    older = ModelArtefact(
        card,
        version="20250101T000000-older",
        created_at="2025-01-01T00:00:00+00:00",
        training_sha256="ab" * 32,
        as_of="2024-12-31",
        validation={"cross_validation": {"auc_mean": 0.75, "auc_std": 0.01}},
    )
    with api.engine.begin() as conn:
        register_model(conn, older.version, older.to_json(), activate=True)
    _sign_in(api, "operator")
    page = api.client.get("/operator/model?lang=en")
    assert page.status_code == 200 and "0.750" in page.text
    assert page.text.count("This figure is not in this version") == 2
    chinese = api.client.get("/operator/model?lang=zh").text
    assert chinese.count("此版本没有这张图") == 2 and latin_words(chinese) == []
