"""PMML export: an independent engine (JPMML on Java) gives creditcity's scores exactly.

The scorecard is fitted on the features of a small synthetic city (1,000
residents) and on a tabular data set with categories, special values and
missing values, exported as PMML 4.4 and evaluated by ``jpmml-evaluator``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from jpmml_evaluator import make_evaluator

from creditcity.config import Settings
from creditcity.domain.reason_catalogue import family_of
from creditcity.domain.reason_wordings import ENTRIES
from creditcity.features import compute_features
from creditcity.features.schema import empty_consents, empty_disputed
from creditcity.features.synthetic import random_entries
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.models import register_model
from creditcity.scoring.artefact import ModelArtefact
from creditcity.scoring.pmml import NAMESPACE, NOT_CITED, scorecard_pmml
from creditcity.scoring.scorecard import Scorecard
from creditcity.scoring.spec import FeatureSpec
from creditcity.services.scoring import new_scorecard

AS_OF = date(2026, 6, 30)
RESIDENTS = 1000
CLI = str(Path(sys.executable).with_name("creditcity"))


def _artefact(card: Scorecard) -> ModelArtefact:
    return ModelArtefact(
        card, version="t1", created_at="2026-12-01T00:00:00", training_sha256="0" * 64
    )


def _evaluate(xml: str, path: Path, X: pa.Table, names: list[str]) -> pd.DataFrame:
    path.write_text(xml, encoding="utf-8")
    evaluator = make_evaluator(str(path), backend="jpype").verify()
    frame = X.select(names).to_pandas()
    return evaluator.evaluateAll(frame.astype(object).where(frame.notna(), None))


@pytest.fixture(scope="module")
def city() -> tuple[Scorecard, pa.Table]:
    entries = random_entries(residents=RESIDENTS, records=50_000, seed=3, end=AS_OF)
    features = compute_features(
        entries, as_of=AS_OF, disputed=empty_disputed(), consents=empty_consents()
    )
    late = features.column("late_30_59_days_ever").to_numpy()
    noise = np.random.default_rng(0).normal(0, 1, late.size)
    y = (late + noise > np.median(late)).astype(int)
    X = features.drop_columns(["subject"])
    return new_scorecard(Settings()).fit(X, y), X


@pytest.fixture(scope="module")
def evaluated(
    city: tuple[Scorecard, pa.Table], tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    """The city's model registered, exported by ``creditcity model export``, scored by JPMML."""
    card, X = city
    folder = tmp_path_factory.mktemp("pmml")
    url = f"sqlite:///{folder / 'city.db'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        register_model(conn, "t1", _artefact(card).to_json(), activate=True)
    engine.dispose()
    path = folder / "exported" / "city.pmml"
    command = [CLI, "model", "export", "t1", "--pmml", str(path), "--database-url", url, "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["features"] == len(card.points_table_.features)
    names = [f.name for f in card.points_table_.features]
    return _evaluate(path.read_text(encoding="utf-8"), folder / "m.pmml", X, names)


def test_exporting_an_unknown_version_exits_1_naming_how_to_list_versions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate(make_engine(url))
    command = [
        CLI,
        "model",
        "export",
        "nope",
        "--pmml",
        str(tmp_path / "x.pmml"),
        "--database-url",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and "model list" in done.stderr
    assert not (tmp_path / "x.pmml").exists()


def test_jpmml_gives_identical_scores_for_a_thousand_residents(
    city: tuple[Scorecard, pa.Table], evaluated: pd.DataFrame
) -> None:
    card, X = city
    result = evaluated
    ours = card.predict_score(X)
    assert len(ours) == RESIDENTS
    assert result["points"].to_numpy().tolist() == ours.tolist()
    bins = card.transform_bins(X)
    missing = [f.binning.missing_bin_ for f in card.points_table_.features]
    assert (bins == np.array(missing)).any(), "some residents must fall in a missing bin"


def _one_per_family(codes: list[str], feature_of: dict[str, str]) -> list[str]:
    """PMML ranks every feature's reason; creditcity gives one per family (the same fact
    over two spans), so the PMML ranking is read with that rule."""
    seen: set[str] = set()
    kept = []
    for code in codes:
        family = family_of(feature_of.get(code, code))
        if family not in seen:
            seen.add(family)
            kept.append(code)
    return kept


def test_jpmml_ranks_the_same_four_reasons_as_creditcity(
    city: tuple[Scorecard, pa.Table], evaluated: pd.DataFrame
) -> None:
    card, X = city
    ranks = [c for c in evaluated.columns if c.startswith("reason_")]
    explanations = list(card.explain(X))
    feature_of = {r.code: r.feature for e in explanations for r in e.reasons}
    by_stem = {entry.stem: entry.feature for entry in ENTRIES}
    for code in {c for c in evaluated[ranks].to_numpy().ravel().tolist() if c}:
        stem = str(code).split("-", 1)[-1].rsplit("-", 1)[0]
        feature_of.setdefault(str(code), by_stem.get(stem, str(code)))
    cited = 0
    for row, explanation in enumerate(explanations):
        ours = [r.code for r in explanation.reasons]
        ranked = [evaluated[c][row] for c in ranks]
        theirs = _one_per_family(
            [code for code in ranked if code and not code.endswith(NOT_CITED)], feature_of
        )
        assert theirs[: len(ours)] == ours
        cited += len(ours)
    assert cited > RESIDENTS  # most residents are given reasons


def test_jpmml_scores_categories_special_values_and_unseen_categories_like_creditcity(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(5)
    n = 2000
    housing = rng.choice(["own", "rent", "for free", 'say "other"'], n)
    months = rng.integers(0, 120, n).astype(float)
    months[rng.random(n) < 0.1] = -1.0  # a declared special value: no account yet
    months[rng.random(n) < 0.1] = np.nan
    logit = np.where(housing == "rent", 0.8, 0.0) - months / 60
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    specs = [FeatureSpec("housing"), FeatureSpec("months_on_book", special_values=(-1.0,))]
    X = pa.table({"housing": housing, "months_on_book": months})
    card = Scorecard(features=specs).fit(X, y)
    unseen = pa.table({"housing": ["a castle", None, "own"], "months_on_book": [-1.0, 5.0, None]})
    both = pa.concat_tables([X, unseen])
    result = _evaluate(
        scorecard_pmml(_artefact(card).to_dict()),
        tmp_path / "m.pmml",
        both,
        ["housing", "months_on_book"],
    )
    assert result["points"].to_numpy().tolist() == card.predict_score(both).tolist()


def test_the_published_scale_holds_in_pmml_scores_are_kept_inside_it(
    city: tuple[Scorecard, pa.Table], tmp_path: Path
) -> None:
    card, X = city
    ours = card.predict_score(X)
    document: dict[str, Any] = _artefact(card).to_dict()
    cap = int(np.median(ours))
    document["scaling"] = {**document["scaling"], "score_max": cap}
    names = [f.name for f in card.points_table_.features]
    result = _evaluate(scorecard_pmml(document), tmp_path / "m.pmml", X, names)
    assert result["points"].to_numpy().tolist() == np.minimum(ours, cap).tolist()


def test_the_document_is_a_pmml_4_4_scorecard_with_a_characteristic_per_feature(
    city: tuple[Scorecard, pa.Table],
) -> None:
    card, _ = city
    root = ET.fromstring(scorecard_pmml(_artefact(card).to_dict()))
    ns = {"p": NAMESPACE}
    assert root.tag == f"{{{NAMESPACE}}}PMML" and root.get("version") == "4.4"
    scorecard = root.find("p:Scorecard", ns)
    assert scorecard is not None and scorecard.get("useReasonCodes") == "true"
    assert scorecard.get("initialScore") == str(card.points_table_.base)
    characteristics = scorecard.findall("p:Characteristics/p:Characteristic", ns)
    assert len(characteristics) == len(card.points_table_.features)
    assert all(c.get("baselineScore") for c in characteristics)
    attributes = scorecard.findall("p:Characteristics/p:Characteristic/p:Attribute", ns)
    assert all(a.get("reasonCode") and a.get("partialScore") for a in attributes)
