"""Scoring a Parquet export: file by file (partitioned) gives what one pass over it gives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditcity.config import Settings
from creditcity.errors import InputRejected
from creditcity.features import compute_features
from creditcity.features.schema import empty_consents, empty_disputed
from creditcity.features.synthetic import random_entries, subject_names
from creditcity.scoring import snapshot
from creditcity.scoring.artefact import ModelArtefact
from creditcity.services.scoring import new_scorecard, score_snapshot

AS_OF = date(2026, 6, 30)


def _model(path: Path) -> Path:
    entries = random_entries(residents=600, records=30_000, seed=3, end=AS_OF)
    features = compute_features(
        entries, as_of=AS_OF, disputed=empty_disputed(), consents=empty_consents()
    )
    late = (
        features.column("late_30_59_days_ever").to_numpy()
        + features.column("late_90_plus_days_ever").to_numpy()
    )
    y = (late > np.median(late)).astype(int)
    card = new_scorecard(Settings()).fit(features.drop_columns(["subject"]), y)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    ModelArtefact(card, version="t1", created_at=created, training_sha256="0" * 64).save(path)
    return path


def test_partitioned_scoring_equals_scoring_the_whole_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model(tmp_path / "model.json")
    folder = tmp_path / "parts"
    folder.mkdir()
    parts = []
    for part in range(3):
        people = subject_names(200, seed=50 + part)
        table = random_entries(
            residents=200,
            records=8_000,
            seed=60 + part,
            end=AS_OF,
            subjects=people,
            grouped=True,
            first_entry_id=part * 8_000,
        )
        pq.write_table(table, folder / f"part-{part}.parquet")
        parts.append(table)
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.concat_tables(parts), whole)

    once = score_snapshot(whole, as_of=AS_OF, artefact_path=model, out=tmp_path / "b.parquet")
    monkeypatch.setattr(snapshot, "EXPLAIN_SLICE", 37)  # many slices per partition
    split = score_snapshot(
        folder, as_of=AS_OF, artefact_path=model, out=tmp_path / "a.parquet", partitioned=True
    )

    assert split.scored == once.scored == 600
    a = pq.read_table(tmp_path / "a.parquet").sort_by("subject")
    b = pq.read_table(tmp_path / "b.parquet").sort_by("subject")
    assert a.equals(b)
    assert 0 < min(a.column("percentile").to_pylist()) < max(a.column("percentile").to_pylist())
    dims = [
        c for c in a.column_names if c not in ("subject", "score", "percentile", "reason_codes")
    ]
    assert len(dims) == 7  # base + five dimensions + the range clip
    total = sum(a.column(d).to_numpy() for d in dims)
    assert (total == a.column("score").to_numpy()).all()


def test_partitioned_scoring_of_something_not_a_folder_of_parquet_says_so(tmp_path: Path) -> None:
    model = _model(tmp_path / "model.json")
    with pytest.raises(InputRejected) as error:
        score_snapshot(
            tmp_path / "nothing",
            as_of=AS_OF,
            artefact_path=model,
            out=tmp_path / "o.parquet",
            partitioned=True,
        )
    assert error.value.problems[0].field == "--partitioned"
