"""What the scorecard knows about a feature besides its data: dimension, reason text, code."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from creditcity.domain.catalogue import Dimension
from creditcity.errors import InputRejected, Problem

__all__ = ["TEMPLATE_FIELDS", "TRENDS", "FeatureSpec"]

#: Directions a feature's event rate may be held to (see :class:`FeatureSpec`).
TRENDS = ("auto", "ascending", "descending")
#: Placeholders a reason template may use.
TEMPLATE_FIELDS = frozenset({"value", "bin", "feature"})

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One scorecard feature.

    ``reason`` is the sentence a person reads when this feature cost them
    points, with ``{value}`` (their value), ``{bin}`` (the band it fell in)
    and ``{feature}`` (the feature name) filled in, e.g.
    ``"{value} instalments paid 30–59 days late in the last 12 months"``.
    ``code`` is the stable middle part of its reason codes (``PH-LATE-30``
    has code ``LATE``); it defaults to the upper-cased feature name.
    """

    name: str
    dimension: Dimension | None = None
    kind: str = "auto"
    reason: str | None = None
    code: str | None = None
    special_values: tuple[float | str, ...] = ()
    #: what the column holds, as a data dictionary declared it; the charter
    #: judges a feature with a meaning by that meaning instead of its name
    meaning: str | None = None
    #: counts a serious record (catalogue-flagged): catalogue bins, always priced
    serious: bool = False
    #: the direction of risk the bins must follow: ``ascending`` (more of it is
    #: riskier), ``descending`` (more is safer) or ``auto`` (learned)
    trend: str = "auto"

    @property
    def reason_code_stem(self) -> str:
        return self.code or re.sub(r"[^A-Z0-9]+", "_", self.name.upper()).strip("_")[:40]

    @property
    def template(self) -> str:
        return self.reason or "{feature} is {value} (band {bin})"

    def problems(self) -> list[Problem]:
        """Everything wrong with this spec (empty when it is usable)."""
        out: list[Problem] = []
        if self.kind not in ("auto", "numeric", "categorical"):
            out.append(
                Problem(
                    f"unknown kind '{self.kind}'",
                    field=self.name,
                    expected="auto, numeric or categorical",
                )
            )
        if self.trend not in TRENDS:
            out.append(
                Problem(
                    f"unknown trend '{self.trend}'",
                    field=self.name,
                    expected="auto, ascending or descending",
                )
            )
        if self.code is not None and not _CODE.match(self.code):
            out.append(
                Problem(
                    f"reason code stem '{self.code}' is not usable",
                    field=self.name,
                    expected="1-40 of A-Z, 0-9, '_' or '-'",
                )
            )
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(self.template) if f is not None}
        except ValueError as error:
            out.append(Problem(f"reason template does not parse: {error}", field=self.name))
        else:
            unknown = sorted(used - TEMPLATE_FIELDS)
            if unknown:
                out.append(
                    Problem(
                        f"reason template uses unknown placeholders {unknown}",
                        field=self.name,
                        expected="{value}, {bin} or {feature}",
                    )
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dimension": None if self.dimension is None else self.dimension.value,
            "kind": self.kind,
            "reason": self.reason,
            "code": self.code,
            "special_values": list(self.special_values),
            **({"meaning": self.meaning} if self.meaning is not None else {}),
            "serious": self.serious,
            **({"trend": self.trend} if self.trend != "auto" else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureSpec:
        dimension = data.get("dimension")
        return cls(
            name=str(data["name"]),
            dimension=None if dimension is None else Dimension(dimension),
            kind=str(data.get("kind", "auto")),
            reason=data.get("reason"),
            code=data.get("code"),
            special_values=tuple(data.get("special_values", ())),
            meaning=data.get("meaning"),
            serious=bool(data.get("serious", False)),
            trend=str(data.get("trend", "auto")),
        )


def check_specs(specs: list[FeatureSpec]) -> None:
    """Raise :class:`InputRejected` listing every unusable or duplicated spec."""
    problems = [p for spec in specs for p in spec.problems()]
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            problems.append(Problem("feature declared twice", field=spec.name))
        seen.add(spec.name)
    if problems:
        raise InputRejected("scorecard feature specs are not usable", problems=problems)
