"""Reason codes on real-shaped models: two cities, two trainings, the same codes and words.

Two synthetic cities with different seeds are simulated and a scorecard is
trained on each, as ``train`` would (registry features, one-sided consent).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from creditcity.domain.reason_catalogue import (
    AT_FLOOR_ADVICE,
    CATALOGUE_VERSION,
    LANGS,
    Direction,
    Unit,
    entry_for,
    render_all,
)
from creditcity.scoring.artefact import ModelArtefact
from creditcity.scoring.batch import explain_batch
from creditcity.scoring.scorecard import Scorecard

from ._city import city_features, city_scorecard

RESIDENTS = 12_000


class Trained:
    def __init__(self, out: Path, seed: int) -> None:
        self.X, self.y = city_features(out, residents=RESIDENTS, seed=seed)
        self.card: Scorecard = city_scorecard(self.X, self.y)
        self.columns = self.X.drop_columns(["subject"])
        self.batch = explain_batch(self.card, self.columns)
        self.given = Counter(code for row in self.batch.codes() for code in row)
        self.possible = {s.code for f in self.card.points_table_.features for s in f.steps if s}
        self.by_feature = {
            s.code.rsplit("-", 1)[0]: f.name
            for f in self.card.points_table_.features
            for s in f.steps
            if s
        }


@pytest.fixture(scope="module")
def cities(tmp_path_factory: pytest.TempPathFactory) -> tuple[Trained, Trained]:
    return (
        Trained(tmp_path_factory.mktemp("city_a"), seed=11),
        Trained(tmp_path_factory.mktemp("city_b"), seed=12),
    )


def _share(given: Counter[str], other: set[str]) -> float:
    return sum(n for code, n in given.items() if code in other) / sum(given.values())


def test_two_trainings_on_different_cities_share_at_least_90_percent_of_their_reason_codes(
    cities: tuple[Trained, Trained],
) -> None:
    a, b = cities
    # of the reasons residents are given, the share whose code the other model gives too
    assert _share(a.given, b.possible) >= 0.9
    assert _share(b.given, a.possible) >= 0.9
    # a feature both models cite for its value is cited in the same direction, under the
    # same code, whatever bins each model learned
    for stem in set(a.by_feature) & set(b.by_feature):
        sides_a = {c for c in a.possible if c.startswith(stem + "-") and not c.endswith("-NA")}
        sides_b = {c for c in b.possible if c.startswith(stem + "-") and not c.endswith("-NA")}
        assert not (sides_a and sides_b) or sides_a == sides_b, stem


def test_no_code_contains_a_digit_so_none_carries_a_bin_edge(
    cities: tuple[Trained, Trained],
) -> None:
    for trained in cities:
        edges = {
            f"{edge:g}"
            for f in trained.card.points_table_.features
            for bin_ in f.binning.bins_
            for edge in (bin_.lower, bin_.upper)
            if edge is not None
        }
        assert edges  # the models did learn edges
        for code in trained.possible:
            assert re.fullmatch(r"(PH|OC|HL|NO|PR)-[A-Z_]+-(HI|LO|NA)", code), code


def test_nobody_is_given_more_than_four_reasons_the_same_one_twice_or_told_to_borrow(
    cities: tuple[Trained, Trained],
) -> None:
    for trained in cities:
        for codes in trained.batch.codes():
            families = [re.sub(r"_(RECENT|EVER|HALF_YEAR|YEAR)-", "-", c)[:-3] for c in codes]
            assert len(codes) <= 4 and len(set(families)) == len(families), codes
        for code in trained.given:
            assert not re.match(r"(NO-.*|OC-CARD_.*)-LO$|OC-CARD_.*-NA$", code), code


def test_every_residents_reasons_read_in_both_languages_with_formatted_values(
    cities: tuple[Trained, Trained],
) -> None:
    trained = cities[0]
    for row in range(0, trained.columns.num_rows, 7):
        stored = trained.batch.reasons(row)
        for lang in LANGS:
            for reason in render_all(stored, lang):
                sentence = reason["sentence"]
                assert not re.search(r"\d\.\d{3,}|[{}_|]", sentence), sentence
                if reason["points_gain"] == 0:  # the clip at 350 takes what it would add
                    assert trained.batch.scores[row] == 350, reason
                    assert reason["advice"] == AT_FLOOR_ADVICE[lang]
                else:
                    assert reason["points_gain"] > 0
                    assert str(reason["points_gain"]) in reason["advice"]


def test_reaching_a_reasons_target_adds_exactly_its_points(
    cities: tuple[Trained, Trained],
) -> None:
    trained = cities[0]
    card, columns = trained.card, trained.columns
    checked = 0
    for row in range(0, columns.num_rows, 37):
        person: dict[str, Any] = {
            name: np.array([columns.column(name)[row].as_py()], dtype=float)
            for name in columns.column_names
        }
        before = card.explain(person)[0]
        for reason in before.reasons:
            if reason.direction not in (Direction.HIGH, Direction.LOW):
                continue
            moved = {k: v.copy() for k, v in person.items()}
            target = float(reason.target)  # type: ignore[arg-type]
            entry = entry_for(reason.feature)
            integer = entry is not None and entry.unit in (Unit.COUNT, Unit.MONTHS)
            # "at most" a target is in its band; "above" an amount or a ratio is just past it
            above = reason.direction is Direction.LOW and not integer
            moved[reason.feature][0] = np.nextafter(target, np.inf) if above else target
            assert card.explain(moved)[0].score - before.score == reason.points_gain
            checked += 1
    assert checked > 20


def test_the_artefact_publishes_the_catalogue_words_of_every_feature_it_scores(
    cities: tuple[Trained, Trained],
) -> None:
    card = cities[0].card
    artefact = ModelArtefact(
        card, version="v-test", created_at="2026-12-01T00:00:00+00:00", training_sha256="ab" * 32
    )
    document = json.loads(artefact.to_json())["reason_catalogue"]
    assert document["version"] == CATALOGUE_VERSION
    assert set(document["features"]) == {f.name for f in card.points_table_.features}
    for code in cities[0].possible:
        feature = cities[0].by_feature[code.rsplit("-", 1)[0]]
        words = document["features"][feature]["directions"][code.rsplit("-", 1)[1]]
        assert set(words) == {"zh", "en"}
