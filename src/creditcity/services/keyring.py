"""API keys: who is calling, in which role, allowed to do what.

A keys file (TOML) lists one table per key; the service keeps only the
SHA-256 of each key in memory, and a file may hold the digest instead of the
key itself (``sha256 = "..."``) so the key never sits on the server's disk::

    [[keys]]
    principal = "bank:west-lake"       # role:name; residents are resident:<pseudonym>
    role = "source"                    # source | provider | resident | operator
    key = "a long random string"       # or: sha256 = "<64 hex>"
    scopes = ["records:write"]         # optional; the role's default scopes
    services = ["bike_deposit"]        # providers only, required: the services it runs
    label = "West Lake Bank"           # optional, shown in the portal
    demo = false                       # true: the portal offers a one-tap demo sign-in

A source may only submit records as its own principal id, a provider asks
decisions as itself and only for the services its key names (add the scope
``decisions:score`` to let it see the numeric score in an answer), a resident
sees only their own file, and the operator sees figures and any file (each
read audited with its stated purpose).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from creditcity.domain.catalogue import SERVICE_IDS, SOURCE_ROLES
from creditcity.domain.principals import DEFAULT_SCOPES, Principal, Role, Scope
from creditcity.domain.subjects import is_pseudonym
from creditcity.errors import InputRejected, Problem

_ID = re.compile(r"^[a-z][a-z_]{0,31}:[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FIELDS = {"principal", "role", "key", "sha256", "scopes", "services", "label", "demo"}

__all__ = ["KeyRing", "Principal", "Role", "Scope", "demo_keys_toml", "digest"]

MIN_KEY_LENGTH = 16


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    """Key digests to principals; an empty ring authenticates nobody (public routes only)."""

    def __init__(self, entries: Iterable[tuple[str, Principal]] = ()) -> None:
        self._by_digest: dict[str, Principal] = dict(entries)
        self._by_id = {(p.id, p.role): p for p in self._by_digest.values()}
        joined = "".join(sorted(self._by_digest)).encode()
        #: changes whenever a key changes: portal sessions are signed with it
        self.fingerprint = hashlib.sha256(joined).hexdigest()

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        """Read and check a keys file; every bad entry is reported at once."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise InputRejected(
                "the API keys file cannot be read",
                problems=[Problem(str(error), where=str(path), expected="a TOML keys file")],
            ) from error
        tables = data.get("keys", [])
        if not isinstance(tables, list) or set(data) - {"keys"}:
            raise InputRejected(
                "the API keys file has the wrong shape",
                problems=[Problem("expected only [[keys]] tables", where=str(path), field="keys")],
            )
        entries: list[tuple[str, Principal]] = []
        problems: list[Problem] = []
        for index, table in enumerate(tables, start=1):
            where = f"{path} [[keys]] #{index}"
            found = (
                _entry(table, where) if isinstance(table, dict) else [Problem("not a table", where)]
            )
            if isinstance(found, list):
                problems.extend(found)
            else:
                entries.append(found)
        seen: set[str] = set()
        for index, (key_digest, _) in enumerate(entries, start=1):
            if key_digest in seen:
                problems.append(
                    Problem("the same key appears twice", f"{path} key #{index}", "key")
                )
            seen.add(key_digest)
        if problems:
            raise InputRejected(f"{len(problems)} problems in the API keys file", problems=problems)
        return cls(entries)

    def authenticate(self, key: str) -> Principal | None:
        return self._by_digest.get(digest(key))

    def principal(self, principal_id: str, role: Role) -> Principal | None:
        """The principal with this id in this role (an id may hold keys in two roles)."""
        return self._by_id.get((principal_id, role))

    def demo_principals(self) -> list[Principal]:
        return sorted((p for p in self._by_id.values() if p.demo), key=lambda p: (p.role, p.label))

    def __len__(self) -> int:
        return len(self._by_digest)


def _entry(table: dict[str, Any], where: str) -> tuple[str, Principal] | list[Problem]:
    problems = [
        Problem(f"unknown field '{name}'", where, name, ", ".join(sorted(_FIELDS)))
        for name in table
        if name not in _FIELDS
    ]
    role_text = str(table.get("role", ""))
    role = Role(role_text) if role_text in Role.__members__.values() else None
    if role is None:
        problems.append(Problem(f"unknown role '{role_text}'", where, "role", ", ".join(Role)))
    principal_id = str(table.get("principal", ""))
    if role is not None and (why := _bad_id(role, principal_id)):
        problems.append(Problem(why, where, "principal", _ID_FORMS[role]))
    key_digest = _key_digest(table, where, problems)
    scopes = _scopes(table.get("scopes"), role, where, problems)
    services = _services(table.get("services"), role, where, problems)
    if problems or role is None or key_digest is None:
        return problems
    label = str(table.get("label", ""))
    demo = bool(table.get("demo"))
    return key_digest, Principal(principal_id, role, scopes, label, demo, services)


def _services(
    raw: object, role: Role | None, where: str, problems: list[Problem]
) -> frozenset[str]:
    """The services a provider runs: required for providers, refused for other roles."""
    expected = 'a list of service ids, e.g. services = ["bike_deposit"]: ' + ", ".join(SERVICE_IDS)
    if role is not Role.PROVIDER:
        if raw is not None:
            problems.append(Problem("only provider keys run services", where, "services"))
        return frozenset()
    if not isinstance(raw, list) or not raw:
        problems.append(
            Problem("a provider key names the services it runs", where, "services", expected)
        )
        return frozenset()
    for name in raw:
        if name not in SERVICE_IDS:
            problems.append(Problem(f"unknown service '{name}'", where, "services", expected))
    return frozenset(str(n) for n in raw if n in SERVICE_IDS)


_ID_FORMS = {
    Role.SOURCE: "role:name with a source role of the catalogue, e.g. bank:west-lake",
    Role.PROVIDER: "role:name, e.g. bike_operator:hellobike",
    Role.RESIDENT: "resident:p_ + 32 hex (the resident's pseudonym)",
    Role.OPERATOR: "operator:name, e.g. operator:office",
}


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


def _key_digest(table: dict[str, Any], where: str, problems: list[Problem]) -> str | None:
    key, hashed = table.get("key"), table.get("sha256")
    if (key is None) == (hashed is None):
        problems.append(Problem("give exactly one of key and sha256", where, "key"))
        return None
    if key is not None:
        if not isinstance(key, str) or len(key) < MIN_KEY_LENGTH:
            problems.append(
                Problem(
                    "the key is too short",
                    where,
                    "key",
                    f"at least {MIN_KEY_LENGTH} random characters",
                )
            )
            return None
        return digest(key)
    if not isinstance(hashed, str) or not _HEX64.match(hashed):
        problems.append(Problem("not a SHA-256 digest", where, "sha256", "64 lowercase hex"))
        return None
    return hashed


def _scopes(
    raw: object, role: Role | None, where: str, problems: list[Problem]
) -> frozenset[Scope]:
    if raw is None:
        return DEFAULT_SCOPES[role] if role is not None else frozenset()
    names = raw if isinstance(raw, list) else [raw]
    known = {s.value for s in Scope}
    bad = [str(n) for n in names if str(n) not in known]
    for name in bad:
        problems.append(Problem(f"unknown scope '{name}'", where, "scopes", ", ".join(known)))
    return frozenset(Scope(str(n)) for n in names if str(n) in known)


def demo_keys_toml(residents: Iterable[str]) -> tuple[str, dict[str, str]]:
    """A keys file for the demo: a bank, a bike operator, the office and demo residents.

    Returns the TOML text and ``principal id -> key`` (print it once, keep it safe).
    """
    fixed = [
        ("bank:west-lake", Role.SOURCE, "West Lake Bank"),
        ("bike_operator:hellobike", Role.SOURCE, "Hellobike (records)"),
        ("bike_operator:hellobike", Role.PROVIDER, "Hellobike (decisions)"),
        ("landlord_platform:anju", Role.PROVIDER, "Anju rentals"),
        ("operator:office", Role.OPERATOR, "City credit office"),
    ]
    runs = {
        "bike_operator:hellobike": '["bike_deposit", "power_bank_deposit", "umbrella_deposit"]',
        "landlord_platform:anju": '["rental_deposit", "agency_fee"]',
    }
    people = [
        (f"resident:{s}", Role.RESIDENT, f"Demo resident {i}")
        for i, s in enumerate(residents, start=1)
    ]
    lines = ["# creditcity API keys (demo). Keep this file private.", ""]
    issued: dict[str, str] = {}
    for principal_id, role, label in fixed + people:
        key = secrets.token_urlsafe(24)
        issued[f"{principal_id} ({role})"] = key
        lines += [
            "[[keys]]",
            f'principal = "{principal_id}"',
            f'role = "{role}"',
            f'key = "{key}"',
            f'label = "{label}"',
            f"demo = {'true' if role in (Role.RESIDENT, Role.OPERATOR) else 'false'}",
            *([f"services = {runs[principal_id]}"] if role is Role.PROVIDER else []),
            "",
        ]
    return "\n".join(lines), issued
