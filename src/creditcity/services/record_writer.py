"""Write one ledger record from a use case, through the same validation as an import.

Decisions and outcomes add records to a person's file (``deposit_waived``,
``borrowing_lost``...). They go through :func:`creditcity.domain.records.validate_row`,
the rule every imported row obeys, so there is one definition of a valid
record; a record the catalogue refuses is a bug in the caller, reported as
:class:`InputRejected` with the row's problems rather than stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection

from creditcity.domain.records import validate_row
from creditcity.errors import InputRejected
from creditcity.ledger.decisions import append_entry

__all__ = ["write_record"]


def write_record(
    conn: Connection, record: Mapping[str, object], *, secret: str, now: datetime
) -> bool:
    """Validate and append one record (import-format keys); False if it was already there."""
    where = f"{record.get('kind')} record {record.get('idempotency_key')}"
    row = validate_row(dict(record), where, secret, now)
    if isinstance(row, list):
        raise InputRejected(f"the {where} was refused by the record catalogue", problems=row)
    return append_entry(conn, row, now)
