"""Country scale: the ledger exported by subject hash, scored on Spark and on DuckDB, equal.

One simulated city goes through the ledger, ``export entries`` writes its
live entries as Parquet partitioned by subject hash, and the same model
scores the export with both engines: the score tables (score, percentile,
base, every dimension, reason codes) must be identical person by person.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.features import compute_features
from creditcity.features.schema import empty_consents, empty_disputed
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.entries import live_entries_arrow
from creditcity.scoring.artefact import ModelArtefact
from creditcity.services.export_entries import export_entries, partition_of
from creditcity.services.ingest import ingest_files
from creditcity.services.scoring import new_scorecard, score_snapshot
from creditcity.services.spark_scoring import score_snapshot_spark
from creditcity.sim import SimulationSpec, simulate

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime on PATH")
    from creditcity.features.spark_engine import local_session

    session = local_session(master="local[2]", shuffle_partitions=2)
    yield session
    session.stop()


def _ledger(tmp: Path) -> Engine:
    city = tmp / "city"
    simulate(SimulationSpec(400, years=2, seed=5, as_of=AS_OF), city)
    engine = make_engine(f"sqlite:///{tmp / 'ledger.db'}")
    migrate(engine)
    settings = Settings(pseudonym_secret="spark-test-secret")
    assert ingest_files([city / "records.parquet"], engine=engine, settings=settings).ok
    return engine


def _model(engine: Engine, path: Path) -> Path:
    with engine.connect() as conn:
        entries = live_entries_arrow(conn)
    features = compute_features(
        entries, as_of=AS_OF, disputed=empty_disputed(), consents=empty_consents()
    )
    late = features.column("late_30_59_days_ever").to_numpy()
    y = (late > np.median(late)).astype(int)
    card = new_scorecard(Settings()).fit(features.drop_columns(["subject"]), y)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    ModelArtefact(card, version="s1", created_at=created, training_sha256="0" * 64).save(path)
    return path


def test_spark_and_duckdb_give_identical_score_tables_on_the_same_export(
    spark: Any, tmp_path: Path
) -> None:
    engine = _ledger(tmp_path)
    model = _model(engine, tmp_path / "model.json")
    export = tmp_path / "export"
    run = export_entries(engine, export, partitions=4)
    assert run.files == 4 and run.entries > 0
    on_duckdb = tmp_path / "duckdb.parquet"
    score_snapshot(export, as_of=AS_OF, artefact_path=model, out=on_duckdb, partitioned=True)
    on_spark = tmp_path / "spark"
    score_snapshot_spark(export, as_of=AS_OF, artefact_path=model, out=on_spark, spark=spark)
    duck = pq.read_table(on_duckdb).sort_by("subject")
    sparked = ds.dataset(on_spark, format="parquet").to_table().sort_by("subject")
    assert duck.num_rows == sparked.num_rows > 300
    assert sparked.select(duck.column_names).cast(duck.schema).equals(duck)


def test_every_person_s_entries_land_in_one_partition_of_the_export(tmp_path: Path) -> None:
    engine = _ledger(tmp_path)
    export_entries(engine, tmp_path / "export", partitions=8)
    seen: dict[str, str] = {}
    for part in sorted((tmp_path / "export").glob("part-*.parquet")):
        subjects = pq.read_table(part, columns=["subject"]).column("subject")
        expected = int(part.stem.split("-")[1])
        assert set(partition_of(subjects, 8).tolist()) == {expected}
        for subject in set(subjects.to_pylist()):
            assert seen.setdefault(subject, part.name) == part.name
    assert "monthly_spending" not in set(
        pa.concat_tables(
            [pq.read_table(p, columns=["kind"]) for p in (tmp_path / "export").glob("*.parquet")]
        )
        .column("kind")
        .to_pylist()
    )
