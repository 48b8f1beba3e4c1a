"""City nodes for federation tests: each its own database, home, keys and ``serve`` process.

A node's server runs as a separate process on a free loopback port; the test
process reaches each node's database directly through the services, the way
an operator's command line would on that node's machine.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, create_engine, select, text

from creditcity.config import Settings
from creditcity.domain.restrictions import ActiveRestriction
from creditcity.domain.subjects import pseudonymise
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.tables import entries
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decide import person_facts, policy_for
from creditcity.services.federation import add_peer, city_jwks
from creditcity.services.ingest import ingest_files

FEDERATION_SECRET = "federation-test-secret"
SRC = Path(__file__).resolve().parents[2] / "src"


@contextmanager
def second_database(url: str, tmp: Path) -> Iterator[str]:
    """A second database beside ``url``: another SQLite file, or another PostgreSQL schema."""
    if url.startswith("sqlite"):
        yield f"sqlite:///{tmp / 'second-city.db'}"
        return
    base = url.partition("?")[0]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    """One city: settings, a migrated engine, and (when started) its server process."""

    city: str
    database_url: str
    home: Path
    interval: float = 0.1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.settings = Settings(
            database_url=self.database_url,
            city=self.city,
            home=self.home,
            pseudonym_secret=f"local-secret-of-{self.city}",
            federation_secret=FEDERATION_SECRET,
            federation_checkpoint_seconds=0,
        )
        self.engine: Engine = make_engine(self.database_url)
        migrate(self.engine)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDITCITY_")}
        env.update(
            PYTHONPATH=str(SRC),
            CREDITCITY_DATABASE_URL=self.database_url,
            CREDITCITY_CITY=self.city,
            CREDITCITY_HOME=str(self.home),
            CREDITCITY_PSEUDONYM_SECRET=self.settings.pseudonym_secret,
            CREDITCITY_FEDERATION_SECRET=FEDERATION_SECRET,
            CREDITCITY_FEDERATION_CHECKPOINT_SECONDS="0",
        )
        return env

    def start(self) -> None:
        command = [sys.executable, "-m", "creditcity", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--federation-interval", str(self.interval)]
        self.process = subprocess.Popen(command, env=self.env(), stdout=subprocess.DEVNULL)
        wait_until(self._listening, timeout=120, what=f"{self.city} to listen on {self.port}")

    def _listening(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.city} exited with {self.process.returncode}")
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def subject(self, national_id: str) -> str:
        return pseudonymise(national_id, self.settings.pseudonym_secret)

    def ingest(self, rows: list[dict[str, object]], tmp: Path, name: str) -> None:
        path = tmp / f"{self.city}-{name}.parquet"
        names = sorted({k for row in rows for k in row})
        pq.write_table(pa.table({n: [row.get(n) for row in rows] for n in names}), path)
        report = ingest_files([path], engine=self.engine, settings=self.settings)
        assert report.ok, report.files[0].problems

    def restrictions(self, national_id: str) -> list[ActiveRestriction]:
        with UnitOfWork(self.engine) as uow:
            facts = person_facts(
                uow.conn, self.subject(national_id), policy_for(self.settings), datetime.now()
            )
        return list(facts.restrictions)

    def kinds_held(self) -> list[str]:
        with self.engine.connect() as conn:
            return [str(k) for (k,) in conn.execute(select(entries.c.kind))]


def peer(a: Node, b: Node, tmp: Path) -> None:
    """Make ``a`` and ``b`` peers of each other (each holds the other's JWKS)."""
    for me, other in ((a, b), (b, a)):
        jwks = tmp / f"{other.city}.jwks"
        jwks.write_text(json.dumps(city_jwks(other.settings)))
        add_peer(me.engine, other.city, other.url, jwks, me.settings)


def wait_until(check: Callable[[], object], *, timeout: float, what: str) -> float:
    """Poll ``check`` until it is true; the seconds it took, or fail naming ``what``."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def court(
    national_id: str, ref: str, kind: str = "court_judgment", **extra: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "source": "court:hangzhou-intermediate",
        "idempotency_key": f"{kind}-{ref}",
        "national_id": national_id,
        "kind": kind,
        "occurred_at": datetime(2026, 11, 20, 9, 0),
        "ref": ref,
    }
    if kind == "court_judgment":
        row["amount"] = 18_000.0
    row.update(extra)
    return row


def bill(national_id: str, key: str) -> dict[str, object]:
    return {
        "source": "utility:suzhou-water",
        "idempotency_key": key,
        "national_id": national_id,
        "kind": "utility_bill",
        "occurred_at": datetime(2026, 11, 1, 8, 0),
        "ref": key,
        "amount": 80.0,
        "days_late": 0,
    }


def spending(national_id: str, key: str) -> dict[str, object]:
    return {
        "source": "bank:west-lake",
        "idempotency_key": key,
        "national_id": national_id,
        "kind": "monthly_spending",
        "occurred_at": datetime(2026, 11, 1, 8, 0),
        "amount": 3200.0,
    }
