"""Scoring on the ledger: training, batch and live rescoring agree, new records count."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tests.support.city import AS_OF, SETTINGS, scored_city, simulated
from tests.support.files import write_rows

from creditcity.domain.subjects import pseudonymise
from creditcity.errors import CharterViolation
from creditcity.ledger.scores import current_score, current_scores, score_history
from creditcity.ledger.unit_of_work import on_people_changed
from creditcity.services.ingest import ingest_files
from creditcity.services.scoring import rescore, rescorer
from creditcity.services.train_ledger import train_from_ledger

pytestmark = pytest.mark.xdist_group("city")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated(tmp_path_factory.mktemp("city"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scored(
    request: pytest.FixtureRequest, city: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ledger.db'}"
        yield scored_city(url, city, tmp_path_factory.mktemp("models"))
        return
    from tests.conftest import PG_ADMIN_URL, _postgres_or_skip

    admin = _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    yield scored_city(url, city, tmp_path_factory.mktemp("models"))
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def test_every_score_lies_in_350_to_950_and_its_dimensions_add_up_to_it(scored: Engine) -> None:
    with scored.connect() as conn:
        everyone = current_scores(conn)
    assert len(everyone) > 1000
    for s in everyone:
        assert 350 <= s.score <= 950
        assert sum(s.dimensions.values()) == s.score
        assert len(s.reasons) <= 5 and 0 <= s.percentile <= 100


def test_live_rescoring_gives_the_batch_score_for_the_same_people_and_date(scored: Engine) -> None:
    with scored.connect() as conn:
        batch = {s.subject: s for s in current_scores(conn)}
    sample = sorted(batch)[::97]
    rescore(scored, subjects=set(sample), as_of=AS_OF)
    with scored.connect() as conn:
        for subject in sample:
            live = current_score(conn, subject)
            assert live is not None
            assert (live.score, live.dimensions) == (
                batch[subject].score,
                batch[subject].dimensions,
            )
            differing = [
                (key, mine.get(key), theirs.get(key))
                for mine, theirs in zip(live.reasons, batch[subject].reasons, strict=True)
                for key in mine.keys() | theirs.keys()
                if mine.get(key) != theirs.get(key)
            ]
            assert not differing, f"{subject}: live vs batch reasons differ: {differing}"
            assert live.percentile == pytest.approx(batch[subject].percentile, abs=0.5)
            assert len(score_history(conn, subject)) >= 2


def test_a_new_default_lowers_that_persons_score_at_the_next_live_rescore(
    scored: Engine, tmp_path: Path
) -> None:
    with scored.connect() as conn:
        best = max(current_scores(conn), key=lambda s: s.score)
    national_id = f"3301{uuid.uuid4().int % 10**14:014d}"
    subject = pseudonymise(national_id, SETTINGS.pseudonym_secret)
    rows = [
        {
            "source": "bank:test",
            "idempotency_key": f"{subject}-{i}",
            "subject": best.subject,
            "kind": kind,
            "occurred_at": "2026-05-01",
            "ref": f"X{i}",
            "amount": 5000,
        }
        for i, kind in enumerate(["loan_default", "loan_default"])
    ]
    unsubscribe = on_people_changed(scored, rescorer(scored, as_of=AS_OF))
    report = ingest_files(
        [write_rows(rows, tmp_path / "defaults.csv")], engine=scored, settings=SETTINGS
    )
    unsubscribe()
    assert report.ok
    with scored.connect() as conn:
        after = current_score(conn, best.subject)
    assert after is not None and after.score < best.score
    assert any(r["code"].startswith("PH-") for r in after.reasons)


def test_someone_with_no_records_gets_no_score_rather_than_an_invented_one(scored: Engine) -> None:
    run = rescore(scored, subjects={"p_" + "0" * 32}, as_of=AS_OF)
    assert (run.scored, run.thin_file) == (0, 1)


def test_an_outcomes_file_carrying_group_labels_is_refused(
    scored: Engine, city: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    outcomes = pq.read_table(city / "outcomes.parquet")
    groups = pq.read_table(city / "residents.parquet").column("group")
    labelled = outcomes.slice(0, len(groups)).append_column("group", groups)
    pq.write_table(labelled, tmp_path / "labelled.parquet")
    url = scored.url.render_as_string(hide_password=False)
    with pytest.raises(CharterViolation, match="group"):
        train_from_ledger(
            tmp_path / "labelled.parquet", AS_OF, database_url=url, out=tmp_path, settings=SETTINGS
        )
