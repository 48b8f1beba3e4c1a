"""Verifying the stored audit log: is every row as it was written, in order, none missing?

Reading the chain is not itself audited: it reads the log, not anyone's
file, and appending to the chain while checking it would move its head.
"""

from __future__ import annotations

from sqlalchemy import Engine

from creditcity.domain.principals import Principal
from creditcity.ledger.audit import chain, record_access
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.audit_chain import ChainAnchor, ChainReport, verify_chain


def record_figures_read(engine: Engine, who: Principal, purpose: str, action: str) -> None:
    """Aggregates read nobody's file, but who looked and why is still on the chain."""
    with UnitOfWork(engine) as uow:
        record_access(uow.conn, actor=who.id, role=who.role.value, purpose=purpose, action=action)
        uow.commit()


def verify_audit_log(engine: Engine, *, anchor: ChainAnchor | None = None) -> ChainReport:
    """The verdict on the whole stored chain (see :func:`verify_chain`)."""
    with UnitOfWork(engine) as uow:
        return verify_chain(chain(uow.conn), anchor=anchor)
