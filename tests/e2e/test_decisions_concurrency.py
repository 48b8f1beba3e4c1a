"""Decisions under real concurrency: several server processes, eight clients, kill -9.

Each test starts ``creditcity serve --workers N`` on a free port (real worker
processes, each with its own connection pool and batcher) and races clients
against it, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from tests.support.server import OPERATOR_KEY, PROVIDER_KEY, Server, serving, start_server

from creditcity.ledger.audit import chain
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.scores import save_scores
from creditcity.ledger.tables import decisions, idempotency_keys
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.audit_chain import verify_chain

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy")]
CLIENTS = 8
#: seconds a request may take before the test calls it a hang (a shared, loaded box can
#: be slow; this is no speed check, bench_api is)
HANG = 30
ROUNDS = 8


def _person() -> str:
    return f"p_{uuid.uuid4().hex}"


def _scored(url: str, people: list[str], score: int) -> None:
    from datetime import UTC, date, datetime

    rows = [
        {
            "subject": s,
            "as_of": date.today(),
            "computed_at": datetime.now(UTC).replace(tzinfo=None),
            "model_version": "m-race",
            "score": score,
            "percentile": 50.0,
            "city": "hangzhou",
            "dimensions": {},
            "reasons": [{"code": "HL-SHORT", "text": "short history"}],
        }
        for s in people
    ]
    with UnitOfWork(make_engine(url)) as uow:
        save_scores(uow.conn, rows)
        uow.commit()


def _ask(client: httpx.Client, subject: str, service: str, amount: object, **headers: str) -> Any:
    body = {"subject": subject, "service": service, "amount": amount, "purpose": "race"}
    return client.post(
        "/v1/decisions", json=body, headers={"X-API-Key": PROVIDER_KEY, **headers}, timeout=HANG
    )


def _together(server: Server, work: Callable[[httpx.Client], Any], count: int) -> list[Any]:
    """``count`` clients on their own keep-alive connections, released at the same instant."""
    barrier = threading.Barrier(count)
    clients = [httpx.Client(base_url=server.url) for _ in range(count)]

    def one(client: httpx.Client) -> Any:
        barrier.wait()
        return work(client)

    try:
        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(one, clients))
    finally:
        for client in clients:
            client.close()


def _granted(url: str, subject: str) -> Decimal:
    query = select(func.coalesce(func.sum(decisions.c.waived_amount), 0)).where(
        decisions.c.subject == subject, decisions.c.approved.is_(True)
    )
    with make_engine(url).connect() as conn:
        return Decimal(str(conn.execute(query).scalar_one()))


def test_several_workers_racing_eight_clients_for_one_person_never_exceed_a_cap(
    db_url: str, tmp_path: Path
) -> None:
    migrate(make_engine(db_url))
    good = [_person() for _ in range(ROUNDS)]
    _scored(db_url, good, 620)  # tier good: bike deposit up to 299
    over: list[str] = []
    with serving(db_url, tmp_path, workers=3) as server:
        for round_ in range(ROUNDS):
            thin = round_ % 2 == 0  # a thin file: power banks, 99 outstanding at most
            subject = _person() if thin else good[round_]
            service, cap = ("power_bank_deposit", 99) if thin else ("bike_deposit", 299)
            answers = _together(
                server, partial(_ask, subject=subject, service=service, amount=cap), CLIENTS
            )
            assert {a.status_code for a in answers} == {200}
            assert sum(a.json()["approved"] for a in answers) == 1
            if _granted(db_url, subject) > cap:
                over.append(subject)
    assert over == []


def test_a_retry_with_the_same_key_after_a_kill_returns_the_same_decision_and_doubles_nothing(
    db_url: str, tmp_path: Path
) -> None:
    migrate(make_engine(db_url))
    people = [_person() for _ in range(CLIENTS * 12)]
    _scored(db_url, people, 720)
    keys = {s: f"burst-{i}" for i, s in enumerate(people)}
    answered: dict[str, str] = {}
    lock = threading.Lock()
    server = start_server(db_url, tmp_path, workers=2)
    killed = threading.Event()

    def burst(client: httpx.Client, mine: list[str]) -> None:
        for subject in mine:
            try:
                answer = _ask(
                    client, subject, "bike_deposit", 99, **{"Idempotency-Key": keys[subject]}
                )
            except httpx.HTTPError:
                return  # the server is gone
            assert answer.status_code == 200
            with lock:
                answered[subject] = answer.json()["decision_id"]
                if len(answered) >= len(people) // 3 and not killed.is_set():
                    killed.set()
                    server.kill()

    shares = [people[i::CLIENTS] for i in range(CLIENTS)]
    clients = [httpx.Client(base_url=server.url) for _ in range(CLIENTS)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(burst, clients, shares))
    server.stop()
    assert killed.is_set() and 0 < len(answered) < len(people)
    stored = _decision_ids(db_url)
    assert all(stored.count(d) == 1 for d in answered.values())  # every answered one, once

    with serving(db_url, tmp_path, workers=2) as again, httpx.Client(base_url=again.url) as c:
        for subject in people:  # retry everything, answered or not, with its key
            answer = _ask(c, subject, "bike_deposit", 99, **{"Idempotency-Key": keys[subject]})
            assert answer.status_code == 200
            if subject in answered:
                assert answer.json()["decision_id"] == answered[subject]
        changed = _ask(c, people[0], "bike_deposit", 50, **{"Idempotency-Key": keys[people[0]]})
        assert changed.status_code == 422
        assert changed.json()["problems"][0]["field"] == "Idempotency-Key"
    stored = _decision_ids(db_url)
    assert len(stored) == len(set(stored)) == len(people)  # one decision per request
    with make_engine(db_url).connect() as conn:
        kept = conn.execute(select(func.count()).select_from(idempotency_keys)).scalar_one()
    assert kept == len(people)


def test_sigterm_during_a_burst_answers_what_is_in_flight_and_stores_only_what_was_answered(
    db_url: str, tmp_path: Path
) -> None:
    """A graceful stop (a deploy, a scale-down): no 5xx, no decision stored but unanswered."""
    migrate(make_engine(db_url))
    people = [_person() for _ in range(CLIENTS * 12)]
    _scored(db_url, people, 720)
    answered: dict[str, str] = {}
    codes: list[int] = []
    lock = threading.Lock()
    server = start_server(db_url, tmp_path, workers=2)
    stopping = threading.Event()

    def burst(client: httpx.Client, mine: list[str]) -> None:
        for subject in mine:
            try:
                answer = _ask(client, subject, "bike_deposit", 99, **{"Idempotency-Key": subject})
            except httpx.HTTPError:
                return  # the server stopped taking requests
            with lock:
                codes.append(answer.status_code)
                if answer.status_code == 200:
                    answered[subject] = answer.json()["decision_id"]
                if len(answered) >= len(people) // 3 and not stopping.is_set():
                    stopping.set()
                    os.killpg(server.process.pid, signal.SIGTERM)

    shares = [people[i::CLIENTS] for i in range(CLIENTS)]
    clients = [httpx.Client(base_url=server.url) for _ in range(CLIENTS)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(burst, clients, shares))
    assert server.process.wait(timeout=60) is not None
    assert stopping.is_set() and [c for c in codes if c != 200] == []
    stored = _decision_ids(db_url)
    assert sorted(stored) == sorted(answered.values())  # answered ones once, nothing else
    with make_engine(db_url).connect() as conn:
        assert verify_chain(chain(conn)).intact


def _decision_ids(url: str) -> list[str]:
    with make_engine(url).connect() as conn:
        return [r[0] for r in conn.execute(select(decisions.c.decision_id))]


def test_thirty_two_connections_of_audited_reads_and_decisions_get_no_5xx_and_the_chain_holds(
    db_url: str, tmp_path: Path
) -> None:
    migrate(make_engine(db_url))
    people = [_person() for _ in range(64)]
    _scored(db_url, people, 700)

    def mixed(client: httpx.Client) -> list[int]:
        codes = []
        for i, subject in enumerate(people[:8]):
            if i % 2:
                answer = _ask(client, subject, "umbrella_deposit", 10)
            else:
                answer = client.get(
                    f"/v1/subjects/{subject}/score",
                    headers={"X-API-Key": OPERATOR_KEY, "X-Purpose": "load"},
                    timeout=HANG,
                )
            codes.append(answer.status_code)
        return codes

    with serving(db_url, tmp_path, workers=2) as server:
        codes = [c for run in _together(server, mixed, 32) for c in run]
    assert [c for c in codes if c >= 500] == []
    assert set(codes) == {200}
    with make_engine(db_url).connect() as conn:
        report = verify_chain(chain(conn))
    assert report.intact and report.count == len(codes)
