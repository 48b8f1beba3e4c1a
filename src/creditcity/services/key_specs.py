"""What a key is for, checked: the principal, role, scopes and services of a new key.

One set of rules for both ways a key arrives (``creditcity keys create`` and a
TOML keys file), so both report a bad field the same way: which field, and
what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from creditcity.domain.catalogue import SERVICE_IDS, SOURCE_ROLES
from creditcity.domain.principals import DEFAULT_SCOPES, Principal, Role, Scope
from creditcity.domain.subjects import is_pseudonym
from creditcity.errors import Problem

__all__ = ["KeySpec", "check_spec"]

_ID = re.compile(r"^[a-z][a-z_]{0,31}:[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_LABEL = 200

_ID_FORMS = {
    Role.SOURCE: "role:name with a source role of the catalogue, e.g. bank:west-lake",
    Role.PROVIDER: "role:name, e.g. bike_operator:hellobike",
    Role.RESIDENT: "resident:p_ + 32 hex (the resident's pseudonym)",
    Role.OPERATOR: "operator:name, e.g. operator:office",
}


@dataclass(frozen=True, slots=True)
class KeySpec:
    """A checked description of a key, before it is made."""

    principal: str
    role: Role
    scopes: frozenset[Scope]
    services: frozenset[str] = field(default_factory=frozenset)
    label: str = ""
    demo: bool = False
    expires_at: datetime | None = None

    def as_principal(self) -> Principal:
        return Principal(
            self.principal, self.role, self.scopes, self.label, self.demo, self.services
        )


def check_spec(
    *,
    role: str,
    principal: str,
    scopes: Iterable[str] | None,
    services: Iterable[str] = (),
    label: str = "",
    demo: bool = False,
    expires_at: datetime | None = None,
    where: str = "",
    known_services: Iterable[str] | None = None,
) -> KeySpec | list[Problem]:
    """A :class:`KeySpec`, or every problem with the fields (each names the field and the fix)."""
    problems: list[Problem] = []
    checked_role = _role(role, where, problems)
    if checked_role is not None and (why := _bad_id(checked_role, principal)):
        problems.append(Problem(why, where, "principal", _ID_FORMS[checked_role]))
    checked_scopes = _scopes(scopes, checked_role, where, problems)
    checked_services = _services(services, checked_role, where, problems, known_services)
    if len(label) > MAX_LABEL:
        problems.append(Problem("the label is too long", where, "label", f"≤ {MAX_LABEL} chars"))
    if problems or checked_role is None:
        return problems
    return KeySpec(
        principal,
        checked_role,
        checked_scopes,
        checked_services,
        label,
        demo,
        expires_at,
    )


def _role(text: str, where: str, problems: list[Problem]) -> Role | None:
    if text in Role.__members__.values():
        return Role(text)
    problems.append(
        Problem(f"unknown role '{text[:40]}'", where, "role", "one of " + ", ".join(Role))
    )
    return None


def _bad_id(role: Role, principal_id: str) -> str | None:
    """Why ``principal_id`` is not a valid id for ``role``, or None if it is."""
    prefix, _, name = principal_id.partition(":")
    if role is Role.RESIDENT:
        return None if prefix == "resident" and is_pseudonym(name) else "not a resident id"
    if not _ID.match(principal_id):
        return f"'{principal_id[:80]}' is not a principal id"
    if role is Role.OPERATOR and prefix != "operator":
        return "an operator id starts with 'operator:'"
    if role is Role.SOURCE and (prefix not in SOURCE_ROLES or prefix == "creditcity"):
        return f"'{prefix}' is not a role that submits records"
    if role is Role.PROVIDER and prefix in ("resident", "operator", "creditcity"):
        return f"'{prefix}' cannot ask decisions"
    return None


def _scopes(
    raw: Iterable[str] | None, role: Role | None, where: str, problems: list[Problem]
) -> frozenset[Scope]:
    if raw is None:
        return DEFAULT_SCOPES[role] if role is not None else frozenset()
    names = [str(n) for n in raw]
    known = {s.value for s in Scope}
    for name in names:
        if name not in known:
            problems.append(
                Problem(f"unknown scope '{name[:40]}'", where, "scopes", ", ".join(sorted(known)))
            )
    return frozenset(Scope(n) for n in names if n in known)


def _services(
    raw: Iterable[str],
    role: Role | None,
    where: str,
    problems: list[Problem],
    known: Iterable[str] | None,
) -> frozenset[str]:
    names = frozenset(str(n) for n in raw)
    if role is not Role.PROVIDER:
        if names:
            problems.append(
                Problem("only a provider key names services", where, "services", "no services")
            )
        return frozenset()
    offered = sorted(known if known is not None else SERVICE_IDS)
    expected = "one or more of " + ", ".join(offered)
    if not names:
        problems.append(
            Problem("a provider key names the services it runs", where, "services", expected)
        )
    for name in sorted(names):
        if name not in offered:
            problems.append(Problem(f"unknown service '{name[:40]}'", where, "services", expected))
    return names
