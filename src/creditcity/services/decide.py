"""The decision use case: may this person skip the deposit, and up to how much?

What one call reads (a handful of indexed queries, all about one person):

* the person's current stored score and its reason codes -- none means a thin
  file, which the policy answers on its own rule (a person never seen before
  is simply a thin file, not an error);
* their live adjudicated records (court judgments, satisfactions, proven
  fraud) not under a pending dispute, from which the active restrictions are
  derived *today*: a judgment satisfied this morning lifts its restriction now;
* their exposure: what approved decisions granted and no outcome has yet
  closed (returned or paid), per service.

It then calls the pure :func:`creditcity.domain.decisions.decide` and writes,
in one transaction: the decision, an audit event (the provider, the stated
purpose), for an approved deposit waiver or pay-later a ledger record
(``deposit_waived`` / ``pay_later_charged``, keyed by the decision id) so the
waiver is part of the person's file, and a notice for every active
restriction the person was not yet told of. Bad input (unknown service,
amount above the cap, blank purpose, malformed provider) raises
:class:`InputRejected` naming the field, and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, Engine

from creditcity.config import Settings
from creditcity.domain.decisions import Decision, Reason, decide
from creditcity.domain.policy import Policy, ServiceKind, default_policy, load_policy
from creditcity.domain.reason_catalogue import sentence_of
from creditcity.domain.restrictions import ActiveRestriction, active_restrictions
from creditcity.errors import InputRejected, Problem
from creditcity.ledger.audit import record_access
from creditcity.ledger.decisions import (
    adjudicated_records,
    insert_decision,
    open_exposure,
    score_for_decision,
)
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.notices import Notice, notify_restrictions
from creditcity.services.record_writer import write_record

__all__ = [
    "DECISIONS_SOURCE",
    "DEFAULT_PROVIDER",
    "DecisionAnswer",
    "DecisionRequest",
    "PersonFacts",
    "decide_in",
    "decide_request",
    "person_facts",
    "policy_for",
]

#: The source of the records creditcity itself writes about decisions.
DECISIONS_SOURCE = "creditcity:decisions"
#: Who asks when the command line does not say (the operator, on a provider's behalf).
DEFAULT_PROVIDER = "creditcity:cli"
PROVIDER_FORM = "role:name, e.g. bike_operator:hellobike (lowercase role, then a name)"
_PROVIDER = re.compile(r"^[a-z][a-z_]{0,31}:[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_RECORD_KIND = {
    ServiceKind.DEPOSIT_WAIVER: "deposit_waived",
    ServiceKind.PAY_LATER: "pay_later_charged",
}


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def policy_for(settings: Settings) -> Policy:
    """The operator's policy file if one is configured, else the shipped default."""
    return default_policy() if settings.policy_path is None else load_policy(settings.policy_path)


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """A provider's question about one person (``subject`` already a pseudonym)."""

    subject: str
    service: str
    amount: Decimal | int | float | str
    purpose: str
    provider: str = DEFAULT_PROVIDER


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What a decision reads about a person."""

    score: int | None
    model_version: str | None
    reasons: tuple[Reason, ...]
    restrictions: tuple[ActiveRestriction, ...]
    exposure: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class DecisionAnswer:
    """A stored decision: the domain's answer plus its id, who asked and what was written."""

    decision_id: str
    subject: str
    provider: str
    purpose: str
    decided_at: datetime
    decision: Decision
    model_version: str | None
    #: notices sent to the person by this call (restrictions they learn of now)
    notices: tuple[Notice, ...]
    #: the ledger record kind written for the grant, if any
    record_kind: str | None

    @property
    def thin_file(self) -> bool:
        return self.decision.score is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "subject": self.subject,
            "provider": self.provider,
            "purpose": self.purpose,
            "decided_at": self.decided_at.isoformat(),
            **self.decision.as_dict(),
            "granted": str(self.decision.granted),
            "thin_file": self.thin_file,
            "model_version": self.model_version,
            "record_kind": self.record_kind,
            "notices": [n.as_dict() for n in self.notices],
        }


def decide_request(
    engine: Engine,
    request: DecisionRequest,
    *,
    policy: Policy,
    settings: Settings,
    now: datetime | None = None,
) -> DecisionAnswer:
    """Decide, store and audit one request in its own transaction."""
    with UnitOfWork(engine) as uow:
        answer = decide_in(uow.conn, request, policy=policy, settings=settings, now=now)
        uow.commit()
    return answer


def decide_in(
    conn: Connection,
    request: DecisionRequest,
    *,
    policy: Policy,
    settings: Settings,
    now: datetime | None = None,
) -> DecisionAnswer:
    """Decide inside the caller's transaction (the API holds its own); see the module doc."""
    now = now or now_utc()
    provider = _checked_provider(request.provider)
    facts = person_facts(conn, request.subject, policy, now)
    decision = decide(
        policy,
        request.service,
        request.amount,
        request.purpose,
        score=facts.score,
        reasons=facts.reasons,
        restrictions=facts.restrictions,
        exposure=facts.exposure,
    )
    decision_id = uuid4().hex
    purpose = request.purpose.strip()
    insert_decision(
        conn,
        _row(decision_id, request.subject, provider, purpose, now, decision, facts.model_version),
    )
    record_access(
        conn,
        actor=provider,
        role="provider",
        purpose=purpose,
        action="decide",
        subject=request.subject,
        detail={
            "decision_id": decision_id,
            "service": decision.service,
            "amount": str(decision.amount_requested),
            "approved": decision.approved,
            "granted": str(decision.granted),
        },
    )
    record_kind = _record_grant(conn, policy, decision_id, request.subject, decision, settings, now)
    notices = notify_restrictions(conn, request.subject, facts.restrictions, now)
    return DecisionAnswer(
        decision_id,
        request.subject,
        provider,
        purpose,
        now,
        decision,
        facts.model_version,
        tuple(notices),
        record_kind,
    )


def person_facts(conn: Connection, subject: str, policy: Policy, now: datetime) -> PersonFacts:
    """Score, active restrictions and exposure of one person, read now."""
    stored = score_for_decision(conn, subject)
    records = adjudicated_records(conn, subject)
    restrictions = active_restrictions(policy, records, now.date()) if records else []
    exposure = open_exposure(conn, subject)
    if stored is None:
        return PersonFacts(None, None, (), tuple(restrictions), exposure)
    score, model_version, stored_reasons = stored
    reasons = tuple((str(r["code"]), sentence_of(r)) for r in stored_reasons)
    return PersonFacts(score, model_version, reasons, tuple(restrictions), exposure)


def _checked_provider(provider: str) -> str:
    text = provider.strip()
    if _PROVIDER.match(text):
        return text
    problem = Problem(
        f"'{provider[:100]}' is not a provider id",
        where="decision request",
        field="provider",
        expected=PROVIDER_FORM,
    )
    raise InputRejected("decision request rejected: bad provider", problems=[problem])


def _row(
    decision_id: str,
    subject: str,
    provider: str,
    purpose: str,
    now: datetime,
    decision: Decision,
    model_version: str | None,
) -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "subject": subject,
        "service": decision.service,
        "amount": float(decision.amount_requested),
        "purpose": purpose,
        "requested_by": provider,
        "decided_at": now,
        "approved": decision.approved,
        "waived_amount": float(decision.waived_amount),
        "credit_line": float(decision.credit_line),
        "tier": decision.tier,
        "score": decision.score,
        "reasons": [{"code": code, "text": text} for code, text in decision.reasons],
        "restrictions": [r.as_dict() for r in decision.restrictions],
        "model_version": model_version,
        "policy_version": decision.policy_version,
    }


def _record_grant(
    conn: Connection,
    policy: Policy,
    decision_id: str,
    subject: str,
    decision: Decision,
    settings: Settings,
    now: datetime,
) -> str | None:
    """Put an approved waiver or pay-later charge on the person's file; fee waivers are gifts."""
    kind = _RECORD_KIND.get(policy.services[decision.service].kind)
    if not decision.approved or kind is None:
        return None
    record = {
        "source": DECISIONS_SOURCE,
        "idempotency_key": decision_id,
        "subject": subject,
        "kind": kind,
        "occurred_at": now,
        "city": settings.city,
        "ref": decision_id,
        "service": decision.service,
        "amount": str(decision.granted),
    }
    write_record(conn, record, secret=settings.pseudonym_secret, now=now)
    return kind
