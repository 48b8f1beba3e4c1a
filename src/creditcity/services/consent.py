"""The consent register: which voluntary sources may count in a person's score.

Only ``consent`` records (spending totals, investment holdings) depend on it,
and only sources whose role may submit such records (bank, broker, card
issuer) can be granted or withdrawn: consenting to a court or a bike
operator would mean nothing, since their records count by statute or by
contract whatever the person says. Granting and withdrawing are events
appended to ``consents``; the feature engines read the periods they make, so
a withdrawal takes effect at the next score. Nothing already stored is
deleted: the records stay in the file (and the report), they just stop counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, SOURCE_ROLES
from creditcity.errors import InputRejected, Problem
from creditcity.ledger import consents as store
from creditcity.ledger.audit import record_access
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.disputes import utc_now

#: Roles that may submit at least one consent-based kind: the only ones consent can govern.
CONSENT_ROLES = tuple(sorted({role for kind in CONSENT_KINDS for role in CATALOGUE[kind].sources}))
PURPOSE = "consent register"
UNAFFECTED = (
    "Withdrawing consent removes only voluntary (consent) records from the score. "
    "Statutory records (tax, fines, courts, credentials) and contract records "
    "(loans, bills, rent, deposit-free borrowings, pay-later) are unaffected."
)


@dataclass(frozen=True, slots=True)
class ConsentState:
    """One person's register: every event, and the sources consented to now."""

    subject: str
    events: list[store.ConsentEvent]
    active: list[str]
    note: str = UNAFFECTED
    changed: bool = field(default=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "active": self.active,
            "events": [e.as_dict() for e in self.events],
            "changed": self.changed,
            "note": self.note,
        }


def check_source(source: str) -> str:
    """``role:name`` of a role that submits consent-based records, or a clear refusal."""
    text = source.strip()
    role, _, name = text.partition(":")
    if role in CONSENT_ROLES and name.strip():
        return text
    kinds = ", ".join(sorted(CONSENT_KINDS))
    why = (
        f"a {role} submits no voluntary records; its records count by statute or contract, "
        "so consent neither adds nor removes them"
        if role in SOURCE_ROLES and name
        else f"'{text}' is not a source id"
    )
    raise InputRejected(
        "consent applies only to sources of voluntary records",
        problems=[
            Problem(
                why,
                field="source",
                expected=f"role:name with role one of {', '.join(CONSENT_ROLES)} "
                f"(the roles that submit {kinds})",
            )
        ],
    )


def grant(
    engine: Engine,
    subject: str,
    source: str,
    *,
    now: datetime | None = None,
) -> ConsentState:
    """Let ``source``'s voluntary records count; granting twice changes nothing."""
    return _set(engine, subject, check_source(source), store.GRANT, now)


def withdraw(
    engine: Engine,
    subject: str,
    source: str,
    *,
    now: datetime | None = None,
) -> ConsentState:
    """Stop ``source``'s voluntary records counting from the next score on."""
    return _set(engine, subject, check_source(source), store.WITHDRAW, now)


def _set(
    engine: Engine,
    subject: str,
    source: str,
    action: str,
    now: datetime | None,
) -> ConsentState:
    at = now or utc_now()
    with UnitOfWork(engine) as uow:
        active = source in store.active_sources(store.events(uow.conn, subject, source))
        changed = active != (action == store.GRANT)
        if changed:
            store.append(uow.conn, subject=subject, source=source, action=action, at=at)
            verb = "granted" if action == store.GRANT else "withdrawn"
            record_access(
                uow.conn,
                actor="resident",
                role="resident",
                purpose=PURPOSE,
                action=f"consent.{verb}",
                subject=subject,
                detail={"source": source},
            )
        state = _state(uow.conn, subject, changed)
        if changed:
            uow.people_changed({subject})
        uow.commit()
    return state


def list_consents(engine: Engine, subject: str, *, actor: str = "resident") -> ConsentState:
    """The person's consent register; reading it is an access to their file."""
    with UnitOfWork(engine) as uow:
        record_access(
            uow.conn,
            actor=actor,
            role="resident",
            purpose=PURPOSE,
            action="consent.listed",
            subject=subject,
        )
        state = _state(uow.conn, subject, False)
        uow.commit()
    return state


def _state(conn: Connection, subject: str, changed: bool) -> ConsentState:
    history = store.events(conn, subject)
    return ConsentState(subject, history, sorted(store.active_sources(history)), changed=changed)
