"""The validation report: Markdown with the figures, a ROC chart and a score histogram."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from creditcity.scoring import ModelArtefact, Scorecard
from creditcity.scoring.report import ValidationSample, validation_figures, write_report

from ._synthetic import SPECS, make_table


def test_the_report_writes_markdown_and_two_png_charts(tmp_path: Path) -> None:
    columns, y = make_table(2000, seed=7)
    card = Scorecard(features=SPECS).fit(columns, y)
    artefact = ModelArtefact(
        card, version="v1", created_at="2026-01-01T00:00:00+00:00", training_sha256="00" * 32
    )
    scores = card.predict_score(columns)
    sample = ValidationSample(y=y, scores=scores, probability=card.predict_proba(columns)[:, 1])
    path = write_report(tmp_path, artefact, sample, scores, stem="card")
    text = path.read_text(encoding="utf-8")
    for heading in (
        "| auc |",
        "| gini |",
        "| ks |",
        "| brier |",
        "| psi_vs_training |",
        "Calibration by decile",
        "## Points table",
        "late_30_12m",
    ):
        assert heading in text
    for png in ("card-roc.png", "card-scores.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({png})" in text


def test_psi_against_training_is_zero_when_the_samples_are_the_same() -> None:
    y = np.array([0, 1] * 50)
    scores = np.arange(100)
    figures = validation_figures(
        ValidationSample(y=y, scores=scores, probability=np.linspace(0.9, 0.1, 100)), scores
    )
    assert figures["psi_vs_training"] == 0.0
    assert len(figures["calibration"]) == 10
