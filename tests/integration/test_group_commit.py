"""Group commit: concurrent writers share transactions, and each caller's trouble stays theirs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from creditcity.errors import InputRejected
from creditcity.ledger.audit import Access, chain
from creditcity.ledger.group_commit import GroupCommit
from creditcity.ledger.guards import keep_answers
from creditcity.ledger.tables import idempotency_keys
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.audit_chain import verify_chain

_AT = datetime(2026, 12, 1, 12, 0)
_ROW = {"principal": "p:x", "key": "dup", "fingerprint": "f", "created_at": _AT, "response": "{}"}


def _kept(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(select(idempotency_keys.c.key))}


def _writes(n: int) -> Callable[[UnitOfWork, list[Access]], int]:
    def work(uow: UnitOfWork, audit: list[Access]) -> int:
        keep_answers(uow.conn, [("p:test", f"k{n}", "f", {"n": n})], at=_AT)
        audit.append(Access("p:test", "provider", "test", "write", f"s{n}", {"n": n}))
        if n % 7 == 3:
            raise InputRejected(f"request {n} is refused")
        return n

    return work


def test_many_callers_at_once_share_transactions_and_each_gets_its_own_answer(
    engine: Engine,
) -> None:
    group = GroupCommit(engine, max_group=16)
    start = threading.Barrier(24)

    def call(n: int) -> int | str:
        start.wait() if n < 24 else None
        try:
            return group.run(_writes(n))
        except InputRejected as error:
            return str(error)

    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(call, range(120)))
    for n, answer in enumerate(answers):
        assert answer == (f"request {n} is refused" if n % 7 == 3 else n)
    assert group.requests == 120
    assert group.groups < 120  # some requests shared a transaction and the chain's turn
    kept = {f"k{n}" for n in range(120) if n % 7 != 3}
    assert _kept(engine) == kept  # a refused request wrote nothing, the rest all
    with engine.connect() as conn:
        rows = list(chain(conn))
    assert verify_chain(rows).intact
    assert sorted(r.event.subject for r in rows) == sorted(
        f"s{n}" for n in range(120) if n % 7 != 3
    )


def test_a_failing_store_statement_fails_only_its_own_caller(engine: Engine) -> None:
    """The bad request shares a group with good ones, which are run again alone."""
    group = GroupCommit(engine)
    release = threading.Event()

    def slow_leader(uow: UnitOfWork, audit: list[Access]) -> str:
        release.wait(5)
        keep_answers(uow.conn, [("p:test", "first", "f", {})], at=_AT)
        return "first"

    def duplicate(uow: UnitOfWork, audit: list[Access]) -> str:
        # the same key twice in one statement: the store refuses it (an IntegrityError)
        uow.conn.execute(
            idempotency_keys.insert(),
            [
                {
                    "principal": "p:x",
                    "key": "dup",
                    "fingerprint": "f",
                    "created_at": _AT,
                    "response": "{}",
                },
                {
                    "principal": "p:x",
                    "key": "dup",
                    "fingerprint": "f",
                    "created_at": _AT,
                    "response": "{}",
                },
            ],
        )
        return "never"

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(group.run, slow_leader)
        while not group._leading:  # the leader is inside its group; the rest queue
            threading.Event().wait(0.001)
        bad = pool.submit(group.run, duplicate)
        good = [pool.submit(group.run, _writes(n)) for n in (11, 12)]
        threading.Event().wait(0.05)
        release.set()
        assert first.result() == "first"
        assert [g.result() for g in good] == [11, 12]
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            bad.result()
    assert _kept(engine) == {"first", "k11", "k12"}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(idempotency_keys)).scalar() == 3
        assert verify_chain(list(chain(conn))).intact
