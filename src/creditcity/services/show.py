"""``show``: a person's score, five dimensions, reasons, rank and live restrictions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.reason_catalogue import DEFAULT_LANG, language, render_all
from creditcity.domain.restrictions import active_restrictions
from creditcity.ledger.audit import Access
from creditcity.ledger.decisions import adjudicated_records
from creditcity.ledger.group_commit import group_commit
from creditcity.ledger.scores import StoredScore, current_score
from creditcity.services.decide import now_utc, policy_for


@dataclass(frozen=True, slots=True)
class SubjectView:
    """A person's standing; reasons are worded in ``lang`` when shown."""

    subject: str
    score: StoredScore | None
    tier: str | None
    restrictions: list[dict[str, Any]]
    lang: str = DEFAULT_LANG

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """Stored reason facts plus ``text``, ``advice`` and ``sentence`` in ``lang``."""
        return [] if self.score is None else render_all(self.score.reasons, self.lang)

    def as_dict(self) -> dict[str, Any]:
        s = self.score
        return {
            "subject": self.subject,
            "score": None if s is None else s.score,
            "tier": self.tier,
            "percentile_in_city": None if s is None else s.percentile,
            "city": None if s is None else s.city,
            "dimensions": None if s is None else s.dimensions,
            "reasons": self.reasons,
            "lang": self.lang,
            "model_version": None if s is None else s.model_version,
            "as_of": None if s is None else s.as_of.isoformat(),
            "restrictions": self.restrictions,
        }


def show_subject(
    engine: Engine,
    subject: str,
    *,
    settings: Settings,
    actor: str,
    role: str,
    purpose: str,
    lang: str = DEFAULT_LANG,
) -> SubjectView:
    """Read a person's current standing, reasons worded in ``lang``; the read is audited.

    The answer is given only once its audit event has committed (in a group
    with other requests' writes: :mod:`creditcity.ledger.group_commit`).

    An unknown ``lang`` is refused (:class:`InputRejected`) before anything is read.
    """
    lang = language(lang)
    policy = policy_for(settings)
    now = now_utc()
    with engine.connect() as conn:  # reads only: the writer's turn is for the audit event
        stored = current_score(conn, subject)
        records = adjudicated_records(conn, subject)
    live = active_restrictions(policy, records, now.date()) if records else []
    read = Access(actor, role, purpose, "show", subject)
    group_commit(engine).run(lambda _uow, audit: audit.append(read))
    tier = None if stored is None else policy.tier_for(stored.score).name
    return SubjectView(subject, stored, tier, [r.as_dict() for r in live], lang)
