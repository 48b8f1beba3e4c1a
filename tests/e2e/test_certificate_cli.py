"""`creditcity certificate ...` end to end: the city issues, a landlord verifies offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from tests.support.rights import NATIONAL_ID, SECRET, SUBJECT, save_score

from creditcity.domain.policy import default_policy
from creditcity.ledger.db import make_engine, migrate

CLI = Path(sys.executable).with_name("creditcity")


def run(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CREDITCITY_HOME": str(home),
        "CREDITCITY_CITY": "hangzhou",
        "CREDITCITY_DATABASE_URL": f"sqlite:///{home / 'city.db'}",
        "CREDITCITY_PSEUDONYM_SECRET": SECRET,
    }
    return subprocess.run(
        [str(CLI), "certificate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A city home with keys, one published JWKS file and one landlord-only certificate."""
    home = tmp_path_factory.mktemp("city")
    engine = make_engine(f"sqlite:///{home / 'city.db'}")
    migrate(engine)
    save_score(engine, SUBJECT, 820, date(2026, 5, 1))
    engine.dispose()
    published = run("jwks", home=home)
    assert published.returncode == 0, published.stderr
    (home / "jwks.json").write_text(published.stdout)
    issued = run("issue", NATIONAL_ID, "--audience", "landlord:anju", "--json", home=home)
    assert issued.returncode == 0, issued.stderr
    (home / "issued.json").write_text(issued.stdout)
    return home


def test_a_landlord_verifies_a_certificate_offline_and_sees_only_the_tier(city: Path) -> None:
    issued = json.loads((city / "issued.json").read_text())
    tier = default_policy().tier_for(820).name
    assert (issued["tier"], issued["city"], issued["audience"]) == (
        tier,
        "hangzhou",
        "landlord:anju",
    )
    assert (city / "keys" / "keys.json").exists(), "the default key directory is <home>/keys"
    result = run(
        "verify",
        issued["token"],
        "--jwks",
        str(city / "jwks.json"),
        "--audience",
        "landlord:anju",
        home=city,
    )
    assert result.returncode == 0, result.stderr
    assert f"VALID: tier {issued['tier']}, city hangzhou" in result.stdout
    assert f"expires {issued['expires_at']}" in result.stdout
    assert "audience landlord:anju" in result.stdout


def test_another_verifier_is_refused_with_the_reason_and_exit_1(city: Path) -> None:
    token = json.loads((city / "issued.json").read_text())["token"]
    result = run(
        "verify",
        token,
        "--jwks",
        str(city / "jwks.json"),
        "--audience",
        "matchmaking:jiayuan",
        "--json",
        home=city,
    )
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["error"] == "VerificationFailed"
    assert body["problems"][0]["field"] == "aud"
    assert "not for 'matchmaking:jiayuan'" in body["message"]


def test_a_revoked_certificate_fails_against_the_published_revocation_list(city: Path) -> None:
    issued = json.loads((city / "issued.json").read_text())
    revoked = run("revoke", issued["jti"], "--subject", NATIONAL_ID, home=city)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout, revoked.stderr
    listed = run("revocations", home=city)
    assert listed.returncode == 0, listed.stderr
    (city / "revoked.jwt").write_text(listed.stdout)
    result = run(
        "verify",
        issued["token"],
        "--jwks",
        str(city / "jwks.json"),
        "--audience",
        "landlord:anju",
        "--revocations",
        str(city / "revoked.jwt"),
        home=city,
    )
    assert result.returncode == 1
    assert "certificate rejected: revoked by its holder" in result.stderr


def test_rotation_keeps_older_certificates_verifiable(city: Path, tmp_path: Path) -> None:
    token = json.loads((city / "issued.json").read_text())["token"]
    rotated = run("rotate", "--keys", str(city / "keys"), "--json", home=city)
    assert rotated.returncode == 0, rotated.stderr
    kids = json.loads(rotated.stdout)
    jwks = run("jwks", "--keys", str(city / "keys"), home=city)
    published = json.loads(jwks.stdout)
    assert [k["kid"] for k in published["keys"]] == [kids["active"], kids["retired"]]
    (tmp_path / "jwks.json").write_text(jwks.stdout)
    verifier = tmp_path / "jwks.json"
    result = run(
        "verify",
        "-",
        "--jwks",
        str(verifier),
        "--audience",
        "landlord:anju",
        "--json",
        home=city,
        stdin=token,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["kid"] == kids["retired"]
