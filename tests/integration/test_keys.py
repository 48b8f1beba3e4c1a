"""API keys in the database: made, cached, revoked, rotated, imported (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.support.api import KEYS, KEYS_TOML, RESIDENT

from creditcity.domain.principals import Role, Scope
from creditcity.errors import Conflict, InputRejected, NotFound
from creditcity.ledger.tables import api_keys
from creditcity.services.key_specs import KeySpec, check_spec
from creditcity.services.keys import (
    KeyCache,
    create_key,
    import_keys,
    list_keys,
    revoke_key,
    rotate_key,
)
from creditcity.services.sessions import end_session, session_principal, start_session

NOW = datetime(2026, 12, 1, 12, 0)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def provider(**changes: object) -> KeySpec:
    spec = check_spec(
        role="provider",
        principal="bike_operator:hellobike",
        scopes=None,
        services=["bike_deposit"],
        label="Hellobike",
        **changes,  # type: ignore[arg-type]
    )
    assert isinstance(spec, KeySpec), spec
    return spec


def test_a_made_key_is_stored_only_as_its_digest_and_authenticates(engine: Engine) -> None:
    issued = create_key(engine, provider())
    with engine.connect() as conn:
        stored = conn.execute(select(api_keys)).mappings().one()
    assert issued.key not in {str(v) for v in stored.values()}
    principal = KeyCache(engine).authenticate(issued.key)
    assert principal is not None and principal.id == "bike_operator:hellobike"
    assert principal.role is Role.PROVIDER and principal.scopes == {Scope.DECISIONS}
    assert principal.services == {"bike_deposit"}


def test_a_cache_sees_a_new_and_a_revoked_key_at_its_next_check(engine: Engine) -> None:
    clock = Clock()
    cache = KeyCache(engine, clock=clock)
    issued = create_key(engine, provider())
    assert cache.authenticate(issued.key) is None  # checked less than a second ago
    clock.t += 1.0
    assert cache.authenticate(issued.key) is not None
    revoke_key(engine, issued.id)
    clock.t += 1.0
    assert cache.authenticate(issued.key) is None


def test_a_cache_that_cannot_reach_the_database_soon_trusts_no_key(engine: Engine) -> None:
    clock = Clock()
    issued = create_key(engine, provider())
    cache = KeyCache(engine, clock=clock)
    assert cache.authenticate(issued.key) is not None
    engine.dispose()
    cache._engine = _broken_engine()
    clock.t += 2.0
    assert cache.authenticate(issued.key) is not None  # within the grace, from memory
    clock.t += 5.0
    assert cache.authenticate(issued.key) is None


def test_after_a_quiet_spell_a_valid_key_waits_for_the_refresh_instead_of_being_refused(
    engine: Engine,
) -> None:
    """Several requests arrive after the server was idle: one refreshes, the rest wait."""
    clock = Clock()
    issued = create_key(engine, provider())
    cache = KeyCache(engine, clock=clock)
    clock.t += 60.0  # quiet for a minute: the cache is past its staleness limit
    cache._lock.acquire()  # another request's refresh is under way
    releaser = threading.Timer(0.2, cache._lock.release)
    releaser.start()
    try:
        assert cache.authenticate(issued.key) is not None
    finally:
        releaser.join()


def test_a_server_cache_refreshes_on_its_own_thread(engine: Engine) -> None:
    cache = KeyCache(engine, check_seconds=0.05)
    stop = cache.keep_fresh()
    try:
        issued = create_key(engine, provider())
        deadline = time.monotonic() + 5
        while cache.authenticate(issued.key) is None:
            assert time.monotonic() < deadline, "the refresher never saw the new key"
            time.sleep(0.02)
        revoke_key(engine, issued.id)
        while cache.authenticate(issued.key) is not None:
            assert time.monotonic() < deadline, "the refresher never saw the revocation"
            time.sleep(0.02)
    finally:
        stop()
    again = create_key(engine, provider())  # stopped: requests refresh the cache again
    deadline = time.monotonic() + 5
    while cache.authenticate(again.key) is None:
        assert time.monotonic() < deadline, "after the refresher stopped, nobody refreshed"
        time.sleep(0.02)


def _broken_engine() -> Engine:
    from sqlalchemy import create_engine

    return create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_an_expired_key_no_longer_authenticates(engine: Engine) -> None:
    now = [NOW]
    issued = create_key(engine, provider(expires_at=NOW + timedelta(days=1)), now=NOW)
    cache = KeyCache(engine, now=lambda: now[0])
    assert cache.authenticate(issued.key) is not None
    now[0] = NOW + timedelta(days=1, seconds=1)
    assert cache.authenticate(issued.key) is None
    assert list_keys(engine, now=now[0])[0]["state"] == "expired"


def test_rotating_a_key_ends_the_old_one_and_keeps_its_rights(engine: Engine) -> None:
    old = create_key(engine, provider())
    new = rotate_key(engine, old.id)
    cache = KeyCache(engine)
    assert cache.authenticate(old.key) is None
    principal = cache.authenticate(new.key)
    assert principal is not None and principal.services == {"bike_deposit"}
    listed = {k["id"]: k for k in list_keys(engine)}
    assert listed[old.id]["state"] == "revoked" and listed[old.id]["replaced_by"] == new.id
    assert listed[new.id]["state"] == "live"


def test_revoking_an_unknown_or_revoked_key_says_which_id_is_wrong(engine: Engine) -> None:
    with pytest.raises(NotFound, match="k_nope"):
        revoke_key(engine, "k_nope")
    issued = create_key(engine, provider())
    revoke_key(engine, issued.id)
    with pytest.raises(Conflict, match="already revoked"):
        revoke_key(engine, issued.id)


def test_importing_a_keys_file_twice_adds_each_key_once_and_a_revoked_key_stays_revoked(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(KEYS_TOML, encoding="utf-8")
    first = import_keys(engine, path)
    assert first.added == len(KEYS) and first.already_present == 0
    cache = KeyCache(engine)
    resident = cache.lookup(KEYS["resident"])
    assert resident is not None and resident.principal.subject == RESIDENT
    revoke_key(engine, resident.key_id)
    again = import_keys(engine, path)
    assert again.added == 0 and again.already_present == len(KEYS)
    assert KeyCache(engine).authenticate(KEYS["resident"]) is None


def test_a_session_ends_when_signed_out_or_when_its_key_is_revoked(engine: Engine) -> None:
    first, second = create_key(engine, provider()), create_key(engine, provider())
    cache = KeyCache(engine)
    sessions = {}
    for issued in (first, second):
        found = cache.lookup(issued.key)
        assert found is not None
        sessions[issued.id] = start_session(engine, found.principal, key_id=found.key_id, hours=8)
    assert session_principal(engine, sessions[first.id]) is not None
    end_session(engine, sessions[first.id])
    assert session_principal(engine, sessions[first.id]) is None
    assert session_principal(engine, sessions[second.id]) is not None
    revoke_key(engine, second.id)
    assert session_principal(engine, sessions[second.id]) is None


def test_a_session_expires_after_its_hours(engine: Engine) -> None:
    issued = create_key(engine, provider(), now=NOW)
    found = KeyCache(engine).lookup(issued.key)
    assert found is not None
    token = start_session(engine, found.principal, key_id=found.key_id, hours=8, now=NOW)
    assert session_principal(engine, token, now=NOW + timedelta(hours=7)) is not None
    assert session_principal(engine, token, now=NOW + timedelta(hours=8, seconds=1)) is None


def test_a_key_that_would_be_expired_at_once_is_refused_naming_the_option(
    engine: Engine,
) -> None:
    with pytest.raises(InputRejected) as caught:
        create_key(engine, provider(expires_at=NOW - timedelta(days=1)), now=NOW)
    assert caught.value.problems[0].field == "--expires"
