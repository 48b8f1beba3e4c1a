"""Ranking against a city's score counts is ranking against everyone in it."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from creditcity.scoring.percentiles import ranked_among_counts
from creditcity.services.scoring import _ranked

scores = st.integers(min_value=350, max_value=950)


@given(
    st.dictionaries(scores, st.integers(min_value=1, max_value=50), max_size=40),
    st.lists(scores, min_size=1, max_size=30),
)
def test_ranking_among_counts_equals_ranking_among_the_people_they_count(
    distribution: dict[int, int], scored: list[int]
) -> None:
    values = np.array(sorted(distribution), dtype=np.int64)
    counts = np.array([distribution[v] for v in values], dtype=np.int64)
    everyone = np.repeat(values, counts)
    new = np.array(scored, dtype=np.int64)
    assert ranked_among_counts(new, values, counts).tolist() == _ranked(new, everyone).tolist()


def test_the_lowest_and_highest_score_rank_at_the_ends_and_a_tie_at_its_middle() -> None:
    values = np.array([500, 600, 700], dtype=np.int64)
    counts = np.array([1, 2, 1], dtype=np.int64)
    ranks = ranked_among_counts(np.array([300, 600, 900]), values, counts).tolist()
    assert ranks == [0.0, 50.0, 100.0]
