"""The model artefact: a versioned, human-readable JSON file (never a pickle).

It holds everything needed to score and to recompute a score by hand: the
scale, base points, and for every feature its dimension, reason template and
bins (edges or categories, counts, event rate, WoE, points); plus where it
came from (version, created_at, as_of, sha256 of the training table) and its
validation figures, and the reason catalogue (its version, and per feature
its code stem and sentences in Chinese and English). Loading runs the charter
check first: an artefact naming a forbidden feature is refused with
:class:`CharterViolation`, whoever wrote the file. Every load re-checks the
one-sided rule (no voluntary-data bin worth less than "not shared") and that
serious records never earn points, so an edited or foreign artefact cannot
break either. A scorecard rebuilt
from the JSON scores exactly like the original.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from creditcity.domain.charter import ensure_allowed
from creditcity.domain.reason_catalogue import published
from creditcity.errors import InputRejected, Problem
from creditcity.scoring.binning import MonotoneBinning
from creditcity.scoring.bins import Bin
from creditcity.scoring.points import FeaturePoints, PointsTable
from creditcity.scoring.scaling import Scaling
from creditcity.scoring.scorecard import Scorecard
from creditcity.scoring.spec import FeatureSpec

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelArtefact", "file_sha256", "make_version"]

FORMAT = "creditcity.scorecard"
FORMAT_VERSION = 1
_TABLE_PARAMS = ("features", "one_sided")


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes (the training data hash)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_version(created_at: datetime, training_sha256: str) -> str:
    """``YYYYMMDDTHHMMSS-<first 8 of the data hash>``: sortable and tied to the data."""
    return f"{created_at:%Y%m%dT%H%M%S}-{training_sha256[:8]}"


def _clean(value: Any) -> Any:
    """JSON has no NaN: write it as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def _feature_dict(f: FeaturePoints) -> dict[str, Any]:
    pairs = zip(f.binning.bins_, f.points, strict=True)
    bins = [{**b.to_dict(), "points": int(p)} for b, p in pairs]
    return {
        **f.spec.to_dict(),
        "kind": f.binning.kind_,
        "one_sided": f.one_sided,
        "coefficient": f.coefficient,
        "iv": f.binning.iv_,
        "trend": f.binning.trend_,
        "bins": bins,
    }


def _feature_from(data: dict[str, Any]) -> FeaturePoints:
    spec = FeatureSpec.from_dict(data)
    bins = [Bin.from_dict(b) for b in data["bins"]]
    kind = str(data["kind"])
    if kind not in ("numeric", "categorical"):
        raise ValueError(f"feature '{spec.name}': kind must be numeric or categorical")
    uppers = [b.upper for b in bins if b.kind.value == "range"][:-1]
    if any(u is None for u in uppers) or uppers != sorted(set(uppers)):  # type: ignore[type-var]
        raise ValueError(f"feature '{spec.name}': numeric bin edges must increase")
    binning = MonotoneBinning.from_bins(
        kind,
        bins,
        trend=str(data.get("trend", "ascending")),
        iv=float(data["iv"]) if data.get("iv") is not None else math.nan,
    )
    points = np.array([int(b["points"]) for b in data["bins"]], dtype=np.int64)
    one_sided = bool(data["one_sided"])
    if one_sided and (points < points[binning.missing_bin_]).any():
        raise ValueError(
            f"feature '{spec.name}' is one-sided (voluntary data) but a bin is worth less than "
            "'not shared': sharing would lower the score"
        )
    regular = points[: binning.n_regular_]
    if spec.serious and (np.diff(regular) > 0).any():
        raise ValueError(f"feature '{spec.name}' is serious but more records earn more points")
    return FeaturePoints(spec, binning, float(data["coefficient"]), one_sided, points)


@dataclass(frozen=True, slots=True, eq=False)
class ModelArtefact:
    """A fitted scorecard with its provenance and validation figures."""

    scorecard: Scorecard
    version: str
    created_at: str
    training_sha256: str
    as_of: str | None = None
    target: str | None = None
    validation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        table: PointsTable = self.scorecard.points_table_
        params = {k: v for k, v in self.scorecard.get_params().items() if k not in _TABLE_PARAMS}
        out: dict[str, Any] = _clean(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "version": self.version,
                "created_at": self.created_at,
                "as_of": self.as_of,
                "training_sha256": self.training_sha256,
                "target": self.target,
                "scaling": {**table.scaling.to_dict(), "base_points": table.base},
                "score_range_reachable": [table.min_score, table.max_score],
                "model": {
                    "type": "woe_logistic_regression",
                    "intercept": table.intercept,
                    "dropped_features": list(self.scorecard.dropped_features_),
                    "params": params,
                },
                "features": [_feature_dict(f) for f in table.features],
                "validation": self.validation,
                # the words of its reason codes, so the published artefact explains itself
                "reason_catalogue": published([f.name for f in table.features]),
            }
        )
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, text: str, *, where: str = "model artefact") -> ModelArtefact:
        """Parse and check an artefact; forbidden features raise :class:`CharterViolation`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputRejected(
                f"{where} is not JSON: {error.msg}",
                problems=[Problem(error.msg, where=f"{where}, line {error.lineno}")],
            ) from None
        return cls.from_dict(data, where=where)

    @classmethod
    def load(cls, path: Path) -> ModelArtefact:
        if not path.is_file():
            raise InputRejected(f"model artefact {path} does not exist or is not a file")
        return cls.from_json(path.read_text(encoding="utf-8"), where=str(path))

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "model artefact") -> ModelArtefact:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputRejected(
                f"{where} is not a creditcity scorecard artefact",
                problems=[
                    Problem("wrong or missing format", field="format", expected=f"'{FORMAT}'")
                ],
            )
        if data.get("format_version") != FORMAT_VERSION:
            raise InputRejected(
                f"{where} has format_version {data.get('format_version')!r}; "
                f"this creditcity reads version {FORMAT_VERSION}"
            )
        _check_charter(data, where)
        try:
            return cls._parse(data)
        except (KeyError, TypeError, ValueError) as error:
            raise InputRejected(
                f"{where} is not a valid scorecard artefact",
                problems=[Problem(f"{type(error).__name__}: {error}", where=where)],
            ) from None

    @classmethod
    def _parse(cls, data: dict[str, Any]) -> ModelArtefact:
        scale = dict(data["scaling"])
        features = tuple(_feature_from(f) for f in data["features"])
        model = data["model"]
        intercept = model.get("intercept")
        table = PointsTable(
            base=int(scale["base_points"]),
            scaling=Scaling.from_dict(scale),
            features=features,
            intercept=math.nan if intercept is None else float(intercept),
        )
        card = Scorecard.from_points_table(
            table, dropped=list(model.get("dropped_features", [])), **dict(model.get("params", {}))
        )
        return cls(
            scorecard=card,
            version=str(data["version"]),
            created_at=str(data["created_at"]),
            training_sha256=str(data["training_sha256"]),
            as_of=data.get("as_of"),
            target=data.get("target"),
            validation=dict(data.get("validation") or {}),
        )


def _check_charter(data: dict[str, Any], where: str) -> None:
    features = data.get("features")
    model = data.get("model")
    declared = [f for f in features if isinstance(f, dict)] if isinstance(features, list) else []
    names = [str(f.get("name")) for f in declared]
    meanings = {str(f.get("name")): str(f["meaning"]) for f in declared if f.get("meaning")}
    meanings.update(_declared_columns(data.get("validation")))
    if isinstance(model, dict):
        names += [str(n) for n in model.get("dropped_features", [])]
    ensure_allowed(
        names,
        what=f"model artefact {where}",
        fix="this artefact cannot be loaded; retrain the model without '{name}'",
        meanings=meanings,
    )


def _declared_columns(validation: Any) -> dict[str, str]:
    """Meanings a data dictionary declared at training (they cover dropped features too)."""
    rows = validation.get("declared_columns") if isinstance(validation, dict) else None
    if not isinstance(rows, list):
        return {}
    return {
        str(r["name"]): str(r["meaning"])
        for r in rows
        if isinstance(r, dict) and r.get("name") and r.get("meaning")
    }
