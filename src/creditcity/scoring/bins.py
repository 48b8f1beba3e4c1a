"""One bin of a fitted binning: what it covers, what was counted in it, its WoE.

A bin is plain data so the model artefact can write it as JSON and a
scorecard rebuilt from that JSON bins every value exactly as the original did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class BinKind(StrEnum):
    RANGE = "range"  #: numeric values in ``(lower, upper]``; ``None`` = unbounded
    CATEGORIES = "categories"  #: any of ``categories``
    SPECIAL = "special"  #: exactly the declared special value ``special``
    MISSING = "missing"  #: the value is absent (and, for categories, unseen in fit)


@dataclass(frozen=True, slots=True)
class Bin:
    """One bin and its training statistics."""

    kind: BinKind
    count: int = 0
    events: int = 0
    woe: float = 0.0
    lower: float | None = None
    upper: float | None = None
    categories: tuple[str, ...] = ()
    special: float | str | None = None

    @property
    def event_rate(self) -> float:
        """Share of events among the bin's training rows (NaN when it is empty)."""
        return self.events / self.count if self.count else math.nan

    @property
    def label(self) -> str:
        """How a person reads the bin: ``30 < x <= 60``, ``A, B``, ``missing``."""
        if self.kind is BinKind.RANGE:
            if self.lower is None and self.upper is None:
                return "any value"
            if self.lower is None:
                return f"<= {_num(self.upper)}"
            if self.upper is None:
                return f"> {_num(self.lower)}"
            return f"{_num(self.lower)} < x <= {_num(self.upper)}"
        if self.kind is BinKind.CATEGORIES:
            return ", ".join(self.categories)
        if self.kind is BinKind.SPECIAL:
            return f"= {self.special}"
        return "missing"

    def with_stats(self, count: int, events: int, woe: float) -> Bin:
        return replace(self, count=count, events=events, woe=woe)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (statistics included, ``event_rate`` for the reader)."""
        out: dict[str, Any] = {"kind": self.kind.value, "label": self.label}
        if self.kind is BinKind.RANGE:
            out.update(lower=self.lower, upper=self.upper)
        elif self.kind is BinKind.CATEGORIES:
            out["categories"] = list(self.categories)
        elif self.kind is BinKind.SPECIAL:
            out["special"] = self.special
        rate = self.event_rate
        out.update(
            count=self.count,
            events=self.events,
            event_rate=None if math.isnan(rate) else round(rate, 6),
            woe=self.woe,
        )
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bin:
        return cls(
            kind=BinKind(data["kind"]),
            count=int(data.get("count", 0)),
            events=int(data.get("events", 0)),
            woe=float(data.get("woe", 0.0)),
            lower=None if data.get("lower") is None else float(data["lower"]),
            upper=None if data.get("upper") is None else float(data["upper"]),
            categories=tuple(str(c) for c in data.get("categories", ())),
            special=data.get("special"),
        )


def _num(value: float | None) -> str:
    assert value is not None
    return f"{value:g}" if abs(value) < 1e15 else repr(value)
