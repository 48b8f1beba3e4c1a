"""A unit of work: one connection and one transaction that rolls back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, RootTransaction


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: ...; uow.commit()``; leaving without commit rolls back."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    @property
    def conn(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("UnitOfWork used outside its 'with' block")
        return self._connection

    def __enter__(self) -> UnitOfWork:
        self._connection = self._engine.connect()
        self._transaction = self._connection.begin()
        return self

    def commit(self) -> None:
        """Commit what was done so far and open a new transaction for what follows."""
        assert self._transaction is not None
        self._transaction.commit()
        self._transaction = self.conn.begin()

    def rollback(self) -> None:
        assert self._transaction is not None
        self._transaction.rollback()
        self._transaction = self.conn.begin()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()
        self.conn.close()
        self._connection = None
