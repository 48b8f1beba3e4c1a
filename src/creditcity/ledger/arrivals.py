"""A person appears in this city: a subject row on first sight, and the federation link.

A person comes into a city through one of two doors: a record about them (a
file import or an HTTP submission, :mod:`creditcity.services.ingest`) or a
provider asking for a decision about them
(:mod:`creditcity.services.decision_batch`). Both call
:func:`register_arrivals` in the transaction that names them, so both do the
same two things: the person's subject row (first seen now, with a home
city), and, when they were named by national ID in a federated city, the link
from their federation pseudonym to their local one. Records from peer cities
that were waiting under the federation pseudonym (a court judgment elsewhere)
become entries of their file at that moment: a decision that is a person's
first contact with this city already sees the judgment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from creditcity.ledger.entries import register_people
from creditcity.ledger.federation_inbox import register_links

__all__ = ["Arrived", "register_arrivals"]


@dataclass(frozen=True, slots=True)
class Arrived:
    """Who was named, and whose file just gained records that waited for them."""

    people: frozenset[str]
    #: local subjects given records from peer cities by this arrival (their scores are stale)
    linked: frozenset[str]


def register_arrivals(
    conn: Connection,
    homes: Mapping[str, str | None],
    links: Iterable[tuple[str, str]],
    now: datetime,
) -> Arrived:
    """Register ``homes`` (subject -> home city) and the (local, federation) pseudonym ``links``.

    Idempotent: a known person keeps their first-seen row and link, and a
    waiting record is applied once. Runs in the caller's transaction; the
    caller announces :attr:`Arrived.linked` as people changed after its commit.
    """
    register_people(conn, homes, now)
    linked = register_links(conn, links, now)
    return Arrived(frozenset(homes), frozenset(linked))
