"""The key store: private keys stay private, rotation keeps old public keys for a while."""

from __future__ import annotations

import base64
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from creditcity.errors import InputRejected, NotFound
from creditcity.rights.keystore import MAX_CERTIFICATE_TTL, KeyStore, thumbprint

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_kid_is_the_rfc_8037_thumbprint_of_the_public_key() -> None:
    # RFC 8037, appendix A.3: the thumbprint of the example Ed25519 key.
    x = base64.urlsafe_b64decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
    assert thumbprint(Ed25519PublicKey.from_public_bytes(x)) == (
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    )


def test_opening_an_empty_directory_makes_one_private_active_key(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    store = KeyStore.open(directory, now=T0)
    kid = store.active_kid
    assert _mode(directory) == 0o700
    for name in (f"{kid}.pem", f"{kid}.pub.pem", "keys.json"):
        assert _mode(directory / name) == 0o600, name
    assert (directory / f"{kid}.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert KeyStore.open(directory).active_kid == kid
    assert store.signing_key()[0] == kid


def test_the_jwks_publishes_public_ed25519_keys_only(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    (key,) = store.jwks(now=T0)["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    assert key["kid"] == store.active_kid
    assert len(base64.urlsafe_b64decode(key["x"] + "=")) == 32


def test_rotation_makes_a_new_active_key_and_keeps_the_old_public_key(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    old = store.active_kid
    new = store.rotate(now=T0 + timedelta(days=10))
    assert new != old and store.active_kid == new
    assert not (tmp_path / f"{old}.pem").exists(), "a retired private key must be deleted"
    assert [k["kid"] for k in store.jwks(now=T0 + timedelta(days=11))["keys"]] == [new, old]
    manifest = json.loads((tmp_path / "keys.json").read_text())
    assert manifest["keys"][1]["retired_at"] == (T0 + timedelta(days=10)).isoformat()


def test_a_retired_key_leaves_the_jwks_once_no_certificate_it_signed_can_be_valid(
    tmp_path: Path,
) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    old = store.active_kid
    store.rotate(now=T0)
    just_before = T0 + MAX_CERTIFICATE_TTL - timedelta(seconds=1)
    assert old in [k["kid"] for k in store.jwks(now=just_before)["keys"]]
    assert old not in [k["kid"] for k in store.jwks(now=T0 + MAX_CERTIFICATE_TTL)["keys"]]


def test_a_private_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    (tmp_path / f"{store.active_kid}.pem").chmod(0o644)
    with pytest.raises(InputRejected, match="readable by other users") as caught:
        store.signing_key()
    assert "chmod 600" in caught.value.problems[0].expected


def test_a_missing_or_damaged_store_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="certificate rotate"):
        _ = KeyStore(tmp_path / "nowhere").active_kid
    store = KeyStore.open(tmp_path, now=T0)
    (tmp_path / "keys.json").write_text("{not json")
    with pytest.raises(InputRejected, match="manifest is damaged"):
        store.signing_key()


def test_a_naive_time_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match="time zone"):
        KeyStore.open(tmp_path, now=datetime(2024, 3, 1))


def test_a_damaged_or_missing_key_file_is_named(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    (tmp_path / f"{store.active_kid}.pem").write_text("not a key")
    with pytest.raises(InputRejected, match="key file is unreadable"):
        store.signing_key()
    (tmp_path / f"{store.active_kid}.pub.pem").unlink()
    with pytest.raises(NotFound, match="is missing"):
        store.jwks(now=T0)
