"""Two city nodes as separate processes on loopback: records follow the person, nothing else.

Each node is ``creditcity serve`` with its own database, ``CREDITCITY_HOME``,
keys, local pseudonym secret and city name, pulling its peer's feed every
0.1 s. The test process writes to a node's database through the services,
as that node's operator would. The 2 s propagation bound is held by
``bench.bench_federation`` (p50/p99 at the default 1 s interval).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from tests.support.federation import Node, bill, court, peer, second_database, spending, wait_until

from creditcity.ledger.audit import chain
from creditcity.ledger.tables import audit_log, entries, federation_checkpoints, federation_received
from creditcity.rights.audit_chain import AuditEvent, seal_all
from creditcity.services.decide import DecisionRequest, decide_request, policy_for
from creditcity.services.federation_pull import sync

PAY_LATER = "pay_later_clinic"
PERSON = "330106199001011234"


def blocked(node: Node, national_id: str) -> bool:
    return any(PAY_LATER in r.blocks for r in node.restrictions(national_id))


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    a = Node("hangzhou", f"sqlite:///{tmp_path / 'hangzhou.db'}", tmp_path / "home-a")
    b = Node("suzhou", f"sqlite:///{tmp_path / 'suzhou.db'}", tmp_path / "home-b")
    peer(a, b, tmp_path)
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_a_judgment_in_a_restricts_pay_later_in_b_and_its_satisfaction_lifts_it(
    nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = nodes
    b.ingest([bill(PERSON, "w-1")], tmp_path, "resident")
    a.ingest([court(PERSON, "J-1"), spending(PERSON, "s-1")], tmp_path, "judgment")
    # Within 2 s of A's commit (the ingest command has returned), as the federation promises;
    # bench_federation measures the distribution.
    wait_until(lambda: blocked(b, PERSON), timeout=2, what="the judgment to restrict in B")
    a.ingest([court(PERSON, "J-1", "judgment_satisfied")], tmp_path, "satisfied")
    wait_until(lambda: not blocked(b, PERSON), timeout=2, what="the satisfaction to lift in B")
    assert sorted(set(b.kinds_held())) == ["court_judgment", "judgment_satisfied", "utility_bill"]


def test_a_rewrite_of_a_s_audit_log_after_b_witnessed_a_checkpoint_is_detected(
    nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    a, b = nodes
    a.ingest([court(PERSON, "J-2")], tmp_path, "judgment")
    _decide(a, PERSON)  # an audited act in A: its chain head moves
    sync(a.engine, a.settings)  # A publishes a batch carrying the signed checkpoint of its head
    wait_until(lambda: _witnessed(b, a.city) > 0, timeout=5, what="B to keep a checkpoint of A")
    assert _verify_with_checkpoints(a).returncode == 0
    _rewrite_and_rehash(a)
    verdict = _verify_with_checkpoints(a)
    assert verdict.returncode == 1
    assert "rewritten" in verdict.stdout and "suzhou witnessed" in verdict.stdout


def _decide(node: Node, national_id: str) -> None:
    request = DecisionRequest(
        node.subject(national_id), "bike_deposit", 99, "deposit-free bike", "bike_operator:hb"
    )
    decide_request(node.engine, request, policy=policy_for(node.settings), settings=node.settings)


def _witnessed(node: Node, city: str) -> int:
    with node.engine.connect() as conn:
        query = select(func.count()).where(federation_checkpoints.c.peer == city)
        return int(conn.execute(query.select_from(federation_checkpoints)).scalar_one())


def _rewrite_and_rehash(node: Node) -> None:
    """Edit the first audit row, rehash the whole chain, and drop the city's own checkpoints."""
    with node.engine.begin() as conn:
        rows = list(chain(conn))
        first = rows[0].event
        edited = AuditEvent(**{**_fields(first), "purpose": "nothing to see here"})
        resealed = seal_all([edited, *(r.event for r in rows[1:])])
        for row in resealed:
            record = row.as_record()
            conn.execute(
                update(audit_log)
                .where(audit_log.c.seq == row.seq)
                .values(purpose=record["purpose"], prev_hash=row.prev_hash, hash=row.hash)
            )
        conn.execute(
            federation_checkpoints.delete().where(federation_checkpoints.c.peer == node.city)
        )


def _fields(event: AuditEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in AuditEvent.__dataclass_fields__}


def _verify_with_checkpoints(node: Node) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "creditcity", "audit", "verify", "--checkpoints"]
    return subprocess.run(command, env=node.env(), capture_output=True, text=True, check=False)


@pytest.mark.postgres
def test_b_stopped_while_a_records_50_judgments_catches_up_with_each_exactly_once(
    pg_url: str, tmp_path: Path
) -> None:
    with second_database(pg_url, tmp_path) as second:
        a = Node("hangzhou", pg_url, tmp_path / "home-a")
        b = Node("suzhou", second, tmp_path / "home-b")
        peer(a, b, tmp_path)
        people = [f"3301061990{n:08d}" for n in range(50)]
        b.ingest([bill(p, f"w-{p}") for p in people], tmp_path, "residents")
        a.start()
        try:
            for start in range(0, 50, 10):
                rows = [court(p, f"J-{p}") for p in people[start : start + 10]]
                a.ingest(rows, tmp_path, f"judgments-{start}")
            b.start()
            wait_until(lambda: _judgments(b) >= 50, timeout=20, what="B to catch up")
            again = sync(b.engine, b.settings)
            assert [r.records for r in again] == [0]
            assert _judgments(b) == 50
            assert all(blocked(b, p) for p in people[:3])
            with b.engine.connect() as conn:
                seqs = [s for (s,) in conn.execute(select(federation_received.c.seq))]
            assert sorted(seqs) == list(range(1, len(seqs) + 1))
        finally:
            b.stop()
            a.stop()
            a.engine.dispose()
            b.engine.dispose()


def _judgments(node: Node) -> int:
    with node.engine.connect() as conn:
        query = select(func.count()).select_from(entries).where(entries.c.kind == "court_judgment")
        return int(conn.execute(query).scalar_one())
