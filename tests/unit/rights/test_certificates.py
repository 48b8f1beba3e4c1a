"""Credit certificates: they state the tier only, and every forgery or misuse is named."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcity.errors import InputRejected, VerificationFailed
from creditcity.rights.certificates import (
    CERTIFICATE_TYPE,
    CLAIMS,
    issue_certificate,
    verify,
)
from creditcity.rights.holder import HolderProof, bind_holder
from creditcity.rights.keystore import MAX_CERTIFICATE_TTL, KeyStore
from creditcity.rights.revocation import RevocationRegister, sign_revocation_list
from creditcity.rights.signing import sign

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    return KeyStore.open(tmp_path_factory.mktemp("keys"), now=T0)


@pytest.fixture(scope="module")
def token(store: KeyStore) -> str:
    return issue_certificate(store, tier="A", city="hangzhou", now=T0)


def _jwks(store: KeyStore) -> dict[str, Any]:
    return store.jwks(now=LATER)


def _segment(part: dict[str, Any]) -> str:
    raw = json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _rejection(token: str, jwks: dict[str, Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(VerificationFailed) as caught:
        verify(token, jwks, now=kwargs.pop("now", LATER), **kwargs)
    return caught.value.problems[0].field, caught.value.message


def test_a_certificate_verifies_and_states_tier_city_and_expiry(
    store: KeyStore, token: str
) -> None:
    claims = verify(token, _jwks(store), now=LATER)
    assert (claims.tier, claims.city, claims.issuer) == ("A", "hangzhou", "creditcity:hangzhou")
    assert claims.issued_at == T0 and claims.expires_at == T0 + timedelta(days=30)
    assert claims.audience is None and claims.kid == store.active_kid
    assert not claims.holder_bound and not claims.holder_checked


def test_a_certificate_carries_nothing_about_the_person_but_the_tier(token: str) -> None:
    claims = _claims_of(token)
    assert set(claims) == {"iss", "city", "tier", "iat", "exp", "jti"}
    assert set(claims) <= CLAIMS and not {"sub", "score", "records"} & set(claims)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == CERTIFICATE_TYPE


def test_each_certificate_has_its_own_id(store: KeyStore) -> None:
    ids = {_claims_of(issue_certificate(store, tier="A", city="hangzhou"))["jti"] for _ in "ab"}
    assert len(ids) == 2


def test_a_changed_byte_in_the_claims_breaks_the_signature(store: KeyStore, token: str) -> None:
    head, body, signature = token.split(".")
    forged_body = _segment({**_claims_of(token), "tier": "AAA"})
    assert _rejection(f"{head}.{forged_body}.{signature}", _jwks(store))[0] == "signature"
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    field, message = _rejection(f"{head}.{body}.{flipped}", _jwks(store))
    assert field == "signature" and "signature does not match" in message


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_changing_any_one_character_anywhere_is_rejected(
    store: KeyStore, token: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[position]))
    with pytest.raises(VerificationFailed):
        verify(token[:position] + replacement + token[position + 1 :], _jwks(store), now=LATER)


def test_an_expired_certificate_is_rejected_with_its_expiry(store: KeyStore, token: str) -> None:
    expiry = T0 + timedelta(days=30)
    assert verify(token, _jwks(store), now=expiry - timedelta(seconds=1)).tier == "A"
    field, message = _rejection(token, _jwks(store), now=expiry)
    assert field == "exp" and "expired at 2024-03-31T09:00:00+00:00" in message


def test_a_certificate_from_the_future_is_rejected(store: KeyStore) -> None:
    early = issue_certificate(store, tier="A", city="hangzhou", now=T0 + timedelta(hours=1))
    assert _rejection(early, _jwks(store), now=T0)[0] == "iat"


def test_a_revoked_certificate_is_rejected_by_a_verifier_holding_the_list(
    store: KeyStore, token: str, tmp_path: Path
) -> None:
    register = RevocationRegister(tmp_path)
    assert register.revoke(_claims_of(token)["jti"], now=T0)
    signed = sign_revocation_list(store, register.jtis(), city="hangzhou", now=T0)
    field, message = _rejection(token, _jwks(store), revocations=signed)
    assert field == "jti" and "revoked" in message
    assert verify(token, _jwks(store), now=LATER).tier == "A", "without the list it still verifies"
    other = issue_certificate(store, tier="B", city="hangzhou", now=T0)
    assert verify(other, _jwks(store), revocations=signed, now=LATER).tier == "B"


def test_an_audience_bound_certificate_is_refused_by_anyone_else(store: KeyStore) -> None:
    bound = issue_certificate(store, tier="A", city="hangzhou", audience="landlord:anju", now=T0)
    assert verify(bound, _jwks(store), audience="landlord:anju", now=LATER).audience == (
        "landlord:anju"
    )
    field, message = _rejection(bound, _jwks(store), audience="matchmaking:jiayuan")
    assert field == "aud" and "issued for 'landlord:anju', not for 'matchmaking:jiayuan'" in message
    assert _rejection(bound, _jwks(store))[0] == "aud"


def test_a_certificate_without_audience_may_be_shown_to_any_verifier(
    store: KeyStore, token: str
) -> None:
    assert verify(token, _jwks(store), audience="landlord:anju", now=LATER).tier == "A"


def test_a_certificate_signed_by_a_key_not_in_the_jwks_is_rejected(
    store: KeyStore, tmp_path: Path
) -> None:
    stranger = KeyStore.open(tmp_path / "elsewhere", now=T0)
    foreign = issue_certificate(stranger, tier="A", city="hangzhou", now=T0)
    field, message = _rejection(foreign, _jwks(store))
    assert field == "kid" and f"unknown key {stranger.active_kid}" in message


def test_a_stranger_claiming_the_citys_kid_fails_on_the_signature(
    store: KeyStore, token: str, tmp_path: Path
) -> None:
    _, stranger_key = KeyStore.open(tmp_path / "forger", now=T0).signing_key()
    forged = jwt.encode(
        _claims_of(token),
        stranger_key,
        algorithm="EdDSA",
        headers={"kid": store.active_kid, "typ": CERTIFICATE_TYPE},
    )
    assert _rejection(forged, _jwks(store))[0] == "signature"


@pytest.mark.parametrize(
    "garbage", ["", "abc", "a.b", "a.b.c.d", "!!!.???.***", "bm90IGpzb24.e30.AA", "W10.e30.AA"]
)
def test_a_malformed_token_is_rejected_as_malformed(store: KeyStore, garbage: str) -> None:
    field, message = _rejection(garbage, _jwks(store))
    assert field == "token" and "malformed" in message


def test_unsigned_and_hmac_tokens_are_rejected_for_their_algorithm(
    store: KeyStore, token: str
) -> None:
    header = {"alg": "none", "typ": CERTIFICATE_TYPE, "kid": store.active_kid}
    unsigned = f"{_segment(header)}.{token.split('.')[1]}."
    field, message = _rejection(unsigned, _jwks(store))
    assert field == "alg" and "none (unsigned)" in message
    field, message = _rejection("e30.e30.", _jwks(store))
    assert field == "alg" and "names no algorithm" in message
    x = _jwks(store)["keys"][0]["x"]  # the classic attack: the public key as an HMAC secret
    hmac_token = jwt.encode(
        _claims_of(token),
        x.encode() * 2,
        algorithm="HS256",
        headers={"kid": store.active_kid, "typ": CERTIFICATE_TYPE},
    )
    field, message = _rejection(hmac_token, _jwks(store))
    assert field == "alg" and "'HS256' is not accepted" in message


def test_a_revocation_list_is_not_accepted_as_a_certificate(store: KeyStore) -> None:
    signed = sign_revocation_list(store, [], city="hangzhou", now=T0)
    assert _rejection(signed, _jwks(store))[0] == "typ"


def test_a_signed_token_carrying_a_score_is_refused(store: KeyStore, token: str) -> None:
    leaky = sign(store, {**_claims_of(token), "score": 812}, typ=CERTIFICATE_TYPE)
    field, message = _rejection(leaky, _jwks(store))
    assert field == "claims" and "score" in message


def test_a_jwks_entry_that_is_not_an_ed25519_key_is_named(store: KeyStore, token: str) -> None:
    bad = {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": store.active_kid}]}
    field, message = _rejection(token, bad)
    assert field == "kid" and "not an Ed25519 public key" in message
    assert _rejection(token, {"nokeys": 1})[0] == "kid"


def test_a_bound_certificate_checks_the_id_and_holder_code_shown(store: KeyStore) -> None:
    binding = bind_holder("33010619900101123x")
    bound = issue_certificate(store, tier="A", city="hangzhou", holder=binding, now=T0)
    assert _claims_of(bound)["hid"] == binding.commitment
    assert binding.code not in json.dumps(_claims_of(bound))
    shown = verify(
        bound, _jwks(store), holder=HolderProof("33010619900101123X", binding.code), now=LATER
    )
    assert shown.holder_bound and shown.holder_checked
    unshown = verify(bound, _jwks(store), now=LATER)
    assert unshown.holder_bound and not unshown.holder_checked
    wrong_id = HolderProof("330106199001011239", binding.code)
    assert _rejection(bound, _jwks(store), holder=wrong_id)[0] == "hid"
    wrong_code = HolderProof("33010619900101123X", bind_holder("x").code)
    assert _rejection(bound, _jwks(store), holder=wrong_code)[0] == "hid"


def test_an_unbound_certificate_cannot_pass_a_holder_check(store: KeyStore, token: str) -> None:
    field, message = _rejection(token, _jwks(store), holder=HolderProof("330106199001011234", "c"))
    assert field == "hid" and "not bound" in message


def test_certificates_signed_before_a_rotation_verify_until_they_expire(tmp_path: Path) -> None:
    store = KeyStore.open(tmp_path, now=T0)
    before = issue_certificate(store, tier="B", city="hangzhou", now=T0)
    old_kid = store.active_kid
    store.rotate(now=T0 + timedelta(days=2))
    after = issue_certificate(store, tier="A", city="hangzhou", now=T0 + timedelta(days=2))
    published = store.jwks(now=T0 + timedelta(days=3))
    assert verify(before, published, now=T0 + timedelta(days=3)).kid == old_kid
    assert verify(after, published, now=T0 + timedelta(days=3)).kid == store.active_kid
    late = T0 + timedelta(days=2) + MAX_CERTIFICATE_TTL
    assert _rejection(before, store.jwks(now=late), now=late)[0] == "kid"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ttl": timedelta(0)}, "ttl"),
        ({"ttl": MAX_CERTIFICATE_TTL + timedelta(seconds=1)}, "ttl"),
        ({"tier": "A B"}, "tier"),
        ({"audience": "landlord anju"}, "audience"),
        ({"city": ""}, "city"),
    ],
)
def test_issuing_rejects_bad_fields_by_name(
    store: KeyStore, kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"tier": "A", "city": "hangzhou", **kwargs}
    with pytest.raises(InputRejected) as caught:
        issue_certificate(store, **args)
    assert caught.value.problems[0].field == field
