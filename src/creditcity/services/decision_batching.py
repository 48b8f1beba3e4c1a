"""Group commit for decisions: requests that arrive together share one transaction.

Each decision writes a handful of rows (the decision, an audit event on the
hash chain, the waiver record, the kept answer of its idempotency key) and
must be durable before it is answered. One transaction per request pays a
commit (a disk flush) and a lock round per decision. Here, requests that
arrive while a batch is being written wait for the next batch; each batch is
decided by :func:`creditcity.services.decision_batch.decide_batch` inside one
:class:`UnitOfWork` and committed once, then every caller in it is answered.
A batch runs on the event loop itself, or on a thread where the loop could
wait long (see :meth:`DecisionBatcher._stays_on_the_loop`).
Nobody is answered before their decision is committed, and there is no
timer: a lone request is decided at once (after two turns of the event loop).

A refused request (bad input, a service the provider does not run) is
answered with its error and writes nothing, without disturbing the rest of
its batch. If the database itself fails (a deadlock, a lost connection), each
request of the batch is retried in a transaction of its own, so one caller's
trouble is not another's.

Each worker keeps the city's scores in memory (:class:`ServingState`), loaded
on the first batch and caught up with the database on every batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import anyio.to_thread
from sqlalchemy import Connection, Engine

from creditcity.config import Settings
from creditcity.domain.policy import Policy
from creditcity.ledger import sqlite_writer
from creditcity.ledger.db import analyse_grown
from creditcity.ledger.guards import bound_lock_waits, bound_lock_waits_here
from creditcity.ledger.pipelining import pipelined_transaction, plan_once
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.metrics import count_group_commit
from creditcity.services.decide import DecisionAnswer, DecisionRequest
from creditcity.services.decision_batch import Outcome, decide_batch
from creditcity.services.serving import ServingState

__all__ = ["Answer", "DecisionBatcher", "Outcome"]

_log = logging.getLogger(__name__)

#: turns of the event loop a batch waits for requests already on their way (see _drain)
GATHER_TURNS = 2

#: the longest a batch waits for another transaction's lock on PostgreSQL before it fails
LOCK_WAIT_SECONDS = 1.0
#: batches after which the batch's reads are first planned again, and the longest gap after
REPLAN_FIRST, REPLAN_MAX_BATCHES = 16, 2**20
#: the tables decisions fill from nothing, whose statistics a replan refreshes as they grow;
#: the entries too (waivers, outcome reports): without statistics the exposure read's
#: check for a closing report scanned every outcome entry of the city, 212 ms a batch
#: after ten minutes of soak on PostgreSQL, 0.7 ms once the entries were analysed
GROWING_TABLES = ("decisions", "idempotency_keys", "entries", "audit_log")

#: What a caller gets: a decision, or the answer kept for its idempotency key (a retry).
Answer = DecisionAnswer | dict[str, Any]


class DecisionBatcher:
    """Decide concurrent requests in shared transactions, one batch at a time per process."""

    def __init__(
        self, engine: Engine, *, policy: Policy, settings: Settings, max_batch: int = 64
    ) -> None:
        self.engine, self.policy, self.settings = engine, policy, settings
        self.max_batch = max_batch
        self._pending: list[tuple[DecisionRequest, asyncio.Future[Answer]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._serving: ServingState | None = None
        self._conn: Connection | None = None
        self._running = threading.Lock()
        self._replan_at = REPLAN_FIRST
        self._analysing: threading.Thread | None = None
        self._replan_due = False
        #: how many batches and decisions were committed (for the benchmark's report)
        self.batches = 0
        self.decided = 0

    def serving(self) -> ServingState:
        """This worker's in-memory scores, loaded when first needed."""
        if self._serving is None:
            with UnitOfWork(self.engine) as uow:
                self._serving = ServingState.load(uow.conn)
        return self._serving

    async def decide(self, request: DecisionRequest) -> Answer:
        """The committed answer to ``request``: a decision, or a kept answer (a retry).

        Raises the error the request was refused with.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        self._pending.append((request, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            # Let the loop read what has already arrived on other connections before the
            # batch is cut: answers go out together, the next requests come back together,
            # and without this the batches alternate between one request and the rest.
            # It costs a lone request two turns of the loop (microseconds), not a timer.
            for _ in range(GATHER_TURNS):
                await asyncio.sleep(0)
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            requests = [r for r, _ in batch]
            try:
                outcomes = self._on_the_loop(requests) if self._stays_on_the_loop() else None
                if outcomes is None:
                    outcomes = await anyio.to_thread.run_sync(self.run, requests)
            except BaseException as error:  # cancelled at shutdown: nobody is left hanging
                for _, future in batch:
                    if not future.done():
                        future.set_exception(
                            error
                            if isinstance(error, Exception)
                            else RuntimeError("the server is shutting down")
                        )
                raise
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the caller went away
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def _stays_on_the_loop(self) -> bool:
        """Decide this batch on the event loop itself rather than on a thread.

        A batch is a millisecond of work, and handing it to a thread and back
        cost more than that on a busy two-core machine: each hand-over waits
        for the scheduler (``python -m bench.bench_api``: SQLite 2,200
        decisions/s through the thread, 3,000 on the loop; PostgreSQL 2,100
        and 3,350). So it stays on the loop, except where the loop could wait
        long:

        * SQLite: only when the writer's lock file is free at once (it is
          then held to the commit); while another process writes (an import),
          the batch waits on a thread and the worker goes on serving;
        * PostgreSQL: its three round trips and the short waits for other
          workers' locks happen on the loop; a lock held longer than
          ``LOCK_WAIT_SECONDS`` fails the batch (see :meth:`_connection`),
          and its requests are retried one by one on a thread;
        * the first batch loads the city's scores, on a thread.
        """
        if self._serving is None:
            return False
        if self.engine.dialect.name == "postgresql":
            return True
        with self._running:
            return sqlite_writer.try_acquire(self._connection())

    def _on_the_loop(self, requests: Sequence[DecisionRequest]) -> list[Outcome] | None:
        """The batch decided here, holding the writer's turn; None if the database failed
        (each request is then retried alone on a thread, where waiting is harmless)."""
        with self._running:
            try:
                return self._transaction(requests)
            except Exception:
                return None

    def run(self, requests: Sequence[DecisionRequest]) -> list[Outcome]:
        """Decide ``requests`` in one transaction, or each alone if the database fails.

        One batch at a time per batcher (the drainer already runs them in turn;
        the lock keeps it so if two event loops ever share a runtime), since
        batches share the batcher's connection.
        """
        with self._running:
            try:
                return self._transaction(requests)
            except Exception:  # the database failed: every request on its own
                return [self._alone(r) for r in requests]

    def _connection(self) -> Connection:
        """The batcher's own connection, kept between batches (batches run one at a time).

        A pool checkout per batch costs a liveness round trip to PostgreSQL and
        the pool's bookkeeping; after a database error the connection is
        dropped and the next batch opens a new one.
        """
        if self._replan_due:  # the tables were analysed: plan again on a new connection
            self._replan_due = False
            self._drop_connection()
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self.engine.connect()
            plan_once(self._conn)
            bound_lock_waits(self._conn, LOCK_WAIT_SECONDS)  # the loop may be waiting
            if self.engine.dialect.name == "postgresql":  # BEGIN and COMMIT are sent by hand
                self._conn.execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def _drop_connection(self) -> None:
        """Close the batcher's connection for good (its session settings stay out of the
        pool); the next batch opens a new one."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                if self.engine.dialect.name == "postgresql":
                    self._conn.invalidate()
                self._conn.close()
        self._conn = None

    def _replan_when_grown(self) -> None:
        """Start a new connection, so new plans, each time the batches decided double.

        The batch's reads are planned once per connection (:func:`plan_once`);
        a plan made while a new city's tables were nearly empty would scan them
        whole once they are large. The tables grow with the decisions, so
        planning again at 16, 32, 64 ... batches (then every 2^20) keeps each
        plan made on tables at least half their size.

        The tables are analysed first, on a thread of their own: on the event
        loop, analysing four tables of a few ten thousand rows held every
        request of the worker (the PostgreSQL p99 of ``python -m bench.bench_api``
        went from 10 to 144 ms in the round that crossed a doubling). The next
        batch after it finished opens the new connection.
        """
        if self.batches < self._replan_at or self.engine.dialect.name != "postgresql":
            return
        self._replan_at = min(self._replan_at * 2, self._replan_at + REPLAN_MAX_BATCHES)
        if self._analysing is not None and self._analysing.is_alive():
            return
        self._analysing = threading.Thread(
            target=self._analyse, name="creditcity-replan", daemon=True
        )
        self._analysing.start()

    def _analyse(self) -> None:
        # A plan is only as good as the statistics it was made with, and without
        # autovacuum a new city's decisions and keys never get any: the kept-answer
        # lookup, planned as if a provider had a handful of keys, read every key of
        # the provider (5 ms at 5,000 keys, logged by PostgreSQL).
        try:
            analyse_grown(self.engine, *GROWING_TABLES)
        except Exception:  # the plans stay as they are until the next doubling
            _log.warning("analysing the decision tables failed", exc_info=True)
            return
        self._replan_due = True

    def _transaction(self, requests: Sequence[DecisionRequest]) -> list[Outcome]:
        serving = self.serving()
        try:
            if self.engine.dialect.name != "postgresql":
                work = UnitOfWork(self.engine, connection=self._connection())
                outcomes = self._plain(work, requests, serving)
            elif any(r.links for r in requests):
                outcomes = self._plain(UnitOfWork(self.engine), requests, serving)
            else:
                outcomes = self._pipelined(requests, serving)
        except Exception:
            self._drop_connection()
            raise
        self.batches += 1
        self.decided += sum(not isinstance(o, Exception) for o in outcomes)
        self._replan_when_grown()
        count_group_commit(
            (o.decision.service, o.decision.approved)
            for o in outcomes
            if isinstance(o, DecisionAnswer)
        )
        return outcomes

    def _decide(
        self,
        uow: UnitOfWork,
        requests: Sequence[DecisionRequest],
        serving: ServingState,
        commit: Callable[[], None],
    ) -> list[Outcome]:
        return decide_batch(
            uow,
            requests,
            policy=self.policy,
            settings=self.settings,
            scores=serving,
            commit=commit,
        )

    def _plain(
        self, work: UnitOfWork, requests: Sequence[DecisionRequest], serving: ServingState
    ) -> list[Outcome]:
        """The batch in an ordinary transaction: SQLite's, or on PostgreSQL a pooled
        connection's for people named by national ID (a federation), since linking
        them runs SQLAlchemy's own statements, which a pipeline cannot hold."""
        with work as uow:
            bound_lock_waits_here(uow.conn, LOCK_WAIT_SECONDS)  # PostgreSQL only
            return self._decide(uow, requests, serving, uow.commit)

    def _pipelined(
        self, requests: Sequence[DecisionRequest], serving: ServingState
    ) -> list[Outcome]:
        """PostgreSQL: the batch as one pipelined transaction on the batcher's connection."""
        with UnitOfWork(self.engine, connection=self._connection()) as uow:
            with pipelined_transaction(uow.conn) as commit:
                outcomes = self._decide(uow, requests, serving, commit)
            uow.commit()  # sends nothing (committed above); tells the after-commit handlers
        return outcomes

    def _alone(self, request: DecisionRequest) -> Outcome:
        try:
            return self._transaction([request])[0]
        except Exception as error:
            return error
