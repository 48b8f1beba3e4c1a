"""Rules that span tables of a policy file: score bands, tier names, limits, caps.

Each check adds its problems to the :class:`~creditcity.domain.policy_schema.Report`
at the line the operator has to edit, and returns what later checks need.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from creditcity.domain.catalogue import SERVICE_IDS
from creditcity.domain.charter import forbidden_category
from creditcity.domain.policy_schema import (
    IDENTIFIER,
    Report,
    ServiceSpec,
    ThinFileSpec,
    TierSpec,
)

__all__ = [
    "SCORE_MAX",
    "SCORE_MIN",
    "check_never_worse_than_no_score",
    "check_service",
    "check_thin_file",
    "check_tiers",
    "screen_charter",
]

#: The score scale every policy's bands must cover (DESIGN.md: 350-950).
SCORE_MIN = 350
SCORE_MAX = 950

Path = tuple[str | int, ...]


def screen_charter(raw: Mapping[str, Any], base: Path, report: Report) -> None:
    """Refuse keys that would make a policy condition on a charter-forbidden attribute."""
    for key in raw:
        category = forbidden_category(key)
        if category is not None:
            report.add(
                (*base, key),
                f"'{key}' marks {category}, which the charter forbids as a policy input; "
                "remove the key",
            )


def check_tiers(
    tiers: Sequence[tuple[int, TierSpec]], exposure_cap: float | None, report: Report
) -> list[TierSpec]:
    """The tiers in score order, after checking the bands tile 350-950 exactly."""
    named: dict[str, int] = {}
    for index, tier in tiers:
        if tier.name in named:
            report.add(("tiers", index, "name"), f"tier name '{tier.name}' is used twice")
        named.setdefault(tier.name, index)
        if tier.min_score > tier.max_score:
            report.add(
                ("tiers", index, "max_score"),
                f"tier '{tier.name}' ends ({tier.max_score}) before it starts "
                f"({tier.min_score}); swap min_score and max_score",
            )
    ordered = sorted(tiers, key=lambda item: (item[1].min_score, item[0]))
    _check_coverage(ordered, report)
    _check_caps(ordered, exposure_cap, report)
    return [tier for _, tier in ordered]


def _check_coverage(ordered: Sequence[tuple[int, TierSpec]], report: Report) -> None:
    expected_start = SCORE_MIN
    previous: TierSpec | None = None
    for index, tier in ordered:
        loc = ("tiers", index, "min_score")
        if tier.min_score < SCORE_MIN:
            report.add(
                loc,
                f"tier '{tier.name}' starts at {tier.min_score}, below the "
                f"lowest score {SCORE_MIN}; set min_score = {SCORE_MIN}",
            )
        elif tier.min_score > expected_start:
            report.add(
                loc,
                f"scores {expected_start}-{tier.min_score - 1} are in no tier "
                f"(a gap before '{tier.name}'); set min_score = {expected_start}",
            )
        elif previous is not None and tier.min_score < expected_start:
            report.add(
                loc,
                f"tier '{tier.name}' overlaps '{previous.name}' (scores "
                f"{tier.min_score}-{min(previous.max_score, tier.max_score)} are in both); "
                f"set min_score = {expected_start}",
            )
        expected_start = max(expected_start, tier.max_score + 1)
        previous = tier
    if previous is None:
        return
    last_index = ordered[-1][0]
    if previous.max_score != SCORE_MAX and expected_start <= SCORE_MAX:
        report.add(
            ("tiers", last_index, "max_score"),
            f"scores {expected_start}-{SCORE_MAX} "
            f"are in no tier; set max_score = {SCORE_MAX} in '{previous.name}'",
        )
    elif expected_start > SCORE_MAX + 1:
        report.add(
            ("tiers", last_index, "max_score"),
            f"tier '{previous.name}' ends at "
            f"{previous.max_score}, above the highest score {SCORE_MAX}",
        )


def _check_caps(
    ordered: Sequence[tuple[int, TierSpec]], exposure_cap: float | None, report: Report
) -> None:
    """A tier's cap may lower the person-wide cap, never raise it, and never fall as scores rise."""
    floor = 0.0
    for index, tier in ordered:
        cap = tier.exposure_cap
        if cap is None:
            cap = exposure_cap or 0.0
        elif exposure_cap is not None and cap > exposure_cap:
            report.add(
                ("tiers", index, "exposure_cap"),
                f"tier '{tier.name}' exposure_cap "
                f"{cap:g} is above the policy's exposure_cap {exposure_cap:g}; lower it",
            )
        if cap < floor:
            report.add(
                ("tiers", index, "exposure_cap"),
                f"tier '{tier.name}' exposure_cap "
                f"{cap:g} is below a lower tier's {floor:g}; a better score never gets less",
            )
        floor = max(floor, cap)


def check_service(
    service_id: str, spec: ServiceSpec, tier_names: Sequence[str], report: Report
) -> list[float | None]:
    """The service's limit for each tier in score order (``None``: tier not eligible)."""
    base: Path = ("services", service_id)
    if not re.match(IDENTIFIER, service_id):
        report.add(base, f"service id '{service_id}' must be lower case letters, digits and _")
    elif service_id not in SERVICE_IDS:
        # a grant is written to the ledger, whose record catalogue names the services
        report.add(
            base,
            f"service id '{service_id}' is not a service the ledger knows",
            "one of: " + ", ".join(SERVICE_IDS),
        )
    if spec.min_tier not in tier_names:
        report.add(
            (*base, "min_tier"),
            f"service '{service_id}' names unknown tier '{spec.min_tier}'",
            f"one of: {', '.join(tier_names)}",
        )
        return []
    first = tier_names.index(spec.min_tier)
    _check_tier_keys(service_id, spec.tier_limits, "tier_limits", tier_names, first, report)
    _check_benefits(service_id, spec, tier_names, first, report)
    limits: list[float | None] = [None] * first
    for name in tier_names[first:]:
        limit = spec.tier_limits.get(name, spec.max_amount)
        if limit > spec.max_amount:
            report.add(
                (*base, "tier_limits", name),
                f"service '{service_id}' limit {limit:g} "
                f"for '{name}' is above its max_amount {spec.max_amount:g}",
            )
        elif len(limits) > first and limit < (limits[-1] or 0):
            report.add(
                (*base, "tier_limits", name),
                f"service '{service_id}' gives '{name}' "
                f"{limit:g}, less than a lower tier; a better score never gets less",
            )
        limits.append(limit)
    return limits


def _check_tier_keys(
    service_id: str,
    table: Mapping[str, Any],
    key: str,
    tier_names: Sequence[str],
    first: int,
    report: Report,
) -> None:
    for name in table:
        if name not in tier_names:
            report.add(
                ("services", service_id, key, name),
                f"service '{service_id}' {key} names unknown tier '{name}'",
                f"one of: {', '.join(tier_names)}",
            )
        elif tier_names.index(name) < first:
            report.add(
                ("services", service_id, key, name),
                f"service '{service_id}' {key} "
                f"names '{name}', below its min_tier '{tier_names[first]}'; remove it",
            )


def _check_benefits(
    service_id: str, spec: ServiceSpec, tier_names: Sequence[str], first: int, report: Report
) -> None:
    for benefit, tier in spec.benefits.items():
        loc = ("services", service_id, "benefits", benefit)
        if tier not in tier_names:
            report.add(
                loc,
                f"benefit '{benefit}' of '{service_id}' names unknown tier '{tier}'",
                f"one of: {', '.join(tier_names)}",
            )
        elif tier_names.index(tier) < first:
            report.add(
                loc,
                f"benefit '{benefit}' of '{service_id}' starts at '{tier}', below "
                f"the service's min_tier '{tier_names[first]}'",
            )


def check_thin_file(
    spec: ThinFileSpec, services: Sequence[str], exposure_cap: float | None, report: Report
) -> None:
    """People with no score: only existing services, within the person-wide cap."""
    for service in spec.services:
        if service not in services:
            report.add(
                ("thin_file", "services"),
                f"thin_file names unknown service '{service}'",
                f"one of: {', '.join(services)}",
            )
    if spec.services and spec.max_amount <= 0:
        report.add(
            ("thin_file", "max_amount"),
            "thin_file lists services but max_amount is 0; "
            "raise it, or empty the services list to decline people with no score",
        )
    if exposure_cap is not None and spec.exposure_cap > exposure_cap:
        report.add(
            ("thin_file", "exposure_cap"),
            f"thin_file exposure_cap {spec.exposure_cap:g} "
            f"is above the policy's exposure_cap {exposure_cap:g}; lower it",
        )


def check_never_worse_than_no_score(
    thin: ThinFileSpec,
    tiers: Sequence[tuple[int, TierSpec]],
    services: Mapping[str, tuple[ServiceSpec, Sequence[float | None]]],
    exposure_cap: float | None,
    report: Report,
) -> None:
    """The lowest tier gets at least what the thin-file rule gives a person with no score.

    Otherwise a person who builds a record and scores low would lose what
    they had with none (a resident scored 548 refused the umbrella an unscored
    person gets). Higher tiers never get less than the lowest (see
    :func:`check_tiers` and :func:`check_service`), so the lowest is enough.
    """
    if not tiers or not thin.services:
        return
    index, lowest = min(tiers, key=lambda item: (item[1].min_score, item[0]))
    cap = lowest.exposure_cap if lowest.exposure_cap is not None else exposure_cap
    if cap is not None and cap < thin.exposure_cap:
        report.add(
            ("tiers", index, "exposure_cap"),
            f"tier '{lowest.name}', the lowest, may owe at most {cap:g}, less than the "
            f"{thin.exposure_cap:g} a person with no score may (thin_file exposure_cap): a low "
            f"score would be worse than no score; set exposure_cap = {thin.exposure_cap:g} "
            "or more",
        )
    for service_id in thin.services:
        if service_id not in services:
            continue  # an unknown service is reported by check_thin_file
        spec, limits = services[service_id]
        _check_lowest_limit(service_id, spec, limits, lowest.name, thin, report)


def _check_lowest_limit(
    service_id: str,
    spec: ServiceSpec,
    limits: Sequence[float | None],
    lowest: str,
    thin: ThinFileSpec,
    report: Report,
) -> None:
    owed = min(thin.max_amount, spec.max_amount)  # what a person with no score may get
    limit = limits[0] if limits else None
    if limit is None:
        report.add(
            ("services", service_id, "min_tier"),
            f"a person with no score may use '{service_id}' (thin_file, up to {owed:g}) but "
            f"tier '{lowest}', the lowest, may not: a low score would be worse than no score; "
            f'set min_tier = "{lowest}" (tier_limits {{ {lowest} = {owed:g} }} keeps it small)',
        )
    elif limit < owed:
        report.add(
            ("services", service_id, "tier_limits", lowest),
            f"tier '{lowest}', the lowest, gets {limit:g} of '{service_id}', less than the "
            f"{owed:g} a person with no score gets (thin_file max_amount): a low score would "
            f"be worse than no score; set tier_limits {{ {lowest} = {owed:g} }} or more",
        )
