"""What creditcity never scores on, enforced by name wherever a feature,
column, field or policy input is declared.

A name is forbidden when any of its word-parts marks an attribute from the
charter in DESIGN.md ("What this system never does"). Matching is on
word-parts (split on ``_``, ``-``, spaces and camelCase), so ``age_in_years``
and ``personal_status_and_sex`` are caught while ``outstanding_balance`` or
``usage`` are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from creditcity.errors import CharterViolation, Problem

#: Word-parts that mark a charter-forbidden attribute, with the category named
#: in the error so the operator knows which rule they hit.
# fmt: off
FORBIDDEN_TOKENS: dict[str, str] = {
    # How long someone has held work is history, not occupation; "employment"
    # alone is therefore allowed (German credit's present_employment_since).
    **dict.fromkeys(["occupation", "profession", "job", "employer", "jobs"],
                    "occupation or profession"),
    **dict.fromkeys(["sex", "gender"], "sex or gender"),
    **dict.fromkeys(["age", "birth", "birthdate", "dob", "born"], "age"),
    **dict.fromkeys(["marital", "married", "spouse", "family", "children", "dependants",
                     "dependents", "personal_status"],
                    "marital or family status"),
    **dict.fromkeys(["ethnicity", "ethnic", "race", "racial"], "ethnicity"),
    **dict.fromkeys(["nationality", "foreign", "citizenship", "origin", "hukou"],
                    "nationality or national origin"),
    **dict.fromkeys(["religion", "religious", "faith"], "religion"),
    **dict.fromkeys(["political", "politics", "party", "speech", "opinion", "posts"],
                    "political views or speech"),
    **dict.fromkeys(["friends", "contacts", "social", "network", "followers"],
                    "social connections"),
    **dict.fromkeys(["health", "medical", "diagnosis", "disability", "illness"], "health"),
    **dict.fromkeys(["location", "gps", "geolocation", "trajectory", "whereabouts"],
                    "location history"),
    **dict.fromkeys(["category", "categories", "merchant", "mcc", "purchases", "basket"],
                    "categories of things bought"),
    **dict.fromkeys(["biometric", "face", "fingerprint", "iris"], "biometric identification"),
}
# fmt: on

_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _parts(name: str) -> list[str]:
    lowered = _CAMEL.sub("_", name).lower()
    return [p for p in _SPLIT.split(lowered) if p]


def forbidden_category(name: str) -> str | None:
    """The charter category a name falls under, or ``None`` if it is allowed."""
    parts = _parts(name)
    joined = "_".join(parts)
    if "personal_status" in joined:
        return FORBIDDEN_TOKENS["personal_status"]
    for part in parts:
        if part in FORBIDDEN_TOKENS:
            return FORBIDDEN_TOKENS[part]
    return None


def charter_problems(names: Iterable[str], *, what: str, fix: str) -> list[Problem]:
    """One problem per forbidden name; ``fix`` tells the user how to leave it out."""
    problems = []
    for name in names:
        category = forbidden_category(name)
        if category is not None:
            problems.append(
                Problem(
                    message=f"'{name}' marks {category}, which the charter forbids as a "
                    f"scoring input; {fix.format(name=name)}",
                    where=what,
                    field=name,
                )
            )
    return problems


def ensure_allowed(names: Iterable[str], *, what: str, fix: str = "remove it") -> None:
    """Raise :class:`CharterViolation` naming every forbidden name at once."""
    problems = charter_problems(names, what=what, fix=fix)
    if problems:
        listed = ", ".join(p.field for p in problems)
        raise CharterViolation(f"{what} uses charter-forbidden inputs: {listed}", problems=problems)
