"""The operator's policy: tiers by score, what each service grants, and restrictions.

A policy is a TOML file (see ``default_policy.toml``, which documents every
key). It is checked completely when it is loaded -- syntax, unknown keys,
types, score bands, tier and service names, limits, and the due-process
guardrails on restrictions -- and refused with a :class:`PolicyError` listing
every problem with its line and how to fix it. A loaded :class:`Policy` is
immutable and carries precomputed lookups (band starts for a bisect, each
service's limit per tier) so a decision costs a few comparisons.

    parse_policy(text, source_name) -> Policy
    load_policy(path) -> Policy
    default_policy() -> Policy
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from creditcity.domain.policy_checks import (
    SCORE_MAX,
    SCORE_MIN,
    check_never_worse_than_no_score,
    check_service,
    check_thin_file,
    check_tiers,
    screen_charter,
)
from creditcity.domain.policy_gate import ModelGate, check_expected_rates, model_gate
from creditcity.domain.policy_schema import (
    DocumentSpec,
    Report,
    ServiceSpec,
    Texts,
    ThinFileSpec,
    TierSpec,
    to_money,
)
from creditcity.domain.restrictions import RestrictionRule, check_restrictions
from creditcity.errors import PolicyError, Problem

__all__ = [
    "SCORE_MAX",
    "SCORE_MIN",
    "Policy",
    "PolicyError",
    "Service",
    "ServiceKind",
    "ThinFile",
    "Tier",
    "default_policy",
    "load_policy",
    "parse_policy",
]

DEFAULT_POLICY_FILE = "default_policy.toml"


class ServiceKind(StrEnum):
    DEPOSIT_WAIVER = "deposit_waiver"
    FEE_WAIVER = "fee_waiver"
    PAY_LATER = "pay_later"


@dataclass(frozen=True, slots=True)
class Tier:
    """A score band; ``rank`` 0 is the lowest band."""

    name: str
    rank: int
    min_score: int
    max_score: int
    exposure_cap: Decimal
    #: what the tier is for, in Chinese and English (the portal shows the reader's)
    description: Texts
    #: the share expected to default within 12 months, as the policy states it
    expected_default_rate: float | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """What one service grants, precomputed per tier rank."""

    id: str
    kind: ServiceKind
    min_tier: str
    max_amount: Decimal
    #: the most granted to each tier, by rank; ``None`` where the tier may not use it
    limits: tuple[Decimal | None, ...]
    #: benefit flags each tier gets, by rank
    benefits: tuple[tuple[str, ...], ...]
    #: what the service is, in Chinese and English
    description: Texts
    #: precomputed from ``kind`` for the decision's hot path
    pay_later: bool = False
    #: waived deposits and pay-later are owed back; a waived fee never is
    counts_toward_exposure: bool = True
    #: the lowest score that may use the service (start of ``min_tier``)
    min_score: int = SCORE_MIN


@dataclass(frozen=True, slots=True)
class ThinFile:
    """What a person with no score may use (nothing, if ``services`` is empty)."""

    services: frozenset[str]
    max_amount: Decimal
    exposure_cap: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A checked policy. Build it with :func:`parse_policy` or :func:`load_policy`."""

    version: str
    source: str
    description: str
    dispute_deadline_days: int
    exposure_cap: Decimal
    tiers: tuple[Tier, ...]
    services: Mapping[str, Service]
    thin_file: ThinFile
    restrictions: tuple[RestrictionRule, ...]
    band_starts: tuple[int, ...]
    #: ids of fee-waiver services, which nobody owes back
    never_owed: frozenset[str]
    #: thresholds a trained model must pass before it goes live
    model_gate: ModelGate = field(default_factory=ModelGate)

    def tier_for(self, score: int) -> Tier:
        """The tier of a score on the 350-950 scale (caller checks the range)."""
        return self.tiers[bisect_right(self.band_starts, score) - 1]

    def summary(self) -> dict[str, Any]:
        """The public, JSON-ready view: what each tier unlocks and what restricts."""
        names = [t.name for t in self.tiers]
        return {
            "version": self.version,
            "source": self.source,
            "description": self.description,
            "dispute_deadline_days": self.dispute_deadline_days,
            "exposure_cap": _number(self.exposure_cap),
            "tiers": [
                {
                    "name": t.name,
                    "min_score": t.min_score,
                    "max_score": t.max_score,
                    "exposure_cap": _number(t.exposure_cap),
                    "description": t.description.model_dump(),
                    "expected_default_rate": t.expected_default_rate,
                }
                for t in self.tiers
            ],
            "model_gate": self.model_gate.to_dict(),
            "services": [_service_summary(s, names) for s in self.services.values()],
            "thin_file": {
                "services": sorted(self.thin_file.services),
                "max_amount": _number(self.thin_file.max_amount),
                "exposure_cap": _number(self.thin_file.exposure_cap),
                "note": self.thin_file.note,
            },
            "restrictions": [
                {
                    "name": r.name,
                    "trigger": r.trigger,
                    "blocks": sorted(r.blocks),
                    "expires_after_days": r.expires_after_days,
                    "appeal_route": r.appeal_route.model_dump(),
                    "description": r.description.model_dump(),
                }
                for r in self.restrictions
            ],
        }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _service_summary(service: Service, tier_names: list[str]) -> dict[str, Any]:
    return {
        "id": service.id,
        "kind": service.kind.value,
        "min_tier": service.min_tier,
        "max_amount": _number(service.max_amount),
        "limits": {
            name: _number(limit)
            for name, limit in zip(tier_names, service.limits, strict=True)
            if limit is not None
        },
        "benefits": {
            flag: name
            for name, flags in reversed(list(zip(tier_names, service.benefits, strict=True)))
            for flag in flags
        },
        "description": service.description.model_dump(),
    }


# --- loading ----------------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


def parse_policy(text: str, source_name: str = "policy.toml") -> Policy:
    """Check and build a policy from TOML text; ``source_name`` is used in error locations.

    Raises :class:`PolicyError` listing every problem found, each with its line.
    """
    report = Report(text, source_name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(error, report) from None
    screen_charter(data, (), report)
    document = report.validated(DocumentSpec, data)
    policy = _build(data, document, report)
    if report.problems or policy is None:
        problems = report.problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise PolicyError(f"policy {source_name} was refused ({count})", problems=problems)
    return policy


def load_policy(path: str | Path) -> Policy:
    """Read and check a policy file; see :func:`parse_policy`."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _unreadable(where, "no such file", "the path of a policy TOML file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _unreadable(where, f"cannot be read ({error})", "a UTF-8 TOML file") from None
    return parse_policy(text, where)


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The policy shipped with creditcity (``domain/default_policy.toml``)."""
    text = files("creditcity.domain").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    return parse_policy(text, DEFAULT_POLICY_FILE)


def _unreadable(where: str, message: str, expected: str) -> PolicyError:
    problem = Problem(message, where=where, expected=expected)
    return PolicyError(f"policy {where} {message}", problems=[problem])


def _syntax_error(error: tomllib.TOMLDecodeError, report: Report) -> PolicyError:
    text = str(error)
    match = _TOML_POSITION.search(text)
    line = report.keys.last_line
    if match and match.group(1):
        line = int(match.group(1))
        text = f"{text[: match.start()]} at column {match.group(2)}"
    elif match:
        text = f"{text[: match.start()]} at the end of the file"
    report.add(
        (), f"not valid TOML: {text}", "TOML syntax: key = value, [table], [[array]]", line=line
    )
    return PolicyError(f"policy {report.source} is not valid TOML", problems=report.problems)


def _section(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    return value if isinstance(value, kind) else kind()


def _tier_specs(data: dict[str, Any], report: Report) -> tuple[list[tuple[int, TierSpec]], bool]:
    """Every tier table that validates, and whether all of them did."""
    raw_tiers = _section(data, "tiers", list)
    tier_specs: list[tuple[int, TierSpec]] = []
    for index, raw in enumerate(raw_tiers):
        if isinstance(raw, dict):
            screen_charter(raw, ("tiers", index), report)
        if (tier := report.validated(TierSpec, raw, ("tiers", index))) is not None:
            tier_specs.append((index, tier))
    # Band and tier-name checks on a partial list would only echo the broken tier.
    return tier_specs, len(tier_specs) == len(raw_tiers)


def _build(data: dict[str, Any], document: DocumentSpec | None, report: Report) -> Policy | None:
    """Validate every table (even after a top-level error) and compile the policy."""
    cap = document.exposure_cap if document else None
    tier_specs, complete = _tier_specs(data, report)
    tiers = check_tiers(tier_specs, cap, report) if complete else []
    if complete:
        check_expected_rates(tier_specs, report)
    gate = model_gate(data.get("model_gate", {}), report)
    names = [t.name for t in tiers]
    services: dict[str, tuple[ServiceSpec, list[float | None]]] = {}
    for service_id, raw in _section(data, "services", dict).items():
        if isinstance(raw, dict):
            screen_charter(raw, ("services", service_id), report)
        spec = report.validated(ServiceSpec, raw, ("services", service_id))
        if spec is not None and complete:
            services[service_id] = (spec, check_service(service_id, spec, names, report))
    thin_raw = _section(data, "thin_file", dict)
    screen_charter(thin_raw, ("thin_file",), report)
    thin = report.validated(ThinFileSpec, thin_raw, ("thin_file",))
    service_ids = list(_section(data, "services", dict))
    if thin is not None:
        check_thin_file(thin, service_ids, cap, report)
        if complete:
            check_never_worse_than_no_score(thin, tier_specs, services, cap, report)
    rules = check_restrictions(_section(data, "restrictions", list), service_ids, report)
    if report.problems or document is None or thin is None or gate is None:
        return None
    return _compile(report.source, document, tiers, services, thin, rules, gate)


def _compile(
    source: str,
    document: DocumentSpec,
    tier_specs: list[TierSpec],
    service_specs: dict[str, tuple[ServiceSpec, list[float | None]]],
    thin: ThinFileSpec,
    rules: list[RestrictionRule],
    gate: ModelGate,
) -> Policy:
    cap = to_money(document.exposure_cap)
    tiers = tuple(
        Tier(
            spec.name,
            rank,
            spec.min_score,
            spec.max_score,
            cap if spec.exposure_cap is None else to_money(spec.exposure_cap),
            spec.description,
            spec.expected_default_rate,
        )
        for rank, spec in enumerate(tier_specs)
    )
    services = {
        service_id: _service(service_id, spec, limits, tiers)
        for service_id, (spec, limits) in service_specs.items()
    }
    return Policy(
        version=document.version,
        source=source,
        description=document.description,
        dispute_deadline_days=document.dispute_deadline_days,
        exposure_cap=cap,
        tiers=tiers,
        services=MappingProxyType(services),
        thin_file=ThinFile(
            frozenset(thin.services),
            to_money(thin.max_amount),
            to_money(thin.exposure_cap),
            thin.note,
        ),
        restrictions=tuple(rules),
        band_starts=tuple(t.min_score for t in tiers),
        never_owed=frozenset(i for i, s in services.items() if not s.counts_toward_exposure),
        model_gate=gate,
    )


def _service(
    service_id: str, spec: ServiceSpec, limits: list[float | None], tiers: tuple[Tier, ...]
) -> Service:
    kind = ServiceKind(spec.kind)
    tier_names = [t.name for t in tiers]
    return Service(
        service_id,
        kind,
        spec.min_tier,
        to_money(spec.max_amount),
        tuple(None if limit is None else to_money(limit) for limit in limits),
        tuple(
            tuple(b for b, start in spec.benefits.items() if tier_names.index(start) <= rank)
            for rank in range(len(tier_names))
        ),
        spec.description,
        pay_later=kind is ServiceKind.PAY_LATER,
        counts_toward_exposure=kind is not ServiceKind.FEE_WAIVER,
        min_score=tiers[tier_names.index(spec.min_tier)].min_score,
    )
