"""The consent switches a person sees: one per voluntary source they have, on or off.

A voluntary source is one whose role may submit consent-based records (spending
totals, investment holdings). A person has a switch for each such source that
sent records about them or that appears in their consent register, so they
never need to type a source id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, LegalBasis, source_role
from creditcity.ledger.subject_file import entries_of
from creditcity.services import consent

__all__ = ["Switch", "switches"]


@dataclass(frozen=True, slots=True)
class Switch:
    source: str
    on: bool
    #: the kinds of voluntary record this source shares
    kinds: tuple[str, ...]


def switches(engine: Engine, subject: str, *, actor: str) -> list[Switch]:
    """Every voluntary source of the person, with whether it counts now."""
    state = consent.list_consents(engine, subject, actor=actor)
    with engine.connect() as conn:
        rows = entries_of(conn, subject)
    shared: dict[str, set[str]] = {}
    for row in rows:
        if row["kind"] in CONSENT_KINDS:
            shared.setdefault(row["source"], set()).add(row["kind"])
    for event in state.events:
        shared.setdefault(event.source, set())
    return [
        Switch(source, source in state.active, tuple(sorted(kinds) or _kinds_of(source)))
        for source, kinds in sorted(shared.items())
    ]


def _kinds_of(source: str) -> list[str]:
    role = source_role(source)
    return sorted(
        k.name for k in CATALOGUE.values() if k.basis is LegalBasis.CONSENT and role in k.sources
    )
