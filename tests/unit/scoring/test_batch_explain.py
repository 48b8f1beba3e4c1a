"""Bulk explanations equal the per-person ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcity.domain.catalogue import Dimension
from creditcity.scoring.batch import cite, explain_batch
from creditcity.scoring.reasons import rank_losses
from creditcity.scoring.scorecard import Scorecard
from creditcity.scoring.spec import FeatureSpec


@settings(max_examples=200, deadline=None)
@given(lost=st.lists(st.lists(st.integers(0, 30), min_size=7, max_size=7), min_size=1, max_size=20))
def test_citing_in_bulk_follows_the_per_person_ranking_rule(lost: list[list[int]]) -> None:
    cited = cite(np.array(lost, dtype=np.int64))
    for row, losses in enumerate(lost):
        expected = rank_losses(losses)
        got = [j for j in cited[row].tolist() if j >= 0]
        assert got == expected


def test_bulk_explanations_equal_explain_row_by_row() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    X = {
        "late": rng.poisson(0.5, n).astype(float),
        "utilisation": rng.uniform(0, 1.2, n),
        "new_loans": rng.poisson(1, n).astype(float),
        "history": rng.integers(0, 120, n).astype(float),
    }
    X["utilisation"][rng.random(n) < 0.2] = np.nan
    risk = 0.8 * X["late"] + np.nan_to_num(X["utilisation"]) + 0.3 * X["new_loans"]
    y = (rng.random(n) < 1 / (1 + np.exp(-(risk - 2.5)))).astype(int)
    specs = [
        FeatureSpec("late", dimension=Dimension.PAYMENT_HISTORY, reason="{value} late"),
        FeatureSpec("utilisation", dimension=Dimension.OBLIGATIONS_CAPACITY),
        FeatureSpec("new_loans", dimension=Dimension.NEW_OBLIGATIONS),
        FeatureSpec("history", dimension=Dimension.HISTORY_LENGTH),
    ]
    card = Scorecard(features=specs).fit(X, y)
    bulk = explain_batch(card, X)
    one_by_one = card.explain(X)
    codes = bulk.codes()
    for row, single in enumerate(one_by_one):
        assert bulk.scores[row] == single.score
        assert (
            dict(zip(bulk.dimension_keys, bulk.dimension_points[row].tolist(), strict=True))
            == single.dimensions
        )
        assert bulk.reasons(row) == [r.to_dict() for r in single.reasons]
        assert codes[row] == [r.code for r in single.reasons]
