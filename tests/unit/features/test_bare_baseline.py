"""The batch benchmark's hand-written query computes exactly what the feature engine does.

``bench/bench_score.py`` reports ``creditcity score`` against this bare
DuckDB query; the ratio only means something if both do the same work.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from bench.bare_features import bare_features_sql

from creditcity.features import compute_features
from creditcity.features.engine import day_number
from creditcity.features.schema import empty_consents, empty_disputed
from creditcity.features.synthetic import random_entries


@pytest.mark.parametrize("as_of", [date(2026, 6, 30), date(2023, 2, 1)])
def test_the_hand_written_query_equals_compute_features(tmp_path: Path, as_of: date) -> None:
    path = tmp_path / "entries.parquet"
    pq.write_table(
        random_entries(residents=400, records=40_000, seed=7, end=date(2026, 6, 30)), path
    )
    ours = compute_features(path, as_of=as_of, disputed=empty_disputed(), consents=empty_consents())
    with duckdb.connect() as connection:
        bare = connection.sql(bare_features_sql(str(path), day_number(as_of))).to_arrow_table()
    bare = bare.sort_by("subject")
    assert bare.column_names == ours.column_names
    assert bare.num_rows == ours.num_rows
    for name in ours.column_names:
        left, right = ours.column(name).to_pylist(), bare.column(name).to_pylist()
        if name.startswith("card_"):
            assert left == pytest.approx(right, nan_ok=True), name
        else:
            assert left == right, name
