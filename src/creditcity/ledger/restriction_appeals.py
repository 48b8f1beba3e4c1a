"""Adjudicated records with the state of their appeal: what the office's restriction list
filters on.

A person appeals a restriction by disputing the record that imposes it.
While the dispute is ``pending`` the record binds nobody; queued for
``review`` it still binds; ``rejected``, it binds again; ``upheld``, it is
withdrawn by a retraction entry and no longer live. So besides the live
records that :func:`creditcity.ledger.decisions.adjudicated_records` reads,
this reads the records set aside by a pending or an upheld dispute, each
with the status of its newest dispute, in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, ScalarSelect, exists, or_, select

from creditcity.domain.restrictions import AdjudicatedRecord
from creditcity.ledger.decisions import RESTRICTION_KINDS
from creditcity.ledger.disputes import UPHELD
from creditcity.ledger.tables import INDEXED_RESTRICTION_KINDS, disputes, entries, kind_in_index

__all__ = ["AppealedRecord", "adjudicated_records_with_appeal"]


@dataclass(frozen=True, slots=True)
class AppealedRecord:
    """An adjudicated record and the status of its newest dispute (None: never disputed)."""

    record: AdjudicatedRecord
    appeal: str | None


def _newest_dispute_status() -> ScalarSelect[str]:
    return (
        select(disputes.c.status)
        .where(disputes.c.entry_id == entries.c.entry_id)
        .order_by(disputes.c.dispute_id.desc())
        .limit(1)
        .scalar_subquery()
    )


def adjudicated_records_with_appeal(conn: Connection) -> dict[str, list[AppealedRecord]]:
    """Everyone's judgments, satisfactions and proven fraud, per person in ledger order:
    the live ones and those withdrawn by an upheld dispute, each with its appeal state.

    A record corrected or retracted by its source (not by an appeal) is left out,
    as everywhere else.
    """
    newer = entries.alias("newer")
    superseded = exists().where(
        newer.c.source == entries.c.source, newer.c.supersedes == entries.c.idempotency_key
    )
    appeal = _newest_dispute_status()
    query = (
        select(
            entries.c.subject,
            entries.c.kind,
            entries.c.source,
            entries.c.ref,
            entries.c.occurred_at,
            appeal.label("appeal"),
        )
        .where(
            kind_in_index(entries.c.kind, INDEXED_RESTRICTION_KINDS),
            entries.c.kind.in_(RESTRICTION_KINDS),
            or_(~superseded, appeal == UPHELD),
        )
        .order_by(entries.c.entry_id)
    )
    found: dict[str, list[AppealedRecord]] = {}
    for subject, kind, source, ref, occurred, state in conn.execute(query):
        record = AdjudicatedRecord(kind, source, ref or "", occurred)
        found.setdefault(subject, []).append(AppealedRecord(record, state))
    return found
