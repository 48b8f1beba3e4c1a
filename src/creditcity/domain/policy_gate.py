"""What the policy promises about the model: expected default rates per tier, the activation gate.

A tier's ``expected_default_rate`` is the operator's public statement of how
often people in that band default within 12 months; the validation report
puts the observed rate beside it. The ``[model_gate]`` table holds the
thresholds a newly trained model must pass before ``train`` makes it live
(otherwise the previous model stays active).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any

from pydantic import Field

from creditcity.domain.policy_schema import Report, TierSpec, _Spec

__all__ = ["GateSpec", "ModelGate", "check_expected_rates", "model_gate"]

Rate = Annotated[float, Field(gt=0.0, lt=1.0, allow_inf_nan=False)]


class GateSpec(_Spec):
    """``[model_gate]``: every key has a default, so a policy without the table still gates."""

    min_auc: Annotated[float, Field(ge=0.5, le=1.0)] = 0.65
    max_psi: Annotated[float, Field(gt=0.0, le=10.0)] = 0.25
    require_monotone_bins: bool = True
    #: each serious record present in training must cost at least this many points
    min_serious_points: Annotated[int, Field(ge=0, le=600)] = 10


@dataclass(frozen=True, slots=True)
class ModelGate:
    """The checked thresholds (see :class:`GateSpec`)."""

    min_auc: float = 0.65
    max_psi: float = 0.25
    require_monotone_bins: bool = True
    min_serious_points: int = 10

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_auc": self.min_auc,
            "max_psi": self.max_psi,
            "require_monotone_bins": self.require_monotone_bins,
            "min_serious_points": self.min_serious_points,
        }


def model_gate(raw: object, report: Report) -> ModelGate | None:
    """The ``[model_gate]`` table checked (``None`` after reporting a problem)."""
    spec = report.validated(GateSpec, raw if isinstance(raw, dict) else {}, ("model_gate",))
    if spec is None:
        return None
    return ModelGate(
        spec.min_auc, spec.max_psi, spec.require_monotone_bins, spec.min_serious_points
    )


def check_expected_rates(tiers: Sequence[tuple[int, TierSpec]], report: Report) -> None:
    """Stated rates: all tiers or none, each below the rate of the tier beneath it."""
    stated = [(i, t) for i, t in tiers if t.expected_default_rate is not None]
    if stated and len(stated) != len(tiers):
        for index, tier in tiers:
            if tier.expected_default_rate is None:
                report.add(
                    ("tiers", index, "name"),
                    f"tier '{tier.name}' states no expected_default_rate while others do",
                    "add expected_default_rate = 0.05 (a share between 0 and 1) to every tier",
                )
        return
    ordered = sorted(stated, key=lambda item: item[1].min_score)
    for (_, low), (index, high) in pairwise(ordered):
        assert low.expected_default_rate is not None and high.expected_default_rate is not None
        if high.expected_default_rate >= low.expected_default_rate:
            report.add(
                ("tiers", index, "expected_default_rate"),
                f"tier '{high.name}' expects {high.expected_default_rate:.1%} defaults, "
                f"not less than the {low.expected_default_rate:.1%} of '{low.name}' below it",
                "a rate that falls as scores rise",
            )
