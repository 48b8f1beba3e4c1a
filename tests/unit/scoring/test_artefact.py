"""The JSON model artefact: round trip scores identically; forbidden features are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from creditcity.errors import CharterViolation, InputRejected
from creditcity.scoring import ModelArtefact, Scorecard

from ._synthetic import SPECS, make_table


@pytest.fixture(scope="module")
def fitted() -> tuple[ModelArtefact, dict[str, Any]]:
    columns, y = make_table(3000, seed=4)
    card = Scorecard(features=SPECS, one_sided=("shared_savings",)).fit(columns, y)
    artefact = ModelArtefact(
        card,
        version="20260101T000000-abcdef12",
        created_at="2026-01-01T00:00:00+00:00",
        training_sha256="ab" * 32,
        as_of="2025-12-31",
        target="default_12m",
        validation={"auc": 0.8, "nan_is_written_as": float("nan")},
    )
    return artefact, columns


def test_a_scorecard_rebuilt_from_json_scores_identically(
    fitted: tuple[ModelArtefact, dict[str, Any]], tmp_path: Path
) -> None:
    artefact, columns = fitted
    path = artefact.save(tmp_path / "model.json")
    loaded = ModelArtefact.load(path)
    card = loaded.scorecard
    assert np.array_equal(card.predict_score(columns), artefact.scorecard.predict_score(columns))
    assert np.allclose(card.predict_proba(columns), artefact.scorecard.predict_proba(columns))
    assert [e.to_dict() for e in card.explain({k: v[:50] for k, v in columns.items()})] == [
        e.to_dict() for e in artefact.scorecard.explain({k: v[:50] for k, v in columns.items()})
    ]
    assert loaded.version == artefact.version and loaded.as_of == "2025-12-31"
    assert card.get_params()["one_sided"] == ("shared_savings",)


def test_the_artefact_is_readable_json_with_bins_points_and_provenance(
    fitted: tuple[ModelArtefact, dict[str, Any]],
) -> None:
    data = json.loads(fitted[0].to_json())
    assert data["format"] == "creditcity.scorecard" and data["training_sha256"] == "ab" * 32
    assert data["validation"]["nan_is_written_as"] is None
    feature = data["features"][0]
    assert feature["dimension"] == "payment_history"
    assert {"label", "count", "events", "event_rate", "woe", "points"} <= set(feature["bins"][0])
    assert (
        data["scaling"]["base_points"]
        + sum(max(b["points"] for b in f["bins"]) for f in data["features"])
        == data["score_range_reachable"][1]
    )


def test_loading_an_artefact_edited_to_use_a_forbidden_feature_raises_charter_violation(
    fitted: tuple[ModelArtefact, dict[str, Any]], tmp_path: Path
) -> None:
    data = json.loads(fitted[0].to_json())
    data["features"][1]["name"] = "marital_status"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CharterViolation) as caught:
        ModelArtefact.load(path)
    assert "marital_status" in str(caught.value) and str(path) in str(caught.value)
    assert "retrain" in str(caught.value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="something.else"), "not a creditcity scorecard"),
        (lambda d: d.update(format_version=99), "format_version"),
        (lambda d: d["features"][0].pop("bins"), "not a valid"),
        (lambda d: d["features"][0]["bins"].reverse(), "not a valid"),
    ],
    ids=["wrong format", "future version", "missing bins", "bins out of order"],
)
def test_a_damaged_artefact_is_rejected_with_a_reason(
    fitted: tuple[ModelArtefact, dict[str, Any]], edit: Any, message: str
) -> None:
    data = json.loads(fitted[0].to_json())
    edit(data)
    with pytest.raises(InputRejected, match=message):
        ModelArtefact.from_json(json.dumps(data))


def test_text_that_is_not_json_is_rejected_with_its_line() -> None:
    with pytest.raises(InputRejected, match="not JSON"):
        ModelArtefact.from_json("{\n  oops")
