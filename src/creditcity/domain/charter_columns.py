"""The charter guard for a training table: names, values and a data dictionary.

A training table's columns are judged one by one:

1. A column the data dictionary declares is judged by its stated meaning
   alone: a meaning that marks a forbidden attribute ("sex of the
   applicant", "年龄") is refused; any other meaning is accepted and kept in
   the model's validation record as a declared column (so a false alarm on
   the name, such as a column called ``family_loan_balance``, is settled in
   writing by the operator who trains the model, not by a silent override).
2. Otherwise its name is judged (:func:`~creditcity.domain.charter.forbidden_category`),
3. then its values, if it is categorical
   (:func:`~creditcity.domain.charter.value_category`).

The data dictionary (``train --columns FILE``) has one line per column:
the column's name, a separator (``:``, a tab, ``,`` or ``=``) and what it
holds. Blank lines and lines starting with ``#`` are ignored, and so is a
first line ``name,meaning``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from creditcity.domain.charter import forbidden_category, value_category
from creditcity.errors import InputRejected, Problem

__all__ = [
    "ColumnFlag",
    "ColumnScreen",
    "DeclaredColumn",
    "parse_data_dictionary",
    "screen_columns",
]

Evidence = Literal["name", "values", "meaning"]
_LINE = re.compile(r"^(?P<name>[^\t:,=]+?)\s*[\t:,=]\s*(?P<meaning>.*)$")
_HEADERS = {("name", "meaning"), ("column", "meaning"), ("name", "description")}
#: How many of a flagged column's values the refusal quotes.
_SHOWN_VALUES = 4


@dataclass(frozen=True, slots=True)
class ColumnFlag:
    """A column refused by the charter, and what gave it away."""

    name: str
    category: str
    evidence: Evidence
    detail: str = ""

    def problem(self, where: str) -> Problem:
        exclude = f"leave it out with --exclude {self.name}"
        if self.evidence == "meaning":
            why = f"'{self.name}' is declared as '{self.detail}', which marks {self.category}"
            how = exclude
        else:
            seen = "its name" if self.evidence == "name" else f"its values ({self.detail})"
            why = f"'{self.name}' marks {self.category} by {seen}"
            how = (
                f"{exclude}; if it does not hold that, declare what it holds in a data "
                f"dictionary: --columns FILE with the line '{self.name}: <what it holds>'"
            )
        return Problem(
            f"{why}, which the charter forbids as a scoring input; {how}",
            where=where,
            field=self.name,
        )


@dataclass(frozen=True, slots=True)
class DeclaredColumn:
    """A column accepted on the operator's stated meaning; ``overrides`` is what it cleared."""

    name: str
    meaning: str
    overrides: str | None = None


@dataclass(frozen=True, slots=True)
class ColumnScreen:
    """The verdict on a table's feature columns."""

    flags: tuple[ColumnFlag, ...] = ()
    declared: tuple[DeclaredColumn, ...] = field(default=())

    def problems(self, where: str) -> list[Problem]:
        return [flag.problem(where) for flag in self.flags]


def screen_columns(
    columns: Sequence[str],
    values: Mapping[str, Sequence[object]],
    dictionary: Mapping[str, str] | None = None,
) -> ColumnScreen:
    """Judge each column by its declared meaning, else its name, else its values.

    ``values`` holds the distinct values of the categorical columns (a
    column absent from it is judged by name only).
    """
    dictionary = dictionary or {}
    flags: list[ColumnFlag] = []
    declared: list[DeclaredColumn] = []
    for name in columns:
        by_name = forbidden_category(name)
        seen = values.get(name, ())
        by_values = None if by_name else value_category(seen)
        meaning = dictionary.get(name)
        if meaning is not None:
            stated = forbidden_category(meaning)
            if stated is not None:
                flags.append(ColumnFlag(name, stated, "meaning", meaning))
            else:
                declared.append(DeclaredColumn(name, meaning, by_name or by_values))
        elif by_name is not None:
            flags.append(ColumnFlag(name, by_name, "name"))
        elif by_values is not None:
            shown = ", ".join(repr(str(v)) for v in sorted(map(str, seen))[:_SHOWN_VALUES])
            flags.append(ColumnFlag(name, by_values, "values", shown))
    return ColumnScreen(tuple(flags), tuple(declared))


def parse_data_dictionary(text: str, where: str) -> dict[str, str]:
    """``column -> meaning`` from a data dictionary's text; bad lines are refused together."""
    meanings: dict[str, str] = {}
    problems: list[Problem] = []
    lines = text.lstrip("\ufeff").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parsed = _parse_line(line)
        if number == 1 and parsed and (parsed[0].lower(), parsed[1].lower()) in _HEADERS:
            continue
        problem = _line_problem(parsed, meanings)
        if problem:
            problems.append(Problem(problem, where=f"{where}, line {number}", expected=_FORM))
            continue
        assert parsed is not None
        meanings[parsed[0]] = parsed[1]
    if problems:
        raise InputRejected(f"the data dictionary {where} has bad lines", problems=problems)
    return meanings


_FORM = "one line per column: NAME: what it holds"


def _parse_line(line: str) -> tuple[str, str] | None:
    if line.startswith('"'):
        row = next(csv.reader([line]))
        return (row[0].strip(), ",".join(row[1:]).strip()) if len(row) > 1 else None
    match = _LINE.match(line)
    return (match["name"].strip(), match["meaning"].strip()) if match else None


def _line_problem(parsed: tuple[str, str] | None, meanings: Mapping[str, str]) -> str:
    if parsed is None:
        return "no separator between the column's name and its meaning"
    name, meaning = parsed
    if not meaning:
        return f"column '{name}' has no meaning; say what it holds"
    if name in meanings:
        return f"column '{name}' is declared twice"
    return ""
