"""Reason codes: the factors that kept a score from its maximum, in plain words.

For each feature, the points a person *lost* are those of the feature's best
bin minus those of their bin. Up to four reasons are given, largest loss
first (ties: the order features were declared); a fifth is added when a
feature of the ``new_obligations`` dimension lost points but did not make the
top four (as FICO adds its "inquiries" reason).

A code reads ``<dimension>-<feature stem>-<bin token>``: ``PH-LATE-30`` is
the payment-history feature with stem ``LATE``, in the bin starting above 30.
Tokens: the lower bound for a numeric band (``LO`` for the lowest band),
``C<n>`` for the n-th group of categories, ``SP<value>`` for a special value,
``NA`` for missing; a minus sign is written ``N`` (``SPN1`` = special value
-1). Codes are stable for a given model version.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from creditcity.domain.catalogue import Dimension
from creditcity.scoring.bins import Bin, BinKind
from creditcity.scoring.spec import FeatureSpec

__all__ = [
    "MAX_REASONS",
    "Reason",
    "bin_token",
    "format_value",
    "rank_losses",
    "reason_code",
    "reason_for",
    "sentence",
]

MAX_REASONS = 4

DIMENSION_CODES: dict[Dimension | None, str] = {
    Dimension.PAYMENT_HISTORY: "PH",
    Dimension.OBLIGATIONS_CAPACITY: "OC",
    Dimension.HISTORY_LENGTH: "HL",
    Dimension.NEW_OBLIGATIONS: "NO",
    Dimension.PUBLIC_RECORDS: "PR",
    None: "GN",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a score is not higher."""

    code: str
    feature: str
    dimension: str | None
    points_lost: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _token(text: str) -> str:
    if text.startswith("-"):
        text = "N" + text[1:]  # a minus would read as a separator
    return re.sub(r"[^A-Z0-9.]+", "_", text.upper()).strip("_")[:16] or "X"


def bin_token(bin_: Bin, regular_index: int) -> str:
    """The bin part of a reason code (see module docstring)."""
    if bin_.kind is BinKind.MISSING:
        return "NA"
    if bin_.kind is BinKind.SPECIAL:
        return "SP" + _token(format_value(bin_.special))
    if bin_.kind is BinKind.CATEGORIES:
        return f"C{regular_index + 1}"
    return "LO" if bin_.lower is None else _token(format_value(bin_.lower))


def reason_code(spec: FeatureSpec, bin_: Bin, regular_index: int) -> str:
    """``<dimension>-<stem>-<bin token>``, e.g. ``PH-LATE-30``."""
    dimension = DIMENSION_CODES[spec.dimension]
    return f"{dimension}-{spec.reason_code_stem}-{bin_token(bin_, regular_index)}"


def format_value(value: float | str | None) -> str:
    """A person's value as they would write it: ``2`` not ``2.0``; missing as 'not provided'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not provided"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:g}"
    return str(value)


def sentence(spec: FeatureSpec, bin_: Bin, value: float | str | None) -> str:
    """The feature's reason template filled with this person's value and band.

    A missing value would read badly in most templates ("not provided months
    ago"), so it gets a sentence of its own naming the feature.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{spec.name.replace('_', ' ')}: nothing on file"
    return spec.template.format(value=format_value(value), bin=bin_.label, feature=spec.name)


def rank_losses(
    lost: Sequence[int], dimensions: Sequence[Dimension | None], *, max_reasons: int = MAX_REASONS
) -> list[int]:
    """Indices of the features to give as reasons, in the order to give them."""
    ranked = sorted((i for i, loss in enumerate(lost) if loss > 0), key=lambda i: (-lost[i], i))
    chosen = ranked[:max_reasons]
    if not any(dimensions[i] is Dimension.NEW_OBLIGATIONS for i in chosen):
        extra = [i for i in ranked[max_reasons:] if dimensions[i] is Dimension.NEW_OBLIGATIONS]
        chosen.extend(extra[:1])
    return chosen


def reason_for(
    spec: FeatureSpec, bin_: Bin, regular_index: int, lost: int, value: float | str | None
) -> Reason:
    """The :class:`Reason` for one feature of one person."""
    return Reason(
        code=reason_code(spec, bin_, regular_index),
        feature=spec.name,
        dimension=None if spec.dimension is None else spec.dimension.value,
        points_lost=int(lost),
        text=sentence(spec, bin_, value),
    )
