"""Expiry on storage: blanking the payload of entries past their retention.

This is the one UPDATE creditcity issues against ``entries``. It keeps the
row (id, source, key, kind, dates, lateness), so the ledger's history of
*what* was received and *when* stays whole and supersession still resolves,
and it blanks what the record *said* about the person: the columns in
:data:`PAYLOAD`. Which entries are past retention is decided by the caller
from the catalogue; this module only runs the statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, update

from creditcity.ledger.tables import entries

#: What an entry says about the person, blanked once it expires.
PAYLOAD = ("ref", "amount", "balance", "credit_limit", "item", "service", "city")


def blank_payloads(conn: Connection, *, kind: str, late: bool | None, before: datetime) -> int:
    """Blank the payload of ``kind`` entries that occurred before ``before``.

    ``late`` narrows to entries paid late (True) or on time (False), for kinds
    whose retention depends on lateness; None takes both. Entries already
    blank are left alone, so the count returned is of newly purged entries.
    """
    lateness = func.coalesce(entries.c.days_late, 0)
    conditions = [
        entries.c.kind == kind,
        entries.c.occurred_at < before,
        or_(*(entries.c[name].is_not(None) for name in PAYLOAD)),
    ]
    if late is not None:
        conditions.append(lateness > 0 if late else lateness == 0)
    result = conn.execute(
        update(entries).where(and_(*conditions)).values({name: None for name in PAYLOAD})
    )
    return int(result.rowcount)
