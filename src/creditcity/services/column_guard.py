"""What the charter guard needs from a training file: distinct values and the data dictionary.

The rules are pure (:mod:`creditcity.domain.charter_columns`); this module
only reads: the distinct values of each text column of an Arrow table (a
column with many distinct values is not a code list, so at most a few
dozen are read), and the data dictionary file named by ``train --columns``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from creditcity.domain.charter_columns import parse_data_dictionary
from creditcity.errors import InputRejected, Problem

__all__ = ["categorical_values", "read_data_dictionary"]

#: Distinct values read per column: more than the charter's value rule looks at.
MAX_VALUES = 64


def categorical_values(table: pa.Table) -> dict[str, list[str]]:
    """Distinct values of every text (or dictionary-encoded) column, up to :data:`MAX_VALUES`."""
    out: dict[str, list[str]] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        distinct = pc.unique(column.cast(pa.string()))
        out[name] = [v for v in distinct.slice(0, MAX_VALUES + 1).to_pylist() if v is not None]
    return out


def read_data_dictionary(path: Path) -> dict[str, str]:
    """``column -> meaning`` from a UTF-8 text file; a missing or unreadable file is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputRejected(
            f"the data dictionary {path} cannot be read",
            problems=[
                Problem(
                    str(error),
                    where=str(path),
                    expected="a UTF-8 text file, one line per column: NAME: what it holds",
                )
            ],
        ) from None
    return parse_data_dictionary(text, str(path))
