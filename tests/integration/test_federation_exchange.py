"""The exchange between two cities' databases, in one process: what crosses, what is refused.

Each city has its own database, home, keys and local pseudonym secret; the
feed is produced and consumed through the same services ``serve`` and
``federation sync`` use, without HTTP in between (the two-node tests in
``tests/e2e/test_federation_nodes.py`` cover the wire).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.support.federation import Node, bill, court, peer, second_database, spending

from creditcity.domain.federation import Refusal
from creditcity.errors import NotAuthorised
from creditcity.ledger.tables import entries
from creditcity.rights.federation_tokens import sign_request
from creditcity.services.decide import DecisionRequest, decide_request, policy_for
from creditcity.services.disputes import list_disputes, open_dispute, resolve_dispute
from creditcity.services.federation import keystore_for, list_peers, person_named
from creditcity.services.federation_exchange import receive_batches, serve_feed

PAY_LATER = "pay_later_clinic"


@pytest.fixture
def cities(db_url: str, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """Two cities on the parametrised database: two SQLite files, or two PostgreSQL schemas."""
    with second_database(db_url, tmp_path) as second:
        a = Node("hangzhou", db_url, tmp_path / "home-a")
        b = Node("suzhou", second, tmp_path / "home-b")
        peer(a, b, tmp_path)
        yield a, b
        a.engine.dispose()
        b.engine.dispose()


def feed(a: Node, b: Node, after: int = 0) -> list[str]:
    """A's batches as B asks for them."""
    token = sign_request(keystore_for(b.settings), b.city, a.city)
    return list(serve_feed(a.engine, a.settings, token, after)["batches"])


def blocked(node: Node, national_id: str) -> bool:
    return any(PAY_LATER in r.blocks for r in node.restrictions(national_id))


def test_a_judgment_restricts_the_person_in_the_other_city_and_its_satisfaction_lifts_it(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = cities
    b.ingest([bill("330106199001011234", "w-1")], tmp_path, "bill")
    a.ingest([court("330106199001011234", "J-1")], tmp_path, "judgment")
    received = receive_batches(b.engine, b.settings, a.city, feed(a, b))
    assert received.refused == [] and received.records == 1
    assert blocked(b, "330106199001011234")
    a.ingest([court("330106199001011234", "J-1", "judgment_satisfied")], tmp_path, "satisfied")
    receive_batches(b.engine, b.settings, a.city, feed(a, b, after=received.accepted))
    assert not blocked(b, "330106199001011234")


def test_only_adjudicated_records_cross_and_never_consent_based_ones(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = cities
    rows = [court("110101198502023456", "J-2"), spending("110101198502023456", "s-1")]
    rows.append(bill("110101198502023456", "w-2"))
    a.ingest(rows, tmp_path, "mixed")
    b.ingest([bill("110101198502023456", "w-9")], tmp_path, "bill")
    receive_batches(b.engine, b.settings, a.city, feed(a, b))
    assert sorted(b.kinds_held()) == ["court_judgment", "utility_bill"]
    assert "monthly_spending" not in json.dumps(feed(a, b))


def test_a_stranger_s_record_waits_under_the_federation_pseudonym_until_they_arrive(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = cities
    a.ingest([court("440301199203035678", "J-3")], tmp_path, "judgment")
    received = receive_batches(b.engine, b.settings, a.city, feed(a, b))
    assert received.pending == 1 and received.records == 0
    assert not blocked(b, "440301199203035678")
    b.ingest([bill("440301199203035678", "w-3")], tmp_path, "arrives")
    assert blocked(b, "440301199203035678")


def test_a_stranger_s_judgment_restricts_them_when_their_first_contact_is_a_decision(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = cities
    person = "320503198807074321"
    a.ingest([court(person, "J-7")], tmp_path, "judgment")
    assert receive_batches(b.engine, b.settings, a.city, feed(a, b)).pending == 1
    subject, links = person_named(person, b.settings)
    asked = DecisionRequest(subject, PAY_LATER, 300, "treatment first, pay later", links=links)
    answer = decide_request(b.engine, asked, policy=policy_for(b.settings), settings=b.settings)
    assert not answer.decision.approved
    assert [r.record_ref for r in answer.decision.restrictions] == ["J-7"]
    assert answer.decision.reasons[0][0] == "RESTRICTED" and answer.notices
    assert b.kinds_held() == ["court_judgment"] and blocked(b, person)
    # the same first contact by pseudonym names nobody: nothing to link, nothing applied
    stranger = "320503198807079999"
    a.ingest([court(stranger, "J-8")], tmp_path, "second")
    receive_batches(b.engine, b.settings, a.city, feed(a, b, after=1))
    pseudonym, none = person_named(b.subject(stranger), b.settings)
    asked = DecisionRequest(pseudonym, PAY_LATER, 300, "treatment first, pay later", links=none)
    answer = decide_request(b.engine, asked, policy=policy_for(b.settings), settings=b.settings)
    assert none == () and answer.decision.restrictions == ()


def test_a_tampered_batch_a_gap_a_replay_and_an_unknown_peer_are_each_refused(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = cities
    before = {r: _refusals(r) for r in ("signature", "gap", "replay", "unknown_peer")}
    for n in range(3):
        a.ingest([court(f"3301061990010{n}0000", f"J-{n}")], tmp_path, f"j{n}")
        feed(a, b)  # publish one batch per judgment
    first, second, third = feed(a, b)[:3]
    head, claims, signature = first.split(".")
    tampered = ".".join(
        [head, claims[:-2] + ("A" if claims[-2] != "A" else "B") + claims[-1], signature]
    )
    refused = receive_batches(b.engine, b.settings, a.city, [tampered]).refused
    assert refused[0].reason is Refusal.SIGNATURE and "signature" in refused[0].message
    refused = receive_batches(b.engine, b.settings, a.city, [third]).refused
    assert refused[0].reason is Refusal.GAP and "batches 1..2 are missing" in refused[0].message
    assert receive_batches(b.engine, b.settings, a.city, [first]).refused == []
    refused = receive_batches(b.engine, b.settings, a.city, [first]).refused
    assert refused[0].reason is Refusal.REPLAY and "replay" in refused[0].message
    refused = receive_batches(b.engine, b.settings, "shanghai", [second]).refused
    assert refused[0].reason is Refusal.UNKNOWN_PEER and "not a peer" in refused[0].message
    counts = {p.city: p.refused for p in list_peers(b.engine)}
    assert counts["hangzhou"] == {"signature": 1, "gap": 1, "replay": 1}
    assert {r: _refusals(r) - n for r, n in before.items()} == dict.fromkeys(before, 1)


def _refusals(reason: str) -> float:
    """The Prometheus counter of refusals for ``reason`` in this process."""
    from creditcity.metrics import series

    value: float = series().federation_refusals.labels(reason)._value.get()
    return value


def test_a_city_that_is_not_a_peer_is_refused_the_feed(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, _ = cities
    stranger = Node("shanghai", f"sqlite:///{tmp_path / 'sh.db'}", tmp_path / "home-s")
    token = sign_request(keystore_for(stranger.settings), stranger.city, a.city)
    with pytest.raises(NotAuthorised, match="'shanghai' is not a peer of hangzhou"):
        serve_feed(a.engine, a.settings, token, 0)


def test_a_dispute_in_b_about_a_record_from_a_is_routed_to_a_and_opened_there(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = cities
    b.ingest([bill("510104198807074321", "w-5")], tmp_path, "bill")
    a.ingest([court("510104198807074321", "J-5")], tmp_path, "judgment")
    receive_batches(b.engine, b.settings, a.city, feed(a, b))
    subject_in_b = b.subject("510104198807074321")
    with b.engine.connect() as conn:
        entry_id = conn.execute(
            select(entries.c.entry_id).where(entries.c.kind == "court_judgment")
        ).scalar_one()
    open_dispute(b.engine, subject_in_b, entry_id, "I paid this in full", settings=b.settings)
    assert not blocked(b, "510104198807074321")  # pending in B: it stops counting there at once
    opened = receive_batches(a.engine, a.settings, b.city, feed(b, a))
    assert opened.disputes == 1
    pending = list_disputes(a.engine, status="pending")
    assert [d.subject for d in pending] == [a.subject("510104198807074321")]
    assert pending[0].statement == "I paid this in full"


def test_a_judgment_withdrawn_in_a_after_a_dispute_is_withdrawn_in_b_too(
    cities: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = cities
    person = "510104198807075555"
    b.ingest([bill(person, "w-6")], tmp_path, "bill")
    a.ingest([court(person, "J-6")], tmp_path, "judgment")
    held = receive_batches(b.engine, b.settings, a.city, feed(a, b)).accepted
    assert blocked(b, person)
    with a.engine.connect() as conn:
        entry_id = conn.execute(
            select(entries.c.entry_id).where(entries.c.kind == "court_judgment")
        ).scalar_one()
    dispute = open_dispute(a.engine, a.subject(person), entry_id, "not me", settings=a.settings)
    resolve_dispute(a.engine, dispute.dispute_id, upheld=True, note="wrong person")
    receive_batches(b.engine, b.settings, a.city, feed(a, b, after=held))
    assert not blocked(b, person)
    assert sorted(b.kinds_held()) == ["court_judgment", "retraction", "utility_bill"]
