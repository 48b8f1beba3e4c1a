"""Where each key of a TOML document is written, so errors can name the line.

``tomllib`` returns plain dicts with no positions, and pydantic reports error
locations as key paths such as ``("tiers", 2, "min_score")``. This module scans
the text once and maps every concrete key path (tables, array-of-tables
entries with their index, and assigned keys) to its 1-based line. A path that
was never written (a missing key) falls back to its nearest written parent,
which is the table the operator has to add the key to.

It understands what policy files use: ``[table]``, ``[[array.of.tables]]``,
dotted and quoted keys, inline tables, multi-line arrays and multi-line
strings (whose contents are never mistaken for keys).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["KeyLines", "Loc"]

Loc = Sequence[str | int]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_KEYPATH = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_KEYPATH})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_KEYPATH})\s*\]")
_ASSIGNMENT = re.compile(rf"^\s*({_KEYPATH})\s*=")
_SEGMENT = re.compile(_KEY)


def _segments(keypath: str) -> tuple[str, ...]:
    return tuple(s[1:-1] if s[0] in "\"'" else s for s in _SEGMENT.findall(keypath))


class _Scanner:
    """Tracks what carries over between lines: open multi-line strings and brackets."""

    def __init__(self) -> None:
        self.string_delimiter = ""  # '"""' or "'''" while inside a multi-line string
        self.depth = 0  # open [ and { of values spanning several lines

    def at_statement_start(self) -> bool:
        return not self.string_delimiter and self.depth == 0

    def consume(self, line: str) -> None:
        i, n = 0, len(line)
        while i < n:
            if self.string_delimiter:
                end = line.find(self.string_delimiter, i)
                if end < 0:
                    return
                i, self.string_delimiter = end + 3, ""
                continue
            char = line[i]
            if char == "#":
                return
            if line.startswith(('"""', "'''"), i):
                self.string_delimiter, i = line[i : i + 3], i + 3
            elif char in "\"'":
                i = self._skip_string(line, i)
            else:
                self.depth += (char in "[{") - (char in "]}")
                i += 1

    @staticmethod
    def _skip_string(line: str, start: int) -> int:
        quote, i = line[start], start + 1
        while i < len(line) and line[i] != quote:
            i += 2 if quote == '"' and line[i] == "\\" else 1
        return i + 1


class KeyLines:
    """Map of key paths to the line that writes them; see the module docstring."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str | int, ...], int] = {}
        self._array_sizes: dict[tuple[str | int, ...], int] = {}
        self.last_line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        self._scan(text)

    def line_of(self, loc: Loc) -> int:
        """The line writing ``loc``, else its nearest written parent, else line 1."""
        path = tuple(loc)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return 1

    def _scan(self, text: str) -> None:
        scanner = _Scanner()
        table: tuple[str | int, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            if scanner.at_statement_start():
                table = self._statement(line, number, table)
            scanner.consume(line)

    def _statement(
        self, line: str, number: int, table: tuple[str | int, ...]
    ) -> tuple[str | int, ...]:
        if match := _ARRAY_HEADER.match(line):
            path = self._concrete(_segments(match.group(1)))
            index = self._array_sizes.get(path, 0)
            self._array_sizes[path] = index + 1
            self._remember(path, number)
            return self._remember((*path, index), number)
        if match := _TABLE_HEADER.match(line):
            return self._remember(self._concrete(_segments(match.group(1))), number)
        if match := _ASSIGNMENT.match(line):
            keys = _segments(match.group(1))
            for end in range(1, len(keys) + 1):
                self._remember((*table, *keys[:end]), number)
        return table

    def _concrete(self, keys: tuple[str, ...]) -> tuple[str | int, ...]:
        """``[[a.b]]`` under the third ``[[a]]`` lives at ``("a", 2, "b")``."""
        path: tuple[str | int, ...] = ()
        for i, key in enumerate(keys):
            path = (*path, key)
            if i < len(keys) - 1 and path in self._array_sizes:
                path = (*path, self._array_sizes[path] - 1)
        return path

    def _remember(self, path: tuple[str | int, ...], number: int) -> tuple[str | int, ...]:
        self._lines.setdefault(path, number)
        return path
