"""Key paths of a TOML text map to the line that writes them."""

from __future__ import annotations

from creditcity.domain.toml_lines import KeyLines

TEXT = """\
version = "1"            # line 1
[[tiers]]                # line 2
name = "low"             # line 3
[[tiers]]                # line 4
name = "high"            # line 5
[[tiers.perks]]          # line 6
flag = "x"               # line 7
[services.bike]          # line 8
limits = { a = 1 }       # line 9
notice = \"\"\"
fake = 1
[not_a_table]
\"\"\"
blocks = [
  "x = 1",
  "y",
]
"quoted.key" = 2         # line 18
a.b = 3                  # line 19
"""


def test_array_of_tables_entries_are_numbered_in_order() -> None:
    keys = KeyLines(TEXT)
    assert keys.line_of(("tiers", 0, "name")) == 3
    assert keys.line_of(("tiers", 1, "name")) == 5


def test_a_nested_array_of_tables_belongs_to_the_latest_parent_entry() -> None:
    assert KeyLines(TEXT).line_of(("tiers", 1, "perks", 0, "flag")) == 7


def test_a_key_inside_an_inline_table_falls_back_to_its_line() -> None:
    assert KeyLines(TEXT).line_of(("services", "bike", "limits", "a")) == 9


def test_a_missing_key_falls_back_to_its_table_header() -> None:
    assert KeyLines(TEXT).line_of(("services", "bike", "kind")) == 8


def test_multi_line_strings_and_arrays_are_never_read_as_keys() -> None:
    keys = KeyLines(TEXT)
    assert keys.line_of(("services", "bike", "fake")) == 8
    assert keys.line_of(("not_a_table",)) == 1
    assert keys.line_of(("services", "bike", "blocks")) == 14


def test_quoted_and_dotted_keys_are_located() -> None:
    keys = KeyLines(TEXT)
    assert keys.line_of(("services", "bike", "quoted.key")) == 18
    assert keys.line_of(("services", "bike", "a", "b")) == 19


def test_a_path_never_written_falls_back_to_the_first_line() -> None:
    assert KeyLines(TEXT).line_of(("nowhere",)) == 1
    assert KeyLines("").last_line == 1
