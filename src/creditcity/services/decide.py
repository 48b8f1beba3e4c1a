"""The decision use case: may this person skip the deposit, and up to how much?

What a decision reads about a person:

* their current score and its reason codes -- none means a thin file, which
  the policy answers on its own rule (a person never seen before is simply a
  thin file, not an error); served from memory in the API
  (:mod:`creditcity.services.serving`), read from the database otherwise;
* their live adjudicated records (court judgments, satisfactions, proven
  fraud) not under a pending dispute, from which the active restrictions are
  derived *today*: a judgment satisfied this morning lifts its restriction now;
* their exposure: what approved decisions granted and the deciding provider
  has not yet reported returned or paid, per service.

Requests are decided in batches (:mod:`creditcity.services.decision_batch`):
under a per-person lock so that no two workers grant against the same
exposure, and written together -- the decisions, their audit events, the
waiver records (``deposit_waived`` / ``pay_later_charged``, keyed by the
decision id), the kept answers of idempotency keys -- then committed before
anyone is answered. Bad input (unknown service, amount above the cap, blank
purpose, malformed provider) raises :class:`InputRejected` naming the field;
a service the provider does not run raises :class:`NotAuthorised`. Nothing
is written for a refused request.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from creditcity.config import Settings
from creditcity.domain.catalogue import SERVICE_IDS
from creditcity.domain.decisions import Decision, Reason
from creditcity.domain.policy import Policy, default_policy, load_policy
from creditcity.domain.reason_catalogue import sentence_of
from creditcity.domain.restrictions import ActiveRestriction, active_restrictions
from creditcity.errors import InputRejected, NotAuthorised, Problem
from creditcity.ledger.decisions import (
    DECISIONS_SOURCE,
    adjudicated_records,
    open_exposure,
    score_for_decision,
)
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.notices import Notice

__all__ = [
    "DECISIONS_SOURCE",
    "DEFAULT_PROVIDER",
    "DecisionAnswer",
    "DecisionRequest",
    "PersonFacts",
    "checked_request",
    "decide_request",
    "person_facts",
    "policy_for",
]

#: Who asks when the command line does not say (the operator, on a provider's behalf).
DEFAULT_PROVIDER = "creditcity:cli"
PROVIDER_FORM = "role:name, e.g. bike_operator:hellobike (lowercase role, then a name)"
_PROVIDER = re.compile(r"^[a-z][a-z_]{0,31}:[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


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
    #: the services the provider runs; None when the operator asks (command line)
    services: frozenset[str] | None = None
    #: the caller's ``Idempotency-Key``, if it sent one
    idempotency_key: str | None = None
    #: (local, federation) pseudonyms when the person was named by national ID in a
    #: federated city (:func:`creditcity.services.federation.person_named`): a first
    #: contact here links them, so records from peers that waited for them count now
    links: tuple[tuple[str, str], ...] = ()

    @property
    def fingerprint(self) -> str:
        """What was asked, so a retry with the same key can be told from a new request."""
        body = ["decision", self.subject, self.service, str(self.amount), self.purpose.strip()]
        return hashlib.sha256(json.dumps(body).encode()).hexdigest()


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
    """Decide, store and audit one request in its own transaction (the command line)."""
    from creditcity.services.decision_batch import decide_batch
    from creditcity.services.serving import DirectScores

    with UnitOfWork(engine) as uow:
        (outcome,) = decide_batch(
            uow, [request], policy=policy, settings=settings, scores=DirectScores(), now=now
        )
        uow.commit()
    if isinstance(outcome, Exception):
        raise outcome
    if not isinstance(outcome, DecisionAnswer):
        raise TypeError("a request without an idempotency key is answered afresh")
    return outcome


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


def checked_request(request: DecisionRequest) -> DecisionRequest:
    """The request with its provider id trimmed, or refused before anything is read.

    A provider asks only for the services it runs (:class:`NotAuthorised`, a
    403; a service nobody runs is left to the policy's 422); a malformed
    provider id is bad input.
    """
    text = request.provider.strip()
    if not _PROVIDER.match(text):
        problem = Problem(
            f"'{request.provider[:100]}' is not a provider id",
            where="decision request",
            field="provider",
            expected=PROVIDER_FORM,
        )
        raise InputRejected("decision request rejected: bad provider", problems=[problem])
    runs_these = request.services
    if (
        runs_these is not None
        and request.service in SERVICE_IDS
        and request.service not in runs_these
    ):
        runs = ", ".join(sorted(runs_these)) or "none"
        raise NotAuthorised(
            f"{text} does not run {request.service[:64]}",
            problems=[
                Problem(
                    f"this key is for the services {runs}",
                    where="decision request",
                    field="service",
                    expected="a service your key names (ask the city credit office to add one)",
                )
            ],
        )
    if text == request.provider:
        return request
    return DecisionRequest(
        request.subject,
        request.service,
        request.amount,
        request.purpose,
        text,
        request.services,
        request.idempotency_key,
    )
