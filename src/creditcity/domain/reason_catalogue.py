"""The reason catalogue: stable reason codes and their sentences in Chinese and English.

A reason says why a score is not higher and what would raise it. Its code is
``<dimension>-<feature stem>-<direction>``, e.g. ``PH-LATE_MODERATE_RECENT-HI``:
the feature and the side its value is on (see
:class:`~creditcity.domain.reason_wordings.Direction`), never a learned bin
edge, so the same code means the same thing in every model version and city.

The scorecard states the facts of a reason (:class:`ReasonFacts`: code,
feature, direction, the person's value, the value of the nearest better band
and the exact points reaching it adds); this module turns them into words for
a language (:func:`render`, :func:`render_all`), with numbers, money,
percentages, months and plurals formatted by Babel for that language. Stored
facts render again in any language later, so a reason is stored once.

Which reasons may be given at all is decided here too (:func:`may_cite`): a
catalogued feature is cited only in a direction it has words for.

    render(facts, "zh") -> RenderedReason
    render_all(stored_reasons, lang) -> list of dicts for a page or an API answer
    negotiate(accept_language_header) -> "zh" | "en"
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from babel import Locale
from babel.numbers import format_decimal, format_percent

from creditcity.domain.catalogue import Dimension
from creditcity.domain.reason_wordings import ENTRIES, Direction, Entry, Unit, Wording
from creditcity.errors import InputRejected, Problem

__all__ = [
    "CATALOGUE_VERSION",
    "DEFAULT_LANG",
    "DIMENSION_CODES",
    "LANGS",
    "Direction",
    "ReasonFacts",
    "RenderedReason",
    "Unit",
    "code_for",
    "entry_for",
    "family_of",
    "feature_title",
    "language",
    "may_cite",
    "negotiate",
    "published",
    "render",
    "render_all",
    "sentence_of",
    "target_value",
]

#: Bumped whenever a code or a sentence changes; published with every model artefact.
CATALOGUE_VERSION = "2026-12-01.1"
LANGS = ("zh", "en")
DEFAULT_LANG = "en"
_LOCALES = {"zh": "zh_Hans_CN", "en": "en"}

DIMENSION_CODES: Mapping[str | None, str] = MappingProxyType(
    {
        Dimension.PAYMENT_HISTORY.value: "PH",
        Dimension.OBLIGATIONS_CAPACITY.value: "OC",
        Dimension.HISTORY_LENGTH.value: "HL",
        Dimension.NEW_OBLIGATIONS.value: "NO",
        Dimension.PUBLIC_RECORDS.value: "PR",
        None: "GN",
    }
)

_BY_FEATURE: Mapping[str, Entry] = MappingProxyType({e.feature: e for e in ENTRIES})
_INTEGER_UNITS = (Unit.COUNT, Unit.MONTHS)


@dataclass(frozen=True, slots=True)
class ReasonFacts:
    """What the scorecard knows about one reason, in no language.

    ``value`` is the person's value (``None``: nothing on file), ``target``
    the value to reach for the nearest better band (``None``: any value of
    that band will do), ``points_gain`` the exact points reaching it adds
    (the scorecard is additive) and ``points_lost`` what the feature cost
    against its best band (reasons are ranked by it).
    """

    code: str
    feature: str
    dimension: str | None
    direction: Direction
    points_lost: int
    points_gain: int
    value: float | str | None = None
    target: float | str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["direction"] = self.direction.value
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ReasonFacts:
        return cls(
            code=str(data["code"]),
            feature=str(data["feature"]),
            dimension=data.get("dimension"),
            direction=Direction(data["direction"]),
            points_lost=int(data.get("points_lost", 0)),
            points_gain=int(data.get("points_gain", 0)),
            value=data.get("value"),
            target=data.get("target"),
        )


@dataclass(frozen=True, slots=True)
class RenderedReason:
    """A reason in one language: what the situation is and what would raise the score."""

    code: str
    feature: str
    dimension: str | None
    points_lost: int
    points_gain: int
    text: str
    advice: str
    lang: str

    @property
    def sentence(self) -> str:
        """Both parts as one sentence, punctuated for the language."""
        return (
            f"{self.text}；{self.advice}。" if self.lang == "zh" else f"{self.text}. {self.advice}."
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sentence": self.sentence}


# -- languages -------------------------------------------------------------------


def language(tag: str | None) -> str:
    """``zh`` or ``en`` for a language tag (``zh-CN``, ``en_GB``, ``EN``...).

    Raises :class:`InputRejected` for a language the catalogue has no words in.
    """
    if tag is None or not tag.strip():
        return DEFAULT_LANG
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    if primary in LANGS:
        return primary
    raise InputRejected(
        f"no reason sentences in language '{tag}'",
        problems=[Problem(f"unknown language '{tag}'", field="lang", expected="zh or en")],
    )


def negotiate(header: str | None, default: str = DEFAULT_LANG) -> str:
    """The catalogue language an ``Accept-Language`` header prefers most (else ``default``)."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
        if primary not in LANGS:
            continue
        quality = _quality(params)
        if quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, primary)
    return default if best is None else best[2]


def _quality(params: str) -> float:
    match = re.search(r"q\s*=\s*([0-9.]+)", params)
    try:
        return float(match.group(1)) if match else 1.0
    except ValueError:
        return 0.0


@lru_cache(maxsize=4)
def _locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES[lang])


# -- codes and citing --------------------------------------------------------------


def entry_for(feature: str) -> Entry | None:
    """The catalogue entry of a feature; ``None`` for a feature it does not know (tabular)."""
    return _BY_FEATURE.get(feature)


def code_for(
    feature: str, dimension: str | None, direction: Direction, stem: str | None = None
) -> str:
    """The stable code of a reason: ``<dimension>-<stem>-<direction>``.

    A catalogued feature uses its catalogue stem; another one ``stem``, or its
    name in capitals.
    """
    entry = _BY_FEATURE.get(feature)
    if entry is not None:
        stem = entry.stem
    elif stem is None:
        stem = re.sub(r"[^A-Z0-9]+", "_", feature.upper()).strip("_")[:40] or "X"
    return f"{DIMENSION_CODES.get(dimension, 'GN')}-{stem}-{direction.value}"


def family_of(feature: str) -> str:
    """The reason family of a feature: a person gets at most one reason per family."""
    entry = _BY_FEATURE.get(feature)
    return feature if entry is None else entry.family


def may_cite(feature: str, direction: Direction) -> bool:
    """Whether a reason in this direction may be given (catalogued features: only with words)."""
    entry = _BY_FEATURE.get(feature)
    return entry is None or direction in entry.wordings


def target_value(
    feature: str, direction: Direction, lower: float | None, upper: float | None
) -> float | None:
    """The value to reach for a better band ``(lower, upper]``, as the person would state it.

    ``direction`` is the side the person is on (``HI``: reach at most ``upper``;
    ``LO``: more than ``lower``). Counts and months are whole: more than 2.5 is
    at least 3. ``None`` when the band has no bound on that side.
    """
    entry = _BY_FEATURE.get(feature)
    if direction is Direction.MISSING and entry is not None:
        direction = entry.missing_target or Direction.LOW
    integer = entry is not None and entry.unit in _INTEGER_UNITS
    if direction is Direction.HIGH:
        if upper is None or not math.isfinite(upper):
            return None
        return float(math.floor(upper)) if integer else upper
    if direction is Direction.LOW:
        if lower is None or not math.isfinite(lower):
            return None
        return float(math.floor(lower) + 1) if integer else lower
    return None


# -- words -------------------------------------------------------------------------

_GENERIC: Mapping[Direction, tuple[Wording, Wording]] = MappingProxyType(
    {
        Direction.HIGH: (
            Wording("{feature}为{value}", "不超过{target}可加{points}分"),
            Wording(
                "{feature} is {value}", "At most {target} would add {points} {points|point|points}"
            ),
        ),
        Direction.LOW: (
            Wording("{feature}为{value}", "超过{target}可加{points}分"),
            Wording(
                "{feature} is {value}", "Above {target} would add {points} {points|point|points}"
            ),
        ),
        Direction.MISSING: (
            Wording("{feature}：档案中没有", "提供这一信息可加{points}分"),
            Wording(
                "{feature}: nothing on file",
                "Providing it would add {points} {points|point|points}",
            ),
        ),
        Direction.SPECIAL: (
            Wording("{feature}为{value}", "换到更好的一档可加{points}分"),
            Wording(
                "{feature} is {value}",
                "The next better band would add {points} {points|point|points}",
            ),
        ),
        Direction.BAND: (
            Wording("{feature}为{value}", "{target}可加{points}分"),
            Wording("{feature} is {value}", "{target} would add {points} {points|point|points}"),
        ),
    }
)
_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def _wording(facts: ReasonFacts, lang: str) -> tuple[Wording, Unit, str]:
    index = LANGS.index(lang)
    entry = _BY_FEATURE.get(facts.feature)
    if entry is not None and facts.direction in entry.wordings:
        return entry.wordings[facts.direction][index], entry.unit, entry.title[index]
    return _GENERIC[facts.direction][index], Unit.PLAIN, facts.feature.replace("_", " ")


def format_value(value: float | str | None, unit: Unit, lang: str) -> str:
    """A value as a person of that language writes it (never more than two decimals)."""
    locale = _locale(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str):
        return value
    if unit in _INTEGER_UNITS:
        return format_decimal(round(value), format="#,##0", locale=locale)
    if unit is Unit.YUAN:
        return format_decimal(
            value, format="¥#,##0" if abs(value) >= 100 else "¥#,##0.##", locale=locale
        )
    if unit is Unit.SHARE:
        return format_percent(
            value, format="#,##0%" if abs(value) >= 0.1 else "#,##0.#%", locale=locale
        )
    return format_decimal(value, format="#,##0.##", locale=locale)


def _fill(
    template: str, numbers: Mapping[str, float | str | None], shown: Mapping[str, str], lang: str
) -> str:
    locale = _locale(lang)

    def plural(match: re.Match[str]) -> str:
        number = numbers.get(match.group(1))
        count = abs(number) if isinstance(number, int | float) and math.isfinite(number) else 0
        return match.group(2) if locale.plural_form(count) == "one" else match.group(3)

    return _PLURAL.sub(plural, template).format(**shown)


#: Advice for a reason whose better band would not show on the score: the person's
#: points sum lies so far below the lowest score (350) that fixing this one thing alone
#: leaves them there. Stating "+0 points" would read as "this does not matter".
AT_FLOOR_ADVICE: Mapping[str, str] = {
    "zh": "分数已在最低分，单改这一项还看不出变化；先处理扣分最多的几项",
    "en": "Your score is at the lowest a score can be, so this alone will not show yet: "
    "start with the reasons that cost the most",
}


@lru_cache(maxsize=1 << 16)
def render(facts: ReasonFacts, lang: str) -> RenderedReason:
    """The reason's sentences in ``lang`` (``zh`` or ``en``).

    Cached: the same facts recur across people and decisions (counts, targets).
    """
    lang = language(lang)
    wording, unit, title = _wording(facts, lang)
    value = facts.value
    points = abs(facts.points_gain)
    shown = {
        "value": format_value(value, unit, lang),
        "target": format_value(facts.target, unit, lang),
        "points": format_decimal(points, locale=_locale(lang)),
        "feature": title,
    }
    numbers = {
        "value": _rounded(value, unit),
        "target": _rounded(facts.target, unit),
        "points": points,
    }
    advice = (
        wording.advice
        if facts.target is not None or wording.advice_any is None
        else wording.advice_any
    )
    if facts.points_gain == 0:
        advice = AT_FLOOR_ADVICE[lang]
    return RenderedReason(
        code=facts.code,
        feature=facts.feature,
        dimension=facts.dimension,
        points_lost=facts.points_lost,
        points_gain=facts.points_gain,
        text=_fill(wording.text, numbers, shown, lang),
        advice=_fill(advice, numbers, shown, lang),
        lang=lang,
    )


def _rounded(value: float | str | None, unit: Unit) -> float | str | None:
    if isinstance(value, float) and unit in _INTEGER_UNITS and math.isfinite(value):
        return float(round(value))
    return value


def render_all(reasons: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Stored reasons (:class:`ReasonFacts` dicts) with ``text`` and ``advice`` in ``lang``.

    A reason stored before the catalogue existed (no ``direction``) keeps its
    stored text.
    """
    out = []
    for stored in reasons:
        if "direction" not in stored:
            out.append({**stored, "advice": stored.get("advice", "")})
            continue
        rendered = render(ReasonFacts.from_mapping(stored), lang)
        out.append({**stored, **rendered.as_dict()})
    return out


def sentence_of(stored: Mapping[str, Any], lang: str = DEFAULT_LANG) -> str:
    """A stored reason as one sentence in ``lang`` (stored text if it predates the catalogue)."""
    if "direction" not in stored:
        return str(stored.get("text", stored.get("code", "")))
    return render(ReasonFacts.from_mapping(stored), lang).sentence


def feature_title(feature: str, lang: str) -> str:
    """What a feature is called in ``lang`` (a feature the catalogue lacks: its name)."""
    entry = _BY_FEATURE.get(feature)
    return feature.replace("_", " ") if entry is None else entry.title[LANGS.index(language(lang))]


def published(features: Sequence[str] | None = None) -> dict[str, Any]:
    """The catalogue as JSON: version, and per feature its codes and templates in both languages."""
    entries = ENTRIES if features is None else [e for e in ENTRIES if e.feature in features]
    return {
        "version": CATALOGUE_VERSION,
        "languages": list(LANGS),
        "features": {
            e.feature: {
                "stem": e.stem,
                "unit": e.unit.value,
                "title": dict(zip(LANGS, e.title, strict=True)),
                "directions": {
                    d.value: {lang: asdict(w) for lang, w in zip(LANGS, pair, strict=True)}
                    for d, pair in e.wordings.items()
                },
            }
            for e in entries
        },
    }
