"""Restrictions ("blacklist" entries) with due process, checked when the policy loads.

The charter says: no restriction without an adjudicated record, a notice to
the person, an appeal route and an expiry. So a restriction rule in a policy
file is refused unless it

* is triggered by an adjudicated record kind (``catalogue.ADJUDICATED_KINDS``:
  a court judgment or proven fraud) -- never by a score, by any other record
  kind, by voluntary (consent) data, or by a charter-forbidden attribute;
* names the services it blocks (existing service ids);
* names its expiry (``expires_after_days``, a finite whole number above 0);
* names its appeal route (who to write to, and how) and the notice text.

:func:`active_restrictions` then derives, purely from a person's adjudicated
records, which restrictions bind them today. A court judgment's restriction
lifts the day a ``judgment_satisfied`` record with the same source and
``ref`` exists; every restriction lifts itself on its expiry date.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from creditcity.domain.catalogue import ADJUDICATED_KINDS, CATALOGUE, CONSENT_KINDS
from creditcity.domain.charter import forbidden_category
from creditcity.domain.policy_schema import MISSING_HINTS, Report, RestrictionSpec, Texts

if TYPE_CHECKING:
    from creditcity.domain.policy import Policy

__all__ = [
    "LIFTED_BY",
    "NOTICE_FIELDS",
    "ActiveRestriction",
    "AdjudicatedRecord",
    "RestrictionRule",
    "active_restrictions",
    "check_restrictions",
]

#: The record kind that settles a trigger kind and lifts its restriction at once.
LIFTED_BY: Mapping[str, str] = {"court_judgment": "judgment_satisfied"}
#: Placeholders a notice template may use.
NOTICE_FIELDS = (
    "rule",
    "kind",
    "ref",
    "source",
    "occurred_on",
    "expires_on",
    "services",
    "appeal_route",
)

_ADJUDICATED = ", ".join(sorted(ADJUDICATED_KINDS))
_SCORE_WORDS = frozenset({"score", "scores", "tier", "tiers", "rank", "percentile"})
_REQUIRED_BY_CHARTER = {
    "trigger": f"name the adjudicated record that triggers it: trigger = one of {_ADJUDICATED}",
    "blocks": 'name the services it blocks: blocks = ["rental_deposit", ...]',
    "expires_after_days": "name its expiry: expires_after_days = N (days, more than 0)",
    "appeal_route": (
        "name its appeal route in words for people, in both languages: "
        'appeal_route.zh = "..." and appeal_route.en = "..." (who to write to, and how)'
    ),
    "notice": 'give the notice sent to the person: notice = "..." (may use {ref}, {expires_on})',
}


@dataclass(frozen=True, slots=True)
class RestrictionRule:
    """One restriction of the policy, already checked against the guardrails."""

    name: str
    trigger: str
    blocks: frozenset[str]
    expires_after_days: int
    #: how to appeal, in Chinese and English (the portal shows the reader's)
    appeal_route: Texts
    notice: str
    #: what the rule is for, in Chinese and English (the portal shows the reader's)
    description: Texts


@dataclass(frozen=True, slots=True)
class AdjudicatedRecord:
    """The part of a ledger entry restrictions need: kind, source, ref and date."""

    kind: str
    source: str
    ref: str
    occurred_at: date | datetime


@dataclass(frozen=True, slots=True)
class ActiveRestriction:
    """A restriction binding a person today, with everything their notice must say."""

    rule: str
    trigger: str
    record_ref: str
    source: str
    occurred_on: date
    blocks: frozenset[str]
    expires_on: date
    appeal_route: Texts
    #: the policy's notice, in English (the templates are written in English)
    notice: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "trigger": self.trigger,
            "record_ref": self.record_ref,
            "source": self.source,
            "occurred_on": self.occurred_on.isoformat(),
            "blocks": sorted(self.blocks),
            "expires_on": self.expires_on.isoformat(),
            "appeal_route": self.appeal_route.model_dump(),
            "notice": self.notice,
        }


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def active_restrictions(
    policy: Policy, records: Sequence[AdjudicatedRecord], today: date
) -> list[ActiveRestriction]:
    """The restrictions binding a person on ``today``, derived from their records alone.

    ``records`` are the person's current (not retracted) records; kinds other
    than the triggers and their settling kinds are ignored. Records dated after
    ``today`` do not count yet. Sorted by rule name, then record ref.
    """
    settled = {(r.kind, r.source, r.ref) for r in records if _day(r.occurred_at) <= today}
    found: list[ActiveRestriction] = []
    for rule in policy.restrictions:
        settling_kind = LIFTED_BY.get(rule.trigger)
        for record in records:
            occurred = _day(record.occurred_at)
            if record.kind != rule.trigger or occurred > today:
                continue
            expires_on = occurred + timedelta(days=rule.expires_after_days)
            if today >= expires_on:
                continue
            if settling_kind and (settling_kind, record.source, record.ref) in settled:
                continue
            found.append(_activate(rule, record, occurred, expires_on))
    return sorted(found, key=lambda a: (a.rule, a.record_ref, a.source))


def _activate(
    rule: RestrictionRule, record: AdjudicatedRecord, occurred: date, expires_on: date
) -> ActiveRestriction:
    services = ", ".join(sorted(rule.blocks))
    notice = rule.notice.format_map(
        {
            "rule": rule.name,
            "kind": rule.trigger,
            "ref": record.ref,
            "source": record.source,
            "occurred_on": occurred.isoformat(),
            "expires_on": expires_on.isoformat(),
            "services": services,
            # the notice templates are English, so the English route completes them
            "appeal_route": rule.appeal_route.en,
        }
    )
    return ActiveRestriction(
        rule.name,
        rule.trigger,
        record.ref,
        record.source,
        occurred,
        rule.blocks,
        expires_on,
        rule.appeal_route,
        notice,
    )


# --- load-time guardrails ---------------------------------------------------


def check_restrictions(
    raw_rules: list[Any], services: Sequence[str], report: Report
) -> list[RestrictionRule]:
    """The policy's restriction rules; every guardrail breach is added to ``report``."""
    rules: list[RestrictionRule] = []
    names: set[str] = set()
    for index, raw in enumerate(raw_rules):
        base = ("restrictions", index)
        kept = _screen_keys(raw, base, report) if isinstance(raw, dict) else raw
        spec = report.validated(RestrictionSpec, kept, base)
        if spec is None:
            continue
        if spec.name in names:
            report.add((*base, "name"), f"restriction name '{spec.name}' is used twice")
        names.add(spec.name)
        if spec.description is None:  # checked here so its other breaches are still reported
            hint = MISSING_HINTS["description"]
            message = f"restriction '{spec.name}' has no description"
            report.add((*base, "description"), message, hint)
        rule = _checked_rule(spec, base, services, report)
        if rule is not None:
            rules.append(rule)
    return rules


def _checked_rule(
    spec: RestrictionSpec, base: tuple[str | int, ...], services: Sequence[str], report: Report
) -> RestrictionRule | None:
    """The rule if ``spec`` passes every guardrail; otherwise report each breach."""
    before = report.count
    label = f"'{spec.name}'"
    for key, fix in _REQUIRED_BY_CHARTER.items():
        if getattr(spec, key) is None:
            report.add((*base, key), f"restriction {label} must {fix}")
    if spec.trigger is not None and (problem := _trigger_problem(spec.trigger, label)):
        report.add((*base, "trigger"), problem)
    if spec.blocks is not None:
        _check_blocks(spec.blocks, label, (*base, "blocks"), services, report)
    if spec.expires_after_days is not None:
        _check_expiry(spec.expires_after_days, label, (*base, "expires_after_days"), report)
    if spec.notice is not None:
        _check_notice(spec.notice, label, (*base, "notice"), report)
    trigger, blocks, days = spec.trigger, spec.blocks, spec.expires_after_days
    appeal_route, notice = spec.appeal_route, spec.notice
    if report.count > before or trigger is None or blocks is None or days is None:
        return None
    if appeal_route is None or notice is None or spec.description is None:
        return None
    return RestrictionRule(
        spec.name,
        trigger,
        frozenset(blocks),
        int(days),
        appeal_route,
        notice.strip(),
        spec.description,
    )


def _label(raw: Mapping[str, Any], index: int) -> str:
    name = raw.get("name")
    return f"'{name}'" if isinstance(name, str) else f"#{index + 1}"


def _words(name: str) -> set[str]:
    return {w for w in name.lower().replace("-", "_").split("_") if w}


def _screen_keys(
    raw: dict[str, Any], base: tuple[str | int, ...], report: Report
) -> dict[str, Any]:
    """Refuse keys that make a restriction depend on a score or a forbidden attribute."""
    kept: dict[str, Any] = {}
    label = _label(raw, base[-1] if isinstance(base[-1], int) else 0)
    for key, value in raw.items():
        category = forbidden_category(key)
        if category is not None:
            report.add(
                (*base, key),
                f"restriction {label} conditions on '{key}', which marks {category}: the "
                "charter forbids it; remove the key",
            )
        elif _words(key) & _SCORE_WORDS:
            report.add((*base, key), _score_message(label, key))
        else:
            kept[key] = value
    return kept


def _score_message(label: str, what: str) -> str:
    return (
        f"restriction {label} is triggered by a score ('{what}'): a restriction may never "
        f"rest on a score alone, only on an adjudicated record; remove '{what}' and set "
        f"trigger to one of {_ADJUDICATED}"
    )


def _trigger_problem(trigger: str, label: str) -> str:
    """Why ``trigger`` may not trigger a restriction, or "" if it may."""
    if _words(trigger) & _SCORE_WORDS:
        return _score_message(label, trigger)
    category = forbidden_category(trigger)
    if category is not None:
        return (
            f"restriction {label} is triggered by '{trigger}', which marks {category}: the "
            f"charter forbids it; set trigger to one of {_ADJUDICATED}"
        )
    if trigger in CONSENT_KINDS:
        return (
            f"restriction {label} is triggered by '{trigger}', voluntary data given by "
            f"consent, which can only help a person, never restrict them; set trigger to "
            f"one of {_ADJUDICATED}"
        )
    if trigger not in CATALOGUE:
        return (
            f"restriction {label} names unknown record kind '{trigger}'; use one of {_ADJUDICATED}"
        )
    if trigger not in ADJUDICATED_KINDS:
        return (
            f"restriction {label} is triggered by '{trigger}', which is not adjudicated by a "
            f"court; only {_ADJUDICATED} may trigger a restriction"
        )
    return ""


def _check_blocks(
    blocks: list[str],
    label: str,
    loc: tuple[str | int, ...],
    services: Sequence[str],
    report: Report,
) -> None:
    if not blocks:
        report.add(
            loc, f"restriction {label} must {_REQUIRED_BY_CHARTER['blocks']}; the list is empty"
        )
    for service in blocks:
        if service not in services:
            report.add(
                loc,
                f"restriction {label} blocks unknown service '{service}'",
                f"one of: {', '.join(services)}",
            )


def _check_expiry(days: float, label: str, loc: tuple[str | int, ...], report: Report) -> None:
    if not math.isfinite(days):
        report.add(
            loc,
            f"restriction {label} must expire: expires_after_days must be a finite "
            f"number of days, not {days}",
        )
    elif days <= 0:
        report.add(loc, f"restriction {label} must expire after more than 0 days, not {days:g}")
    elif days != int(days):
        report.add(loc, f"restriction {label} must expire after a whole number of days, not {days}")


def _check_notice(notice: str, label: str, loc: tuple[str | int, ...], report: Report) -> None:
    if not notice.strip():
        report.add(loc, f"restriction {label} must {_REQUIRED_BY_CHARTER['notice']}; it is blank")
        return
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(notice) if name is not None}
    except ValueError as error:
        report.add(
            loc,
            f"restriction {label} notice is not a valid template ({error}); "
            "write a literal brace twice: {{ or }}",
        )
        return
    unknown = sorted(fields - set(NOTICE_FIELDS))
    if unknown:
        report.add(
            loc,
            f"restriction {label} notice uses unknown placeholders {unknown}",
            "placeholders among {" + "}, {".join(NOTICE_FIELDS) + "}",
        )
