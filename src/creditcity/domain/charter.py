"""What creditcity never scores on, enforced by name wherever a feature,
column, field or policy input is declared, and by value for training tables.

A name is split into word-parts (on ``_``, ``-``, spaces, digits and
camelCase: ``NumberOfDependents``, ``CODE_GENDER``, ``is_male``, ``sex_f``)
and is forbidden when

- a word-part marks an attribute of the charter in DESIGN.md ("What this
  system never does"), in any of the forms real data sets use: other word
  forms and abbreviations (``gndr``, ``mrtl``, ``dob``, ``fam``), indicator
  columns (``is_male``, ``female``), pinyin for a Chinese deployment
  (``xingbie``, ``nianling``, ``hunyin``, ``minzu``, ``zongjiao``, ``zhiye``);
- two word-parts mark it together (``emp_title``, ``addr_state``... see
  :data:`~creditcity.domain.charter_words.PAIRS`);
- a long concatenated word-part starts or ends with a distinctive word
  (``maritalstatus``, ``dateofbirth``, ``hunyinzhuangkuang``);
- it contains a Chinese term (``性别``, ``年龄``, ``婚姻状况``).

``age`` beside an account, a trade, a loan or a car is history length or
property, not a person's age: ``age_of_oldest_account``, ``credit_age`` and
Home Credit's ``OWN_CAR_AGE`` pass, ``age``, ``age_in_years`` and
``DAYS_BIRTH`` do not. The same function judges free text, so a data
dictionary's stated meaning of a column is checked with the same words.

:func:`value_category` judges a categorical column by its values: a column
whose distinct values are mostly sex codes (M/F, male/female, 男/女) or
marital codes (single/married/divorced, 未婚/已婚) holds that attribute,
whatever it is called. The word lists live in
:mod:`creditcity.domain.charter_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from creditcity.domain import charter_words as w
from creditcity.errors import CharterViolation, Problem

__all__ = [
    "CATEGORIES",
    "charter_problems",
    "ensure_allowed",
    "forbidden_category",
    "value_category",
]


def _index(table: dict[str, str]) -> dict[str, str]:
    return {word: category for category, words in table.items() for word in words.split()}


_WORDS = _index(w.WORDS)
_CHINESE = _index(w.CHINESE)
_PAIRS = [(cat, frozenset(a.split()), frozenset(b.split())) for cat, a, b in w.PAIRS]
_CODES = _index(w.VALUE_CODES)
#: Every category the charter names, in the order of DESIGN.md.
CATEGORIES = tuple(w.WORDS)

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
#: A value's minimum share of coded distinct values, and of distinct codes.
_CODED_SHARE, _MIN_CODES, _MAX_DISTINCT = 0.6, 2, 60


def _parts(name: str) -> list[str]:
    lowered = _CAMEL.sub("_", name).lower()
    return [p for p in _SPLIT.split(lowered) if p]


def forbidden_category(name: str) -> str | None:
    """The charter category a name (or a column's stated meaning) marks, or ``None``."""
    if _HAN.search(name):
        found = next((cat for term, cat in _CHINESE.items() if term in name), None)
        if found is not None:
            return found
    parts = _parts(name)
    joined = " ".join(parts)
    found = next((cat for phrase, cat in w.PHRASES.items() if phrase in joined), None)
    return found or _by_word(parts) or _by_pair(set(parts))


def _by_word(parts: list[str]) -> str | None:
    history = not w.HISTORY_OBJECTS.isdisjoint(parts)
    for part in parts:
        category = _WORDS.get(part)
        if category == w.AGE and history:
            continue  # the age of an account or a car: history or property
        category = category or _compound(part)
        if category is not None:
            return category
    return None


def _by_pair(tokens: set[str]) -> str | None:
    for category, first, second in _PAIRS:
        if not tokens.isdisjoint(first) and not tokens.isdisjoint(second):
            return category
    return None


def _compound(part: str) -> str | None:
    """The category of a concatenated word-part such as ``maritalstatus``."""
    if len(part) < 7:
        return None
    for word in w.DISTINCTIVE:
        if part.startswith(word) or part.endswith(word):
            return _WORDS[word]
    if part.startswith("age") and part[3:] in w.AGE_COMPOUND_SUFFIXES:
        return w.AGE
    if part.endswith("age") and part[:-3] in w.AGE_COMPOUND_PREFIXES:
        return w.AGE
    return None


def value_category(values: Iterable[object]) -> str | None:
    """The category a categorical column's *values* mark, or ``None``.

    A column is judged on its distinct values, leaving out those that say
    nothing (unknown, XNA, other...): it marks a category when at least
    :data:`_MIN_CODES` different codes of that category occur and coded
    values are at least :data:`_CODED_SHARE` of the distinct values. So
    ``M, F, XNA`` is sex and ``single, married, divorced`` marital status,
    while ``S, M, L`` (one code) or ``individual, joint`` are not. Columns
    with more than :data:`_MAX_DISTINCT` distinct values are not code lists.
    """
    distinct = {str(v).strip().lower() for v in values if v is not None}
    distinct -= w.MISSING_VALUES
    if not distinct or len(distinct) > _MAX_DISTINCT:
        return None
    for category in w.VALUE_CODES:
        codes: set[str] = set()
        coded = 0
        for value in distinct:
            found = _codes_in(value, category)
            codes |= found
            coded += bool(found)
        if len(codes) >= _MIN_CODES and coded >= _CODED_SHARE * len(distinct):
            return category
    return None


def _codes_in(value: str, category: str) -> set[str]:
    """The codes of ``category`` a value is made of (a one-letter code only as the whole value)."""
    if _CODES.get(value) == category:
        return {value}
    found = {t for t in _SPLIT.split(value) if len(t) > 1 and _CODES.get(t) == category}
    if _HAN.search(value):
        found |= {c for c, cat in _CODES.items() if cat == category and len(c) > 1 and c in value}
    return found


def charter_problems(
    names: Iterable[str], *, what: str, fix: str, meanings: Mapping[str, str] | None = None
) -> list[Problem]:
    """One problem per forbidden name; ``fix`` tells the user how to leave it out.

    A name with a declared meaning in ``meanings`` (a data dictionary's line)
    is judged by that meaning instead of its name.
    """
    meanings = meanings or {}
    problems = []
    for name in names:
        meaning = meanings.get(name)
        category = forbidden_category(name if meaning is None else meaning)
        if category is not None:
            marks = f"'{name}'" if meaning is None else f"'{name}' (declared as '{meaning}')"
            problems.append(
                Problem(
                    message=f"{marks} marks {category}, which the charter forbids as a "
                    f"scoring input; {fix.format(name=name)}",
                    where=what,
                    field=name,
                )
            )
    return problems


def ensure_allowed(
    names: Iterable[str],
    *,
    what: str,
    fix: str = "remove it",
    meanings: Mapping[str, str] | None = None,
) -> None:
    """Raise :class:`CharterViolation` naming every forbidden name at once."""
    problems = charter_problems(names, what=what, fix=fix, meanings=meanings)
    if problems:
        listed = ", ".join(p.field for p in problems)
        raise CharterViolation(f"{what} uses charter-forbidden inputs: {listed}", problems=problems)
