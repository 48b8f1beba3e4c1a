"""Text both stores can hold: no NUL character, no lone surrogate.

PostgreSQL refuses a NUL in any text column and SQLite truncates or keeps it
depending on the driver; a lone surrogate (``"\\ud800"``, which JSON can
spell) cannot be encoded as UTF-8 at all. Checked at every door so such text
is a 4xx naming its field, never a database error.
"""

from __future__ import annotations

import re

__all__ = ["EXPECTED", "unstorable"]

_BAD = re.compile("[\x00\ud800-\udfff]")
EXPECTED = "UTF-8 text without NUL characters or lone surrogates"


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    found = _BAD.search(text)
    if found is None:
        return None
    at = found.start()
    return (
        f"contains a NUL character at {at}"
        if found.group() == "\x00"
        else (f"contains a lone surrogate (U+{ord(found.group()):04X}) at {at}")
    )
