"""``creditcity keys`` and ``creditcity serve``'s refusals, as an operator types them (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditcity.cli import app
from creditcity.config import DEMO_SECRET, get_settings
from creditcity.ledger.db import make_engine
from creditcity.services.keys import KeyCache

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CREDITCITY_PSEUDONYM_SECRET", "keys-cli-secret")
    get_settings.cache_clear()
    return f"sqlite:///{tmp_path / 'city.db'}"


def keys(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["keys", *args, "--database-url", db])
    return result.exit_code, result.output


def test_a_key_is_printed_once_as_json_and_works_until_revoked(db: str) -> None:
    made = ["--role", "provider", "--principal", "bike_operator:hellobike", "--json"]
    made += ["--service", "bike_deposit", "--label", "Hellobike", "--expires", "2099-01-01"]
    code, out = keys(db, "create", *made)
    assert code == 0, out
    issued = json.loads(out)
    assert set(issued) >= {"id", "key"}
    cache = KeyCache(make_engine(db))
    found = cache.authenticate(issued["key"])
    assert found is not None and found.services == {"bike_deposit"}
    code, listed = keys(db, "list", "--json")
    assert code == 0 and issued["key"] not in listed
    (row,) = json.loads(listed)
    assert row["id"] == issued["id"] and row["state"] == "live"
    assert keys(db, "revoke", issued["id"])[0] == 0
    assert KeyCache(make_engine(db)).authenticate(issued["key"]) is None


def test_a_resident_key_may_name_the_national_id_and_stores_the_pseudonym(db: str) -> None:
    code, out = keys(
        db, "create", "--role", "resident", "--principal", "resident:330106199001011234", "--json"
    )
    assert code == 0, out
    assert json.loads(out)["principal"].startswith("resident:p_")
    assert "330106199001011234" not in keys(db, "list", "--json")[1]


def test_rotating_prints_a_new_key_and_ends_the_old(db: str) -> None:
    _, out = keys(db, "create", "--role", "operator", "--principal", "operator:office", "--json")
    old = json.loads(out)
    code, out = keys(db, "rotate", old["id"], "--json")
    assert code == 0, out
    new = json.loads(out)
    cache = KeyCache(make_engine(db))
    assert cache.authenticate(old["key"]) is None and cache.authenticate(new["key"]) is not None


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--role", "banker", "--principal", "bank:west-lake"], "role"),
        (["--role", "source", "--principal", "bank"], "principal"),
        (["--role", "provider", "--principal", "bike_operator:x", "--service", "moon"], "services"),
        (["--role", "source", "--principal", "bank:x", "--scope", "all"], "scopes"),
        (["--role", "source", "--principal", "bank:x", "--expires", "soon"], "--expires"),
        (["--role", "source", "--principal", "bank:x", "--expires", "2001-01-01"], "--expires"),
    ],
)
def test_a_bad_option_is_refused_naming_the_field_and_the_fix(
    db: str, args: list[str], named: str
) -> None:
    code, out = keys(db, "create", *args)
    assert code == 1
    assert f"field '{named}'" in out and "expected" in out


def test_revoking_an_unknown_id_says_where_to_find_ids(db: str) -> None:
    code, out = keys(db, "revoke", "k_0000")
    assert code == 1 and "creditcity keys list" in out


def test_a_keys_file_is_imported_once(db: str, tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        '[[keys]]\nprincipal = "bank:west-lake"\nrole = "source"\nkey = "a-long-key-0123456789"\n',
        encoding="utf-8",
    )
    assert "1 keys added, 0 already present" in keys(db, "import", str(path))[1]
    assert "0 keys added, 1 already present" in keys(db, "import", str(path))[1]


def test_serve_refuses_the_old_demo_secret_and_says_what_to_do(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITCITY_PSEUDONYM_SECRET", DEMO_SECRET)
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--database-url", db, "--port", "1"])
    assert result.exit_code == 1
    assert "CREDITCITY_PSEUDONYM_SECRET" in result.output and "unset it" in result.output
