"""Federation rules, pure: who a person is between cities, what may cross, which batch is next."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, SHAREABLE_KINDS
from creditcity.domain.federation import (
    BatchRefused,
    Refusal,
    check_sequence,
    federation_pseudonym,
    is_federation_pseudonym,
    local_key,
    record_problems,
    wire_record,
)
from creditcity.domain.subjects import pseudonymise

NATIONAL_ID = "330106199001011234"


def test_exactly_the_adjudicated_kinds_and_their_satisfaction_are_shareable() -> None:
    assert {
        "court_judgment",
        "judgment_satisfied",
        "proven_fraud",
        "credential_fraud",
    } == SHAREABLE_KINDS
    assert not SHAREABLE_KINDS & CONSENT_KINDS


def test_the_federation_pseudonym_is_shared_by_cities_and_unlike_any_local_one() -> None:
    travelling = federation_pseudonym(NATIONAL_ID, "federation-secret")
    assert travelling == federation_pseudonym(f" {NATIONAL_ID} ", "federation-secret")
    assert is_federation_pseudonym(travelling)
    assert travelling[2:] != pseudonymise(NATIONAL_ID, "federation-secret")[2:]
    assert travelling != federation_pseudonym(NATIONAL_ID, "another-federation")


def _record(kind: str, **extra: object) -> dict[str, object]:
    entry = {
        "kind": kind,
        "source": "court:x",
        "idempotency_key": "k-1",
        "occurred_at": datetime(2026, 11, 1),
        "supersedes": None,
        "ref": "J-1",
        "amount": 10.0,
        "days_late": None,
        **extra,
    }
    return wire_record(entry, federation_pseudonym(NATIONAL_ID, "s3cret-federation"))


def test_a_wire_record_carries_only_its_kind_s_fields_and_no_local_pseudonym() -> None:
    record = _record("court_judgment", subject="p_" + "0" * 32, balance=5.0)
    assert set(record) == {"kind", "source", "key", "subject", "occurred_at", "supersedes"} | {
        "ref",
        "amount",
    }
    assert record_problems(record, "test") == []


@pytest.mark.parametrize("kind", sorted(CONSENT_KINDS | {"loan_default", "utility_bill"}))
def test_a_received_record_of_a_kind_that_stays_home_is_refused(kind: str) -> None:
    problems = record_problems({**_record("court_judgment"), "kind": kind}, "batch 1 record 1")
    assert problems and problems[0].field == "kind" and kind in problems[0].message


def test_a_received_record_under_a_local_pseudonym_is_refused() -> None:
    problems = record_problems({**_record("court_judgment"), "subject": "p_" + "a" * 32}, "b")
    assert [p.field for p in problems] == ["subject"]


@given(held=st.integers(0, 10_000), seq=st.integers(1, 10_100))
def test_only_the_next_batch_after_the_held_one_is_accepted(held: int, seq: int) -> None:
    claims = {"iss": "hangzhou", "seq": seq, "prev": f"h{held}"}
    if seq == held + 1:
        check_sequence(claims, peer="hangzhou", held_seq=held, held_hash=f"h{held}")
        return
    with pytest.raises(BatchRefused) as refused:
        check_sequence(claims, peer="hangzhou", held_seq=held, held_hash=f"h{held}")
    assert refused.value.reason is (Refusal.REPLAY if seq <= held else Refusal.GAP)


def test_a_batch_from_another_issuer_or_a_rewritten_feed_is_refused() -> None:
    with pytest.raises(BatchRefused, match="issued by 'shanghai'") as other:
        check_sequence(
            {"iss": "shanghai", "seq": 1, "prev": ""}, peer="hz", held_seq=0, held_hash=""
        )
    assert other.value.reason is Refusal.UNKNOWN_PEER
    with pytest.raises(BatchRefused, match="rewritten") as fork:
        check_sequence({"iss": "hz", "seq": 2, "prev": "x"}, peer="hz", held_seq=1, held_hash="y")
    assert fork.value.reason is Refusal.FORK


@given(city=st.text("abcdefgh", min_size=1, max_size=64), key=st.text(min_size=1, max_size=128))
def test_a_received_key_always_fits_the_ledger_and_differs_by_city(city: str, key: str) -> None:
    kept = local_key(city, key)
    assert len(kept) <= 128 and kept.startswith(city[:40])
    assert kept != local_key(city + "x", key)


def test_every_shareable_kind_is_statutory() -> None:
    assert all(CATALOGUE[k].basis == "statutory" for k in SHAREABLE_KINDS)
