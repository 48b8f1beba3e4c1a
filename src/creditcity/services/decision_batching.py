"""Group commit for decisions: requests that arrive together share one transaction.

Each decision writes a handful of rows (the decision, an audit event on the
hash chain, the waiver record, notices) and must be durable before it is
answered. One transaction per request pays a commit (a disk flush on
PostgreSQL) per decision, and on PostgreSQL the audit chain's lock is held
across that flush, so decisions would queue behind each other's flushes.
Here, requests that arrive while a batch is being written wait for the next
batch; each batch runs :func:`creditcity.services.decide.decide_in` for every
request inside one :class:`UnitOfWork` and commits once, then every caller in
it is answered. Nobody is answered before their decision is committed, and
there is no timer: a lone request is decided at once.

A request refused as bad input (``decide_in`` refuses before it writes) is
answered with its error, and the rest of its batch is decided again without
it; if the database itself fails, each request of the batch is retried in a
transaction of its own, so one caller's trouble is not another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import anyio.to_thread
from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.policy import Policy
from creditcity.errors import CreditCityError
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decide import DecisionAnswer, DecisionRequest, decide_in, decide_request

__all__ = ["DecisionBatcher"]

Outcome = DecisionAnswer | Exception


class _Refused(Exception):
    """Internal: one request of the batch was refused; redo the others without it."""


class DecisionBatcher:
    """Decide concurrent requests in shared transactions, one batch at a time per process."""

    def __init__(
        self, engine: Engine, *, policy: Policy, settings: Settings, max_batch: int = 64
    ) -> None:
        self.engine, self.policy, self.settings = engine, policy, settings
        self.max_batch = max_batch
        self._pending: list[tuple[DecisionRequest, asyncio.Future[DecisionAnswer]]] = []
        self._drainer: asyncio.Task[None] | None = None
        #: how many batches and decisions were committed (for the benchmark's report)
        self.batches = 0
        self.decided = 0

    async def decide(self, request: DecisionRequest) -> DecisionAnswer:
        """The committed answer to ``request`` (or its error)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[DecisionAnswer] = loop.create_future()
        self._pending.append((request, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            try:
                outcomes = await anyio.to_thread.run_sync(self.run, [r for r, _ in batch])
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

    def run(self, requests: Sequence[DecisionRequest]) -> list[Outcome]:
        """Decide ``requests`` in as few transactions as their errors allow (blocking)."""
        results: dict[int, Outcome] = {}
        todo = list(range(len(requests)))
        while todo:
            try:
                results.update(self._one_transaction(requests, todo, results))
                todo = []
            except _Refused:
                todo = [i for i in todo if i not in results]
            except Exception:  # the database failed: every request on its own
                for i in todo:
                    results[i] = self._alone(requests[i])
                todo = []
        return [results[i] for i in range(len(requests))]

    def _one_transaction(
        self, requests: Sequence[DecisionRequest], todo: list[int], results: dict[int, Outcome]
    ) -> dict[int, Outcome]:
        answers: dict[int, Outcome] = {}
        with UnitOfWork(self.engine) as uow:
            for i in todo:
                try:
                    answers[i] = decide_in(
                        uow.conn, requests[i], policy=self.policy, settings=self.settings
                    )
                except CreditCityError as error:
                    results[i] = error
                    raise _Refused from None
            uow.commit()
        self.batches += 1
        self.decided += len(answers)
        return answers

    def _alone(self, request: DecisionRequest) -> Outcome:
        try:
            return decide_request(self.engine, request, policy=self.policy, settings=self.settings)
        except Exception as error:
            return error
