"""A resident's standing, for them to act on: score, tier, the next tier, history, what to settle.

One read for the "my credit" page: the current score (an audited read, as
:func:`creditcity.services.show.show_subject` does), the score's history one
point per day, how many points the next tier needs and what it unlocks, and
the open records a payment or a return would settle (for the what-if panel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.policy import Policy
from creditcity.ledger.scores import score_history
from creditcity.services.decide import policy_for
from creditcity.services.show import SubjectView, show_subject
from creditcity.services.what_if import Settleable, settleable

__all__ = ["NextTier", "Standing", "next_tier", "standing", "unlocks"]


@dataclass(frozen=True, slots=True)
class NextTier:
    """The tier above the person's, the points it needs and what it adds."""

    name: str
    min_score: int
    points_needed: int
    #: (service, the most granted there) for services new or larger in that tier
    adds: list[tuple[str, Decimal]]


@dataclass(frozen=True, slots=True)
class Standing:
    view: SubjectView
    history: list[tuple[date, int]]
    next: NextTier | None
    unlocks: list[tuple[str, str, Decimal]]
    open_records: list[Settleable] = field(default_factory=list)

    def shown(self) -> dict[str, Any]:
        return self.view.as_dict()


def next_tier(policy: Policy, score: int | None) -> NextTier | None:
    """What the next tier up needs and unlocks; None at the top or without a score."""
    if score is None:
        return None
    here = policy.tier_for(score)
    if here.rank + 1 >= len(policy.tiers):
        return None
    up = policy.tiers[here.rank + 1]
    adds = [
        (s.id, limit)
        for s in policy.services.values()
        if (limit := s.limits[up.rank]) is not None
        and (s.limits[here.rank] is None or limit > (s.limits[here.rank] or 0))
    ]
    return NextTier(up.name, up.min_score, up.min_score - score, adds)


def unlocks(policy: Policy, score: int | None) -> list[tuple[str, str, Decimal]]:
    """(service, kind, the most granted) for every service the person's tier may use."""
    if score is None:
        thin = policy.thin_file
        return [
            (s, policy.services[s].kind.value, thin.max_amount)
            for s in sorted(thin.services)
            if s in policy.services
        ]
    rank = policy.tier_for(score).rank
    return [
        (s.id, s.kind.value, limit)
        for s in policy.services.values()
        if (limit := s.limits[rank]) is not None
    ]


def standing(
    engine: Engine, subject: str, *, settings: Settings, actor: str, purpose: str, lang: str
) -> Standing:
    """The person's standing, reasons worded in ``lang``; reading it is audited."""
    view = show_subject(
        engine,
        subject,
        settings=settings,
        actor=actor,
        role="resident",
        purpose=purpose,
        lang=lang,
    )
    policy = policy_for(settings)
    with engine.connect() as conn:
        daily: dict[date, int] = {}
        for stored in score_history(conn, subject):  # in order: the day's last score wins
            daily[stored.as_of] = stored.score
    score = None if view.score is None else view.score.score
    return Standing(
        view,
        sorted(daily.items()),
        next_tier(policy, score),
        unlocks(policy, score),
        settleable(engine, subject) if score is not None else [],
    )
