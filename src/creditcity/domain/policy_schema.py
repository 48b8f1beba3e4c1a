"""The shape of a policy file (pydantic, strict) and the problem report it fills.

Validation runs table by table, so one bad tier does not hide a bad service:
the :class:`Report` collects every problem with the line it is on (via
:class:`~creditcity.domain.toml_lines.KeyLines`) and a hint on how to fix it.
Every tier, service and restriction carries a ``description`` in Chinese and
English (:class:`Texts`): the portal shows it in the reader's language, so a
policy the office edits never puts one language's words on the other's page.
Cross-table rules (band coverage, tier names, limits) live in
:mod:`creditcity.domain.policy_checks`; restriction guardrails in
:mod:`creditcity.domain.restrictions`.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from creditcity.domain.toml_lines import KeyLines, Loc
from creditcity.errors import Problem

__all__ = [
    "MISSING_HINTS",
    "DocumentSpec",
    "Report",
    "RestrictionSpec",
    "ServiceSpec",
    "Texts",
    "ThinFileSpec",
    "TierSpec",
    "to_money",
]

IDENTIFIER = r"^[a-z][a-z0-9_]{0,63}$"
VERSION = r"^\d{4}-\d{2}-\d{2}(\.\d+)?$"


def _at_most_two_decimals(value: float) -> float:
    if round(value, 2) != value:
        raise ValueError(f"{value} has more than two decimals; money is in yuan and fen")
    return value


def _written(value: str) -> str:
    if not value.strip():
        raise ValueError("the text is empty; write what the portal shows in this language")
    return value


Name = Annotated[str, Field(pattern=IDENTIFIER)]
Text = Annotated[str, Field(max_length=2000), AfterValidator(_written)]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False), AfterValidator(_at_most_two_decimals)]
PositiveMoney = Annotated[
    float, Field(gt=0, allow_inf_nan=False), AfterValidator(_at_most_two_decimals)
]
ServiceKindName = Literal["deposit_waiver", "fee_waiver", "pay_later"]


def to_money(value: float) -> Decimal:
    """Policy money as an exact Decimal in fen (the file's float 99.9 is 99.90)."""
    return Decimal(repr(float(value))).quantize(Decimal("0.01"))


class _Spec(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Texts(_Spec):
    """Words the portal shows, in both its languages: neither may be left out or empty."""

    zh: Text
    en: Text

    def in_language(self, lang: str) -> str:
        """The text for ``lang`` (``zh`` or ``en``); any other language reads the English."""
        return self.zh if lang == "zh" else self.en


class DocumentSpec(_Spec):
    """Top-level keys; tables are validated one by one with their own spec."""

    version: Annotated[str, Field(pattern=VERSION)]
    description: str = ""
    dispute_deadline_days: Annotated[int, Field(ge=1, le=365)] = 30
    exposure_cap: PositiveMoney
    tiers: Annotated[list[dict[str, Any]], Field(min_length=1)]
    services: Annotated[dict[str, dict[str, Any]], Field(min_length=1)]
    thin_file: dict[str, Any] = Field(default_factory=dict)
    restrictions: list[dict[str, Any]] = Field(default_factory=list)
    model_gate: dict[str, Any] = Field(default_factory=dict)


class TierSpec(_Spec):
    name: Name
    min_score: int
    max_score: int
    exposure_cap: Money | None = None
    description: Texts
    #: the share of the tier expected to default within 12 months (published)
    expected_default_rate: Annotated[float, Field(gt=0.0, lt=1.0, allow_inf_nan=False)] | None = (
        None
    )


class ServiceSpec(_Spec):
    kind: ServiceKindName
    description: Texts
    min_tier: str
    max_amount: PositiveMoney
    tier_limits: dict[str, PositiveMoney] = Field(default_factory=dict)
    benefits: dict[str, str] = Field(default_factory=dict)


class ThinFileSpec(_Spec):
    services: list[str] = Field(default_factory=list)
    max_amount: Money = 0
    exposure_cap: Money = 0
    note: str = ""


class RestrictionSpec(_Spec):
    """Guardrail keys default to ``None`` so their absence gets the charter's own message."""

    name: Name
    description: Texts | None = None
    trigger: str | None = None
    blocks: list[str] | None = None
    # A float on purpose: `inf` must reach the guardrail that explains why it is refused.
    expires_after_days: float | None = None
    #: how a person appeals, in words for people (never a command), in both languages
    appeal_route: Texts | None = None
    notice: str | None = None


#: How to fix a missing key, by key name.
MISSING_HINTS: dict[str, str] = {
    "version": 'add version = "2026-11-01" (the date this policy takes effect)',
    "exposure_cap": "add exposure_cap = 6000 (yuan a person may owe across all services)",
    "tiers": "add [[tiers]] tables with name, min_score and max_score covering 350-950",
    "services": "add [services.<id>] tables with kind, min_tier and max_amount",
    "name": 'add name = "..." (lower case letters, digits and _)',
    "min_score": "add min_score = N (the lowest score of the band)",
    "max_score": "add max_score = N (the highest score of the band)",
    "kind": 'add kind = "deposit_waiver", "fee_waiver" or "pay_later"',
    "min_tier": 'add min_tier = "<tier name>" (the lowest tier that may use the service)',
    "max_amount": "add max_amount = N (yuan, the most waived or lent)",
    "description": (
        'add description.zh = "..." and description.en = "..." '
        "(what the portal says of it, in Chinese and in English)"
    ),
    "zh": 'add description.zh = "..." (the Chinese words the portal shows)',
    "en": 'add description.en = "..." (the English words the portal shows)',
}

_LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}

M = TypeVar("M", bound=BaseModel)


class Report:
    """Problems found in one policy text, each pinned to a line."""

    def __init__(self, text: str, source: str) -> None:
        self.keys = KeyLines(text)
        self.source = source
        self._problems: list[tuple[int, Problem]] = []
        self._seen: set[tuple[str | int, ...]] = set()

    @property
    def count(self) -> int:
        return len(self._problems)

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in the order of the file's lines."""
        return [p for _, p in sorted(self._problems, key=lambda item: item[0])]

    def add(self, loc: Loc, message: str, expected: str = "", *, line: int | None = None) -> None:
        """Record a problem at ``loc``; pydantic errors at the same place are then dropped."""
        path = tuple(loc)
        self._seen.add(path)
        number = line if line is not None else self.keys.line_of(path)
        where = f"{self.source}, line {number}"
        self._problems.append((number, Problem(message, where, _dotted(path), expected)))

    def validated(self, model: type[M], raw: object, base: Loc = ()) -> M | None:
        """``model`` built from ``raw``, or ``None`` after reporting why it cannot be."""
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for detail in error.errors():
                path = (*base, *detail["loc"])
                if path not in self._seen:
                    self.add(path, *_explain(detail, model))
            return None


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _explain(detail: ErrorDetails, model: type[BaseModel]) -> tuple[str, str]:
    """(message, expected) for one pydantic error, in the words of the policy file."""
    kind, loc = detail["type"], detail["loc"]
    key = str(loc[-1]) if loc else ""
    if kind == "missing" and key in _LANGUAGE_NAMES and len(loc) > 1 and loc[-2] != "description":
        # a two-language text other than a description: name its own key in the hint
        parent, language = loc[-2], _LANGUAGE_NAMES[key]
        return (
            f"missing required key '{key}' of {parent}",
            f'add {parent}.{key} = "..." (the {language} words the portal shows)',
        )
    if kind == "missing":
        return f"missing required key '{key}'", MISSING_HINTS.get(key, f"add {key} = ...")
    if kind == "model_type" and key in ("description", "appeal_route"):
        return (
            f"{key} must give the words in both languages, not one text",
            f'{key}.zh = "..." and {key}.en = "..." on two lines',
        )
    if kind == "extra_forbidden":
        known = ", ".join(model.model_fields)
        return f"unknown key '{key}'; remove it or correct its spelling", f"one of: {known}"
    message = detail["msg"].removeprefix("Value error, ")
    given = detail.get("input")
    if kind != "value_error" and not isinstance(given, dict | list):
        shown = "inf" if isinstance(given, float) and math.isinf(given) else repr(given)
        message = f"{message}, got {shown}"
    return message, ""
