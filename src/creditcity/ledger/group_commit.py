"""Group commit for the thread pool's writes: concurrent requests share one transaction.

    result = group_commit(engine).run(work)      # work(uow, audit) -> result

Every audited read and outcome report appends to the one audit hash chain,
so each request's transaction held the chain (SQLite's writer, a PostgreSQL
advisory lock) through its commit, and the next waited. Under
mixed load on the 2-core box that capped audited reads at about 250/s on
SQLite and 190/s on PostgreSQL while the workers sat mostly idle (profiled
under ``python -m bench.bench_soak``): time went to waiting for the writer's
turn, not to work.

Here the first caller to arrive while nobody is writing becomes the leader.
It takes every request queued so far (up to ``max_group``), runs each one's
``work`` in a savepoint of one transaction, appends all their audit events at
the end with one read of the chain head and one insert, and commits once.
Requests arriving meanwhile queue for the next group, led by one of them.
Nobody returns before their transaction has committed.

PostgreSQL needs it as much: there each transaction takes the chain's
advisory lock for its audit events and holds it through its commit (a WAL
flush), so requests each in a transaction of their own queued on that lock,
one commit at a time. Audited reads alone topped out at 372/s on the 2-core
box that way, 650-670/s in groups (``python -m bench.bench_soak --only reads
--store postgresql``). An earlier try of groups on PostgreSQL fell window by
window in a 10-minute soak; the cause was found later and was not the groups
(the ledger's entries had no statistics: see ``GROWING_TABLES``).

A ``work`` that raises is rolled back to its savepoint and its caller gets
the error; the rest of the group is unaffected. If the group's transaction
itself fails (a deadlock on PostgreSQL between two groups' person locks, a
lost connection), each request is run again in a transaction of its own, so
one caller's trouble is not another's. A work must not commit: the leader does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from creditcity.ledger.audit import Access, record_events
from creditcity.ledger.guards import take_write_lock
from creditcity.ledger.unit_of_work import UnitOfWork

__all__ = ["GroupCommit", "Work", "group_commit"]

T = TypeVar("T")
#: what a request writes: into ``uow`` (without committing), audit events into the list
Work = Callable[[UnitOfWork, list[Access]], T]

_groups: WeakKeyDictionary[Engine, GroupCommit] = WeakKeyDictionary()
_registry = threading.Lock()


def group_commit(engine: Engine) -> GroupCommit:
    """This process's group committer for ``engine``."""
    with _registry:
        found = _groups.get(engine)
        if found is None:
            found = _groups[engine] = GroupCommit(engine)
        return found


@dataclass(eq=False, slots=True)
class _Slot(Generic[T]):
    work: Work[T]
    result: T | None = None
    error: BaseException | None = None
    done: bool = False
    audit: list[Access] = field(default_factory=list)

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit:
    """Run concurrent callers' write transactions as one, leader and followers."""

    def __init__(self, engine: Engine, *, max_group: int = 64) -> None:
        self.engine, self.max_group = engine, max_group
        self._queue: list[_Slot[Any]] = []
        self._leading = False
        self._turn = threading.Condition()
        #: groups and requests committed (for tests and the benchmark's report)
        self.groups = 0
        self.requests = 0

    def run(self, work: Work[T]) -> T:
        """``work``'s result once its transaction has committed; raises what it raised."""
        slot: _Slot[T] = _Slot(work)
        with self._turn:
            self._queue.append(slot)
            while self._leading and not slot.done:
                self._turn.wait()
            if slot.done:
                return slot.outcome()
            self._leading = True
            self._queue.remove(slot)
            group = [slot, *self._queue[: self.max_group - 1]]
            del self._queue[: self.max_group - 1]
        try:
            self._commit(group)
        except BaseException as error:  # interrupted: nobody is told they were answered
            for each in group:
                each.error = each.error or error
            raise
        finally:
            with self._turn:
                self._leading = False
                for each in group:
                    each.done = True
                self._turn.notify_all()
        return slot.outcome()

    def _commit(self, group: list[_Slot[Any]]) -> None:
        try:
            self._together(group)
        except DBAPIError:
            for slot in group:  # the group's transaction failed: each again, alone
                if slot.error is None:
                    try:
                        self._together([slot])
                    except Exception as error:
                        slot.error = error
        except Exception as error:  # the store refused the group: nobody is answered wrongly
            for slot in group:
                slot.error = slot.error or error
        self.groups += 1
        self.requests += len(group)

    def _together(self, group: list[_Slot[Any]]) -> None:
        alone = len(group) == 1  # no savepoint: its failure rolls the whole transaction back
        with UnitOfWork(self.engine) as uow:
            if not alone:
                take_write_lock(uow.conn)  # SQLite: the transaction is open before a savepoint
            accesses: list[Access] = []
            for slot in group:
                slot.audit.clear()
                savepoint = None if alone else uow.conn.begin_nested()
                try:
                    slot.result = slot.work(uow, slot.audit)
                except Exception as error:
                    if savepoint is not None:
                        savepoint.rollback()
                    if isinstance(error, DBAPIError):
                        raise  # the store's failure: _commit decides what the callers get
                    slot.error = error
                    if alone:
                        return
                    continue
                if savepoint is not None:
                    savepoint.commit()
                accesses.extend(slot.audit)
            record_events(uow.conn, accesses)
            uow.commit()
