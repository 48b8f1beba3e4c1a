"""API keys in the database: made, listed, revoked and rotated live, and a cache to check them.

A key is shown once, when made; only its SHA-256 is stored. Every change
bumps a version counter in the same transaction, and each server process
keeps a :class:`KeyCache` that reads that counter at most once a second and
reloads the keys when it moved, so a key made or revoked with
``creditcity keys`` takes effect on every worker within about a second,
without a restart. A cache that cannot reach the database for longer than
:data:`MAX_STALE_SECONDS` authenticates nobody rather than trust a key that
may have been revoked meanwhile.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from creditcity.domain.principals import Principal, Role, Scope
from creditcity.errors import Conflict, InputRejected, NotFound, Problem
from creditcity.ledger import keys as repo
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.key_file import digest, read_keys_file
from creditcity.services.key_specs import KeySpec

__all__ = [
    "MAX_STALE_SECONDS",
    "CachedKey",
    "ImportReport",
    "IssuedKey",
    "KeyCache",
    "create_key",
    "import_keys",
    "list_keys",
    "revoke_key",
    "rotate_key",
]

log = logging.getLogger(__name__)

#: how often a cache reads the version counter
CHECK_SECONDS = 1.0
#: past this without a successful check, a cache authenticates nobody
MAX_STALE_SECONDS = 4.0


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just made: ``key`` is shown this once and never stored."""

    id: str
    key: str
    principal: str
    role: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    already_present: int


def _new_key() -> tuple[str, str]:
    return "k_" + secrets.token_hex(8), "cc_" + secrets.token_urlsafe(32)


def _row(key_id: str, key_digest: str, spec: KeySpec, now: datetime) -> dict[str, Any]:
    return {
        "key_id": key_id,
        "digest": key_digest,
        "principal": spec.principal,
        "role": str(spec.role),
        "scopes": sorted(str(s) for s in spec.scopes),
        "services": sorted(spec.services),
        "label": spec.label,
        "demo": spec.demo,
        "created_at": now,
        "expires_at": spec.expires_at,
    }


def create_key(engine: Engine, spec: KeySpec, *, now: datetime | None = None) -> IssuedKey:
    """Make a key for ``spec``; the returned key is the only copy there will ever be."""
    now = now or utcnow()
    if spec.expires_at is not None and spec.expires_at <= now:
        raise InputRejected(
            "the key would be expired at once",
            problems=[
                Problem(
                    f"{spec.expires_at:%Y-%m-%d}",
                    field="--expires",
                    expected="a date in the future",
                )
            ],
        )
    key_id, key = _new_key()
    with UnitOfWork(engine) as uow:
        repo.insert_key(uow.conn, _row(key_id, digest(key), spec, now))
        uow.commit()
    return IssuedKey(key_id, key, spec.principal, str(spec.role))


def list_keys(engine: Engine, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every key (revoked ones too, so who held what stays on record), oldest first."""
    now = now or utcnow()
    with UnitOfWork(engine) as uow:
        rows = repo.list_keys(uow.conn)
    return [{**_public(r), "state": _state(r, now)} for r in rows]


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["key_id"],
        "principal": row["principal"],
        "role": row["role"],
        "scopes": list(row["scopes"]),
        "services": list(row["services"]),
        "label": row["label"],
        "demo": bool(row["demo"]),
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "revoked_at": row["revoked_at"],
        "replaced_by": row["replaced_by"],
    }


def _state(row: Mapping[str, Any], now: datetime) -> str:
    if row["revoked_at"] is not None:
        return "revoked"
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return "expired"
    return "live"


def revoke_key(engine: Engine, key_id: str, *, now: datetime | None = None) -> None:
    """End a key and its portal sessions; every server refuses it within a second or two."""
    with UnitOfWork(engine) as uow:
        _live_row(uow, key_id)
        repo.revoke_key(uow.conn, key_id, now or utcnow())
        uow.commit()


def rotate_key(engine: Engine, key_id: str, *, now: datetime | None = None) -> IssuedKey:
    """A new key for the same principal, role, scopes and services; the old one ends at once."""
    now = now or utcnow()
    new_id, key = _new_key()
    with UnitOfWork(engine) as uow:
        row = _live_row(uow, key_id)
        fresh = {**row, "key_id": new_id, "digest": digest(key), "created_at": now}
        fresh.update(revoked_at=None, replaced_by=None)
        repo.insert_key(uow.conn, fresh)
        repo.revoke_key(uow.conn, key_id, now, replaced_by=new_id)
        uow.commit()
    return IssuedKey(new_id, key, str(row["principal"]), str(row["role"]))


def _live_row(uow: UnitOfWork, key_id: str) -> Mapping[str, Any]:
    row = repo.key_by_id(uow.conn, key_id)
    if row is None:
        raise NotFound(
            f"no key with id '{key_id}'",
            problems=[
                Problem("unknown id", field="ID", expected="an id from `creditcity keys list`")
            ],
        )
    if row["revoked_at"] is not None:
        raise Conflict(
            f"key '{key_id}' was already revoked at {row['revoked_at']:%Y-%m-%d %H:%M}",
            problems=[Problem("revoked", field="ID", expected="a live key's id")],
        )
    return row


def import_keys(engine: Engine, path: Path, *, now: datetime | None = None) -> ImportReport:
    """Add the keys of a TOML keys file; keys already stored (same digest) stay as they are.

    A key revoked in the database stays revoked when its file is imported again.
    """
    now = now or utcnow()
    entries = read_keys_file(path)
    added = 0
    with UnitOfWork(engine) as uow:
        for key_digest, spec in entries:
            if repo.key_by_digest(uow.conn, key_digest) is None:
                repo.insert_key(uow.conn, _row(_new_key()[0], key_digest, spec, now))
                added += 1
        uow.commit()
    return ImportReport(added, len(entries) - added)


@dataclass(frozen=True, slots=True)
class CachedKey:
    key_id: str
    principal: Principal
    expires_at: datetime | None


def principal_of(row: Mapping[str, Any]) -> Principal:
    """The principal a key row (or a session joined to its key) stands for."""
    return Principal(
        str(row["principal"]),
        Role(row["role"]),
        frozenset(Scope(s) for s in row["scopes"]),
        str(row["label"]),
        bool(row.get("demo", False)),
        frozenset(row["services"]),
    )


class KeyCache:
    """The live keys of one process, reloaded when the database's key version moves."""

    def __init__(
        self,
        engine: Engine,
        *,
        check_seconds: float = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine, self._check, self._clock, self._now = engine, check_seconds, clock, now
        self._lock = threading.Lock()
        self._by_digest: dict[str, CachedKey] = {}
        self._version = -1
        self._checked_at = self._fresh_at = float("-inf")
        self._refresher: threading.Thread | None = None
        self._refresh()

    def lookup(self, key: str) -> CachedKey | None:
        """The live key behind ``key``; None if unknown, revoked, expired or the cache is stale."""
        if not self._current():
            return None
        found = self._by_digest.get(digest(key))
        if found is None or (found.expires_at is not None and found.expires_at <= self._now()):
            return None
        return found

    def authenticate(self, key: str) -> Principal | None:
        found = self.lookup(key)
        return found.principal if found is not None else None

    def demo_keys(self) -> list[CachedKey]:
        """Keys marked for one-tap demo sign-in (offered only by ``creditcity demo``)."""
        if not self._current():
            return []
        found = [k for k in self._by_digest.values() if k.principal.demo]
        return sorted(found, key=lambda k: (k.principal.role, k.principal.label, k.key_id))

    def demo_key(self, key_id: str) -> CachedKey | None:
        return next((k for k in self.demo_keys() if k.key_id == key_id), None)

    def __len__(self) -> int:
        return len(self._by_digest)

    def keep_fresh(self) -> Callable[[], None]:
        """Re-read the version counter every ``check_seconds`` on a thread of its own.

        A server's requests then only read memory: no request waits on the
        database to authenticate, and none finds the cache stale after a quiet
        spell. Returns the function that stops the thread.
        """
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(self._check):
                try:
                    self._refresh()
                except Exception:  # never die quietly: requests would then refresh lazily
                    log.exception("the key cache refresher failed; requests refresh it")
                    return

        refresher = threading.Thread(target=run, name="creditcity-keys", daemon=True)
        self._refresher = refresher
        refresher.start()

        def stop_refreshing() -> None:
            stop.set()
            if self._refresher is refresher:
                self._refresher = None  # back to refreshing on requests

        return stop_refreshing

    def _current(self) -> bool:
        """Read the version counter if a second has passed; False if the cache is too stale.

        Without a refresher thread, the request that finds the second passed
        reads it; a request that finds the cache past its staleness limit waits
        for that read (another thread's, if one is under way) rather than refuse
        a valid key because the server was quiet for a while.
        """
        refresher = self._refresher
        on_requests = refresher is None or not refresher.is_alive()
        if on_requests and self._clock() - self._checked_at >= self._check:
            self._refresh(blocking=self._clock() - self._fresh_at > MAX_STALE_SECONDS)
        return self._clock() - self._fresh_at <= MAX_STALE_SECONDS

    def _refresh(self, *, blocking: bool = True) -> None:
        if not self._lock.acquire(blocking=blocking):
            return  # another thread is reading; this request uses what is there
        try:
            self._checked_at = self._clock()
            with self._engine.connect() as conn:
                version = repo.keys_version(conn)
                if version != self._version:
                    rows = repo.live_keys(conn, self._now())
                    self._by_digest = {str(r["digest"]): _cached(r) for r in rows}
                    self._version = version
            self._fresh_at = self._checked_at
        except SQLAlchemyError as error:
            log.warning(
                "keys not refreshed (%s); refusing all keys after %ss", error, MAX_STALE_SECONDS
            )
        finally:
            self._lock.release()


def _cached(row: Mapping[str, Any]) -> CachedKey:
    return CachedKey(str(row["key_id"]), principal_of(row), row["expires_at"])
