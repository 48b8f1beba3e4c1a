"""The revocation register and the signed revocation list a verifier holds offline."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from creditcity.errors import InputRejected, VerificationFailed
from creditcity.rights.certificates import issue_certificate
from creditcity.rights.keystore import KeyStore
from creditcity.rights.revocation import (
    RevocationRegister,
    read_revocation_list,
    sign_revocation_list,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def test_revoking_records_the_id_once_in_a_private_file(tmp_path: Path) -> None:
    register = RevocationRegister(tmp_path)
    assert register.revoke("abcdefgh1234", now=T0) is True
    assert register.revoke("abcdefgh1234", now=T0) is False
    assert register.jtis() == {"abcdefgh1234"}
    assert stat.S_IMODE(register.path.stat().st_mode) == 0o600
    stored = json.loads(register.path.read_text())
    assert stored == {"revoked": [{"jti": "abcdefgh1234", "revoked_at": T0.isoformat()}]}


def test_revoking_something_that_is_not_a_certificate_id_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match="not a certificate id"):
        RevocationRegister(tmp_path).revoke("../../etc")


def test_a_damaged_register_is_reported_with_its_path(tmp_path: Path) -> None:
    register = RevocationRegister(tmp_path)
    register.path.write_text('{"revoked": 3}')
    with pytest.raises(InputRejected, match="register is damaged") as caught:
        register.jtis()
    assert caught.value.problems[0].where == str(register.path)


def test_a_signed_list_round_trips_with_its_date(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    signed = sign_revocation_list(store, ["b" * 22, "a" * 22, "a" * 22], city="hangzhou", now=T0)
    listed = read_revocation_list(signed, store.jwks(now=T0), now=T0)
    assert listed.jtis == {"a" * 22, "b" * 22}
    assert listed.issued_at == T0 and listed.city == "hangzhou"


def test_a_tampered_or_foreign_list_is_refused(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path / "city", now=T0)
    signed = sign_revocation_list(store, ["a" * 22], city="hangzhou", now=T0)
    head, _, signature = signed.split(".")
    emptied = sign_revocation_list(store, [], city="hangzhou", now=T0).split(".")[1]
    with pytest.raises(VerificationFailed) as caught:
        read_revocation_list(f"{head}.{emptied}.{signature}", store.jwks(now=T0), now=T0)
    assert caught.value.problems[0].field == "signature"
    stranger = KeyStore.open(tmp_path / "stranger", now=T0)
    foreign = sign_revocation_list(stranger, [], city="hangzhou", now=T0)
    with pytest.raises(VerificationFailed, match="unknown key"):
        read_revocation_list(foreign, store.jwks(now=T0), now=T0)


def test_a_certificate_is_not_accepted_as_a_revocation_list(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    certificate = issue_certificate(store, tier="A", city="hangzhou", now=T0)
    with pytest.raises(VerificationFailed) as caught:
        read_revocation_list(certificate, store.jwks(now=T0), now=T0)
    assert caught.value.problems[0].field == "typ"


def test_a_list_dated_in_the_future_is_refused(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    signed = sign_revocation_list(store, [], city="hangzhou", now=T0 + timedelta(hours=1))
    with pytest.raises(VerificationFailed, match="in the future"):
        read_revocation_list(signed, store.jwks(now=T0), now=T0)
