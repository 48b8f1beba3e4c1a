"""Keys managed while a real two-worker ``creditcity serve`` runs (SQLite and PostgreSQL).

A key made with ``creditcity keys create`` answers on every worker within 5 s,
and a revoked one is refused by every worker within 5 s, without a restart.
Each probe opens a new connection, so the two workers share the probes.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from tests.conftest import PG_ADMIN_URL, _postgres_or_skip
from tests.support.served import cli, environment, served

PROBES = 8  # new connections per check, spread over the workers by the kernel
LIVE_WITHIN = 5.0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, Path]]:
    """``creditcity serve --workers 2``; yields (base URL, database URL, home)."""
    folder = tmp_path_factory.mktemp("live-keys")
    home = folder / "home"
    if request.param == "sqlite":
        with served(
            ["serve", "--workers", "2", "--database-url", f"sqlite:///{folder / 'city.db'}"],
            _environment(home),
        ) as base:
            yield base, f"sqlite:///{folder / 'city.db'}", home
        return
    admin = _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    try:
        args = ["serve", "--workers", "2", "--database-url", url]
        with served(args, _environment(home)) as base:
            yield base, url, home
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _environment(home: Path) -> dict[str, str]:
    # the probes send a key before it exists and after it is revoked, dozens of times:
    # the failed-key throttle must not turn those answers into 429s
    return {**environment(home), "CREDITCITY_AUTH_FAILURES_MAX": "100000"}


def _status(base: str, key: str) -> int:
    with httpx.Client(timeout=10) as fresh:  # a new connection each time
        answer = fresh.get(
            f"{base}/v1/operator/disputes", headers={"X-API-Key": key, "X-Purpose": "live test"}
        )
    return answer.status_code


def _seconds_until(condition: Callable[[], bool], limit: float = 30.0) -> float:
    """Seconds from now to the start of the first round of probes that all saw the change.

    The probes themselves are slow on a shared box; what is measured is how soon
    after the command every worker answered with the change, not how long the
    probing took.
    """
    start = time.monotonic()
    while time.monotonic() - start < limit:
        round_start = time.monotonic()
        if condition():
            return round_start - start
        time.sleep(0.1)
    return float("inf")


def test_a_key_made_and_revoked_while_two_workers_serve_takes_effect_within_5_seconds(
    server: tuple[str, str, Path],
) -> None:
    base, url, home = server
    made = cli(
        "keys",
        "create",
        "--role",
        "operator",
        "--principal",
        "operator:night-desk",
        "--label",
        "Night desk",
        "--json",
        "--database-url",
        url,
        home=home,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    issued = json.loads(made.stdout)
    assert issued["id"].startswith("k_") and issued["key"].startswith("cc_")

    def accepted() -> bool:
        return all(_status(base, issued["key"]) == 200 for _ in range(PROBES))

    assert _seconds_until(accepted) <= LIVE_WITHIN

    revoked = cli("keys", "revoke", issued["id"], "--database-url", url, home=home)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr

    def refused() -> bool:
        return all(_status(base, issued["key"]) in (401, 403) for _ in range(PROBES))

    assert _seconds_until(refused) <= LIVE_WITHIN
    assert all(_status(base, issued["key"]) in (401, 403) for _ in range(3 * PROBES))


def test_demo_sign_in_does_not_exist_under_serve(server: tuple[str, str, Path]) -> None:
    base, _, _ = server
    with httpx.Client(base_url=base, timeout=10) as browser:
        form = browser.get("/sign-in")
        assert form.status_code == 200 and "data-demo" not in form.text
        assert "data-demo-banner" not in form.text
        attempt = browser.post(
            "/sign-in/demo", data={"principal": "operator:office", "role": "operator"}
        )
        assert attempt.status_code in (404, 405)
        assert "cc_session" not in browser.cookies
