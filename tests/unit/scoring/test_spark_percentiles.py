"""Spark's percentiles from the score histogram are the DuckDB path's, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from creditcity.services.scoring import _ranked
from creditcity.services.spark_scoring import percentiles_from_histogram


@given(st.lists(st.integers(350, 950), min_size=1, max_size=500))
def test_percentiles_from_the_histogram_equal_ranking_against_every_score(
    scores: list[int],
) -> None:
    everyone = np.array(scores, np.int64)
    values, counts = np.unique(everyone, return_counts=True)
    distinct, pct = percentiles_from_histogram(values[::-1].copy(), counts[::-1].copy())
    by_score = dict(zip(distinct.tolist(), pct.tolist(), strict=True))
    expected = _ranked(everyone, np.sort(everyone))
    assert [by_score[s] for s in scores] == expected.tolist()
