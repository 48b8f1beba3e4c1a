"""The decision: may this person use this service without deposit, and up to how much?

:func:`decide` is pure and cheap (it runs 50,000+ times a second in-process):
the tier is a bisect over precomputed band starts, the service's limit for the
tier a tuple index, and sentences are only written for the reasons returned.

How an answer is reached, in order:

1. Bad input is rejected (:class:`InputRejected`, naming the field): unknown
   service, amount not a positive number of yuan with at most two decimals or
   above the service's ``max_amount``, blank purpose, score off the 350-950 scale.
2. Declines, all reasons given at once: a restriction that blocks the service
   (``RESTRICTED``, cited with its appeal route), a tier below the service's
   minimum (``TIER-TOO-LOW``), or no score at all for a service the thin-file
   rule does not cover (``THIN-FILE``).
3. Otherwise the grant is the request, cut to the tier's limit for the service
   (``TIER-LIMIT``), to what is left of that limit after what the person already
   owes on the service (``SERVICE-LIMIT``), and to what is left under their
   exposure cap across all services (``EXPOSURE-CAP``). **Partial approval**: a
   positive grant smaller than the request is approved with the code that cut
   it (the provider asks a deposit for the rest); a grant of 0 is a decline
   with that code. Fee waivers are never owed back, so they skip steps on exposure.

The score's own reason codes follow the decision's codes, so a decline for a
low tier also says what kept the score low.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, NamedTuple

from creditcity.domain.policy import SCORE_MAX, SCORE_MIN, Policy, Service
from creditcity.domain.restrictions import ActiveRestriction
from creditcity.errors import InputRejected, Problem

__all__ = [
    "EXPOSURE_CAP",
    "RESTRICTED",
    "SERVICE_LIMIT",
    "THIN_FILE",
    "TIER_LIMIT",
    "TIER_TOO_LOW",
    "Decision",
    "Reason",
    "decide",
]

#: (code, sentence), as the scorecard gives them and decisions return them.
Reason = tuple[str, str]

RESTRICTED = "RESTRICTED"
TIER_TOO_LOW = "TIER-TOO-LOW"
THIN_FILE = "THIN-FILE"
TIER_LIMIT = "TIER-LIMIT"
SERVICE_LIMIT = "SERVICE-LIMIT"
EXPOSURE_CAP = "EXPOSURE-CAP"

_ZERO = Decimal(0)
_CENT = Decimal("0.01")
_NO_BENEFITS: tuple[str, ...] = ()
_NO_EXPOSURE: Mapping[str, Decimal] = MappingProxyType({})


class Decision(NamedTuple):
    """The answer to one request. The caller adds the decision id and model version.

    Immutable. A named tuple rather than a frozen dataclass because it is built
    50,000+ times a second and a frozen dataclass costs several times more to build.
    """

    service: str
    approved: bool
    amount_requested: Decimal
    #: deposit or fee waived (0 for pay-later services)
    waived_amount: Decimal
    #: pay-later credit line granted (0 for waivers)
    credit_line: Decimal
    tier: str | None
    score: int | None
    reasons: tuple[Reason, ...]
    restrictions: tuple[ActiveRestriction, ...]
    benefits: tuple[str, ...]
    policy_version: str

    @property
    def granted(self) -> Decimal:
        return self.waived_amount + self.credit_line

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "approved": self.approved,
            "amount_requested": str(self.amount_requested),
            "waived_amount": str(self.waived_amount),
            "credit_line": str(self.credit_line),
            "tier": self.tier,
            "score": self.score,
            "reasons": [{"code": code, "text": text} for code, text in self.reasons],
            "restrictions": [r.as_dict() for r in self.restrictions],
            "benefits": list(self.benefits),
            "policy_version": self.policy_version,
        }


def decide(
    policy: Policy,
    service: str,
    amount: Decimal | int | float | str,
    purpose: str | None,
    *,
    score: int | None,
    reasons: Sequence[Reason] = (),
    restrictions: Sequence[ActiveRestriction] = (),
    exposure: Mapping[str, Decimal] = _NO_EXPOSURE,
) -> Decision:
    """Decide one request; see the module docstring for the rules.

    ``score`` is ``None`` for a person with no score (thin file); ``reasons`` are
    the score's reason codes; ``restrictions`` the person's active restrictions
    today; ``exposure`` what they still owe back per service id (waived deposits
    and pay-later outstanding), in yuan as ``Decimal`` or ``int``.
    """
    spec = policy.services.get(service)
    if spec is None:
        raise _rejected(
            "service", f"unknown service '{service}'", f"one of: {', '.join(policy.services)}"
        )
    requested = _amount(amount, spec.max_amount, service)
    if purpose is None or not purpose.strip():
        raise _rejected(
            "purpose",
            "a purpose is required: every decision states why it was asked",
            "non-blank text, e.g. 'bike rental'",
        )
    cited = tuple(r for r in restrictions if service in r.blocks) if restrictions else ()
    if score is None:
        tier_name = None
        thin = policy.thin_file
        limit = thin.max_amount if service in thin.services else None
        cap, benefits = thin.exposure_cap, _NO_BENEFITS
    else:
        if type(score) is not int or not SCORE_MIN <= score <= SCORE_MAX:
            raise _bad_score(score)
        tier = policy.tiers[bisect_right(policy.band_starts, score) - 1]
        tier_name, limit, cap = tier.name, spec.limits[tier.rank], tier.exposure_cap
        benefits = spec.benefits[tier.rank]
    if cited or limit is None:
        why = [_restricted(r, service) for r in cited]
        if limit is None:
            why.append(_not_eligible(policy, service, score, tier_name))
        return Decision(
            service,
            False,
            requested,
            _ZERO,
            _ZERO,
            tier_name,
            score,
            (*why, *reasons),
            cited,
            (),
            policy.version,
        )
    grant, cut = _grant(spec, requested, limit, cap, exposure, policy.never_owed)
    approved = grant > _ZERO
    if cut is not None:
        codes = (cut, *reasons)
    else:
        codes = reasons if type(reasons) is tuple else tuple(reasons)
    if spec.pay_later:
        waived, line = _ZERO, grant
    else:
        waived, line = grant, _ZERO
    return Decision(
        service,
        approved,
        requested,
        waived,
        line,
        tier_name,
        score,
        codes,
        (),
        benefits if approved else (),
        policy.version,
    )


def _grant(
    spec: Service,
    requested: Decimal,
    limit: Decimal,
    cap: Decimal,
    exposure: Mapping[str, Decimal],
    never_owed: frozenset[str],
) -> tuple[Decimal, Reason | None]:
    """The amount granted and the reason it is below the request, if it is."""
    service, grant, cut = spec.id, requested, None
    if limit < grant:
        grant, cut = limit, (TIER_LIMIT, f"the tier's limit for {service} is {limit}")
    if not spec.counts_toward_exposure:
        return grant, cut
    owed_here = exposure.get(service, _ZERO) if exposure else _ZERO
    if limit - owed_here < grant:
        grant = max(limit - owed_here, _ZERO)
        cut = (
            SERVICE_LIMIT,
            f"{owed_here} is already outstanding on {service}, of a limit of {limit}",
        )
    owed = _owed_back(exposure, never_owed) if exposure else _ZERO
    if cap - owed < grant:
        grant = max(cap - owed, _ZERO)
        cut = (EXPOSURE_CAP, f"{owed} is already outstanding across services, of a cap of {cap}")
    return grant, cut


def _owed_back(exposure: Mapping[str, Decimal], never_owed: frozenset[str]) -> Decimal:
    """What the person owes back; an id the policy no longer knows still counts."""
    total = _ZERO
    for service, owed in exposure.items():
        if service not in never_owed:
            total += owed
    return total


def _restricted(restriction: ActiveRestriction, service: str) -> Reason:
    return (
        RESTRICTED,
        f"restriction '{restriction.rule}' (record {restriction.record_ref} from "
        f"{restriction.source}) blocks {service} until {restriction.expires_on}; "
        f"to appeal: {restriction.appeal_route.en}",
    )


def _not_eligible(policy: Policy, service: str, score: int | None, tier: str | None) -> Reason:
    spec = policy.services[service]
    minimum, start = spec.min_tier, spec.min_score
    if score is None:
        return (
            THIN_FILE,
            f"no score yet (too few records); {service} needs tier "
            f"'{minimum}' (score {start} or more). {policy.thin_file.note}".rstrip(),
        )
    return (
        TIER_TOO_LOW,
        f"score {score} is in tier '{tier}'; {service} needs tier "
        f"'{minimum}' (score {start} or more)",
    )


def _rejected(field: str, message: str, expected: str) -> InputRejected:
    problem = Problem(message, where="decision request", field=field, expected=expected)
    return InputRejected(f"decision request rejected: {message}", problems=[problem])


def _amount(amount: Decimal | int | float | str, maximum: Decimal, service: str) -> Decimal:
    """The requested amount as an exact Decimal, or :class:`InputRejected`."""
    if (
        type(amount) is Decimal
        and amount.is_finite()
        and _ZERO < amount <= maximum
        and amount == amount.quantize(_CENT)
    ):
        return amount  # the common case, checked first and cheaply
    expected = f"yuan above 0 and at most {maximum} for {service}, with at most two decimals"
    value = _to_decimal(amount)
    if value is None or not value.is_finite():
        raise _rejected("amount", f"amount {amount!r} is not a number", expected)
    if value <= _ZERO:
        raise _rejected("amount", f"amount {value} must be above 0", expected)
    if value > maximum:
        raise _rejected(
            "amount", f"amount {value} is above {service}'s maximum {maximum}", expected
        )
    if value != value.quantize(_CENT):
        raise _rejected("amount", f"amount {value} has more than two decimals", expected)
    return value


def _to_decimal(amount: object) -> Decimal | None:
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, bool):
        return None
    if isinstance(amount, int):
        return Decimal(amount)
    if isinstance(amount, float):
        return Decimal(repr(amount))
    if isinstance(amount, str):
        try:
            return Decimal(amount.strip())
        except InvalidOperation:
            return None
    return None


def _bad_score(score: object) -> InputRejected:
    return _rejected(
        "score",
        f"score {score!r} is not on the scale",
        f"a whole number from {SCORE_MIN} to {SCORE_MAX}, or None for no score",
    )
