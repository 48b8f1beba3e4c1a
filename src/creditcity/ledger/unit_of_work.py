"""A unit of work: one connection and one transaction that rolls back unless committed.

It also carries the one event the system has: *after commit, these people's
files changed*. A use case marks the people it touched
(``uow.people_changed({...})``); once the transaction commits, every handler
subscribed for that engine (``on_people_changed``) hears of them. Rescoring is
subscribed once, by :mod:`creditcity.bootstrap`, instead of a callback being
threaded through every call site. Writers that commit on connections of their
own (the bulk import's writers) announce with :func:`announce_people_changed`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, RootTransaction

from creditcity.ledger import sqlite_writer

__all__ = ["PeopleChanged", "UnitOfWork", "announce_people_changed", "on_people_changed"]

#: a handler of "these people's files changed" (called after the commit); what it
#: returns is handed back to the writer (rescoring returns how many it rescored)
PeopleChanged = Callable[[frozenset[str]], object]

_log = logging.getLogger(__name__)
_handlers: WeakKeyDictionary[Engine, list[PeopleChanged]] = WeakKeyDictionary()
_lock = threading.Lock()


def on_people_changed(engine: Engine, handler: PeopleChanged) -> Callable[[], None]:
    """Subscribe ``handler`` to commits on ``engine``; returns the unsubscribe function."""
    with _lock:
        _handlers.setdefault(engine, []).append(handler)

    def unsubscribe() -> None:
        with _lock:
            found = _handlers.get(engine, [])
            if handler in found:
                found.remove(handler)

    return unsubscribe


def announce_people_changed(engine: Engine, people: Iterable[str]) -> list[object]:
    """Tell every handler on ``engine`` that ``people`` changed (call after committing).

    A handler that fails is logged and does not undo the commit: the record is
    kept, and the next scoring run catches the person up.
    """
    changed = frozenset(people)
    if not changed:
        return []
    with _lock:
        handlers = list(_handlers.get(engine, []))
    results: list[object] = []
    for handler in handlers:
        try:
            results.append(handler(changed))
        except Exception:
            _log.exception("an after-commit handler failed for %d people", len(changed))
    return results


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: ...; uow.commit()``; leaving without commit rolls back."""

    def __init__(self, engine: Engine, *, connection: Connection | None = None) -> None:
        """``connection``: run on this one (kept open after) instead of one from the pool."""
        self._engine = engine
        self._given = connection
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._changed: set[str] = set()
        #: what the after-commit handlers answered for the last commit
        self.announced: list[object] = []

    @property
    def conn(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("UnitOfWork used outside its 'with' block")
        return self._connection

    def __enter__(self) -> UnitOfWork:
        self._connection = self._given if self._given is not None else self._engine.connect()
        self._transaction = self._connection.begin()
        return self

    def people_changed(self, people: Iterable[str]) -> None:
        """Mark people whose file this transaction changes; announced after the commit."""
        self._changed.update(people)

    def commit(self) -> None:
        """Commit what was done so far and open a new transaction for what follows."""
        assert self._transaction is not None
        self._transaction.commit()
        sqlite_writer.release(self.conn.info)
        self._transaction = self.conn.begin()
        changed, self._changed = self._changed, set()
        self.announced = announce_people_changed(self._engine, changed)

    def rollback(self) -> None:
        assert self._transaction is not None
        self._transaction.rollback()
        sqlite_writer.release(self.conn.info)
        self._transaction = self.conn.begin()
        self._changed.clear()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()
        sqlite_writer.release(self.conn.info)
        if self._given is None:
            self.conn.close()
        self._connection = None
