"""The TOML keys file, now an import path into the database (``creditcity keys import``).

One table per key; a file may hold the digest instead of the key itself
(``sha256 = "..."``) so the key never sits on the server's disk::

    [[keys]]
    principal = "bank:west-lake"       # role:name; residents are resident:<pseudonym>
    role = "source"                    # source | provider | resident | operator
    key = "a long random string"       # or: sha256 = "<64 hex>"
    scopes = ["records:write"]         # optional; the role's default scopes
    services = ["bike_deposit"]        # providers only, required: the services it runs
    label = "West Lake Bank"           # optional, shown in the portal
    demo = false                       # true: offered for one-tap sign-in by `creditcity demo`
    expires = 2027-12-31               # optional
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tomllib
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from creditcity.errors import InputRejected, Problem
from creditcity.services.key_specs import KeySpec, check_spec

__all__ = ["MIN_KEY_LENGTH", "demo_keys_toml", "digest", "read_keys_file"]

MIN_KEY_LENGTH = 16
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FIELDS = {"principal", "role", "key", "sha256", "scopes", "services", "label", "demo", "expires"}


def digest(key: str) -> str:
    """What is stored of a key: its SHA-256 (keys are long random strings, so no salt is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_keys_file(path: Path) -> list[tuple[str, KeySpec]]:
    """``(digest, spec)`` per key in the file; every bad entry is reported at once."""
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
    entries: list[tuple[str, KeySpec]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        where = f"{path} [[keys]] #{index}"
        found = _entry(table, where) if isinstance(table, dict) else [Problem("not a table", where)]
        if isinstance(found, list):
            problems.extend(found)
            continue
        if found[0] in seen:
            problems.append(Problem("the same key appears twice", where, "key"))
        seen.add(found[0])
        entries.append(found)
    if problems:
        raise InputRejected(f"{len(problems)} problems in the API keys file", problems=problems)
    return entries


def _entry(table: dict[str, Any], where: str) -> tuple[str, KeySpec] | list[Problem]:
    problems = [
        Problem(f"unknown field '{name}'", where, name, ", ".join(sorted(_FIELDS)))
        for name in table
        if name not in _FIELDS
    ]
    key_digest = _key_digest(table, where, problems)
    scopes, services = table.get("scopes"), table.get("services", [])
    spec = check_spec(
        role=str(table.get("role", "")),
        principal=str(table.get("principal", "")),
        scopes=None if scopes is None else [str(s) for s in _listed(scopes)],
        services=[str(s) for s in _listed(services)],
        label=str(table.get("label", "")),
        demo=bool(table.get("demo")),
        expires_at=_expires(table.get("expires"), where, problems),
        where=where,
    )
    if isinstance(spec, list):
        return problems + spec
    if problems or key_digest is None:
        return problems
    return key_digest, spec


def _listed(raw: object) -> list[object]:
    return list(raw) if isinstance(raw, list) else [raw]


def _expires(raw: object, where: str, problems: list[Problem]) -> datetime | None:
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None)
    if isinstance(raw, date):
        return datetime.combine(raw, time.min)
    problems.append(Problem("not a date", where, "expires", "a TOML date, e.g. 2027-12-31"))
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


def demo_keys_toml(residents: Iterable[str]) -> tuple[str, dict[str, str]]:
    """A keys file for the demo: a bank, a bike operator, the office and demo residents.

    Returns the TOML text and ``principal id -> key`` (print it once, keep it safe).
    The residents and the office are marked ``demo`` for one-tap sign-in, which
    only ``creditcity demo`` offers.
    """
    fixed = [
        ("bank:west-lake", "source", "West Lake Bank", ""),
        ("bike_operator:hellobike", "source", "Hellobike (records)", ""),
        (
            "bike_operator:hellobike",
            "provider",
            "Hellobike (decisions)",
            '"bike_deposit", "power_bank_deposit", "umbrella_deposit"',
        ),
        ("landlord_platform:anju", "provider", "Anju rentals", '"rental_deposit", "agency_fee"'),
        ("operator:office", "operator", "City credit office", ""),
    ]
    people = [
        (f"resident:{s}", "resident", f"Demo resident {i}", "")
        for i, s in enumerate(residents, start=1)
    ]
    lines = ["# creditcity API keys (demo). Keep this file private.", ""]
    issued: dict[str, str] = {}
    for principal_id, role, label, services in fixed + people:
        key = "cc_" + secrets.token_urlsafe(32)
        issued[f"{principal_id} ({role})"] = key
        lines += [
            "[[keys]]",
            f'principal = "{principal_id}"',
            f'role = "{role}"',
            f'key = "{key}"',
            f'label = "{label}"',
            *([f"services = [{services}]"] if services else []),
            f"demo = {'true' if role in ('resident', 'operator') else 'false'}",
            "",
        ]
    return "\n".join(lines), issued
