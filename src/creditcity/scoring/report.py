"""The validation report of a model: Markdown with two PNG charts beside it.

Figures (AUC, Gini, KS, Brier, calibration by decile) are measured on a
validation sample (in tabular mode: out-of-fold predictions); PSI compares
that sample's scores with the scores of the training rows under the final
model. Charts are drawn with matplotlib's object API on the Agg canvas, so no
global pyplot state or display is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from creditcity.scoring import metrics
from creditcity.scoring._columns import FloatArray, IntArray
from creditcity.scoring.artefact import ModelArtefact
from creditcity.scoring.points import PointsTable

__all__ = ["ValidationSample", "validation_figures", "write_report"]


@dataclass(frozen=True, slots=True)
class ValidationSample:
    """Outcomes with the scores and default probabilities predicted for them."""

    y: IntArray
    scores: IntArray
    probability: FloatArray  #: probability of the event (default)


def validation_figures(sample: ValidationSample, train_scores: IntArray) -> dict[str, Any]:
    """The figures the artefact records and the report prints."""
    y, p = sample.y, sample.probability
    return {
        "n": int(y.size),
        "events": int(y.sum()),
        "auc": metrics.auc(y, p),
        "gini": metrics.gini(y, p),
        "ks": metrics.ks(y, p),
        "brier": metrics.brier(y, p),
        "psi_vs_training": metrics.psi(train_scores, sample.scores),
        "calibration": [r.to_dict() for r in metrics.calibration_by_decile(y, p)],
    }


def _save(fig: Figure, path: Path) -> None:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100)


def _roc_png(sample: ValidationSample, path: Path) -> None:
    order = np.argsort(-sample.probability, kind="mergesort")
    y = sample.y[order]
    tpr = np.concatenate([[0.0], np.cumsum(y) / max(int(y.sum()), 1)])
    fpr = np.concatenate([[0.0], np.cumsum(1 - y) / max(int((1 - y).sum()), 1)])
    fig = Figure(figsize=(5, 5))
    ax = fig.add_subplot()
    ax.plot(fpr, tpr, label=f"model (AUC {metrics.auc(sample.y, sample.probability):.3f})")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC (validation sample)")
    ax.legend(loc="lower right")
    _save(fig, path)


def _histogram_png(sample: ValidationSample, path: Path) -> None:
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    edges = np.histogram_bin_edges(sample.scores, bins=30).tolist()
    ax.hist(sample.scores[sample.y == 0], bins=edges, alpha=0.6, label="no default")
    ax.hist(sample.scores[sample.y == 1], bins=edges, alpha=0.6, label="default")
    ax.set_xlabel("score")
    ax.set_ylabel("people")
    ax.set_title("Scores by outcome (validation sample)")
    ax.legend()
    _save(fig, path)


def _points_rows(table: PointsTable) -> list[str]:
    rows = [
        "| feature | dimension | bin | count | event rate | WoE | points |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for f in table.features:
        for b, pts in zip(f.binning.bins_, f.points, strict=True):
            rate = "" if b.count == 0 else f"{b.event_rate:.3f}"
            label = b.label.replace("|", "/")
            rows.append(
                f"| {f.name} | {f.dimension_key} | {label} | {b.count} | {rate} "
                f"| {b.woe:.3f} | {int(pts)} |"
            )
    return rows


def _interval(figure: dict[str, float]) -> str:
    return f"{figure['value']:.4f} [{figure['low']:.4f}, {figure['high']:.4f}]"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _sample_lines(title: str, sample: dict[str, Any]) -> list[str]:
    lines = [
        f"### {title}: {sample['people']:,} people, {sample['events']:,} defaults",
        "",
        "| figure | value [95% bootstrap interval] |",
        "| --- | ---: |",
        *(f"| {k} | {_interval(sample[k])} |" for k in ("auc", "gini", "ks")),
        "",
        "| tier | band | share | expected default rate | observed |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for row in sample["tiers"]:
        lines.append(
            f"| {row['tier']} | {row['min_score']}–{row['max_score']} | {row['share']:.1%} "
            f"| {_rate(row['expected_default_rate'])} | {_rate(row.get('observed_default_rate'))} |"
        )
    return [*lines, ""]


def _validation_lines(validation: dict[str, Any]) -> list[str]:
    """Ledger mode: in time, out of time, stability and the activation gate."""
    if "in_time" not in validation:
        return []
    lines = _sample_lines("In time (out-of-fold)", validation["in_time"])
    if validation.get("out_of_time"):
        later = validation["out_of_time"]
        lines += _sample_lines(f"Out of time ({later['as_of']})", later)
    psi = validation["population_stability"]["score_psi"]
    gate = validation["gate"]
    verdict = "passed" if gate["passed"] else "FAILED: " + "; ".join(gate["failures"])
    lines += [
        f"Score PSI, training population against the later one: "
        f"{'not measured' if psi is None else f'{psi:.4f}'}.",
        "",
        f"Activation gate ({', '.join(f'{k} {v}' for k, v in gate['thresholds'].items())}): "
        f"{verdict}.",
        "",
        "Information value per feature: "
        + ", ".join(f"{f['feature']} {f['iv']:.3f}" for f in validation["features"]),
        "",
    ]
    return lines


def _markdown(artefact: ModelArtefact, figures: dict[str, Any], stem: str) -> str:
    table: PointsTable = artefact.scorecard.points_table_
    s = table.scaling
    cv = artefact.validation.get("cross_validation")
    lines = [
        f"# Scorecard {artefact.version}",
        "",
        f"- created at: {artefact.created_at}; as of: {artefact.as_of or 'n/a'}",
        f"- training data sha256: `{artefact.training_sha256}`; target: {artefact.target}",
        f"- scale: {s.base_score:g} points at odds {s.base_odds:g}:1, PDO {s.pdo:g} "
        f"(effective PDO {s.effective_pdo:.2f}); range {s.score_min}–{s.score_max}; "
        f"base points {table.base}; reachable {table.min_score}–{table.max_score}",
        f"- dropped for a wrong-signed coefficient: "
        f"{', '.join(artefact.scorecard.dropped_features_) or 'none'}",
        "",
        "## Validation",
        "",
    ]
    if cv:
        folds = f"{cv['n_splits']}-fold x {cv['n_repeats']}, seed {cv['seed']}"
        lines += [f"Out-of-fold AUC {cv['auc_mean']:.4f} ± {cv['auc_std']:.4f} ({folds}).", ""]
    lines += [
        "| figure | value |",
        "| --- | ---: |",
        *(f"| {k} | {figures[k]:.4f} |" for k in ("auc", "gini", "ks", "brier", "psi_vs_training")),
        "",
        "(psi_vs_training compares the validation sample's scores with the final model's scores",
        "of the training rows: a check of the scale, not of the population.)",
        "",
        "### Calibration by decile",
        "",
        "| decile | count | predicted | observed |",
        "| ---: | ---: | ---: | ---: |",
        *(
            f"| {r['decile']} | {r['count']} | {r['predicted']:.3f} | {r['observed']:.3f} |"
            for r in figures["calibration"]
        ),
        "",
        *_validation_lines(artefact.validation),
        f"![ROC]({stem}-roc.png)",
        "",
        f"![Scores by outcome]({stem}-scores.png)",
        "",
        "## Points table",
        "",
        *_points_rows(table),
        "",
    ]
    return "\n".join(lines)


def write_report(
    directory: Path,
    artefact: ModelArtefact,
    sample: ValidationSample,
    train_scores: IntArray,
    *,
    stem: str,
) -> Path:
    """Write ``<stem>.md``, ``<stem>-roc.png`` and ``<stem>-scores.png``; returns the .md path."""
    directory.mkdir(parents=True, exist_ok=True)
    figures = validation_figures(sample, train_scores)
    _roc_png(sample, directory / f"{stem}-roc.png")
    _histogram_png(sample, directory / f"{stem}-scores.png")
    path = directory / f"{stem}.md"
    path.write_text(_markdown(artefact, figures, stem), encoding="utf-8")
    return path
