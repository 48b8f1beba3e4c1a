"""kill -9 in the middle of a 1M-record import, re-run: every record exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.support.records import instalment_table, write_parquet

from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.tables import entries

ROWS = 1_000_000
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy")]


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "records.parquet"
    return write_parquet(instalment_table(ROWS, seed=7), path)


def _count(url: str) -> tuple[int, int]:
    with make_engine(url).connect() as conn:
        total = conn.execute(select(func.count()).select_from(entries)).scalar_one()
        distinct = conn.execute(
            select(func.count()).select_from(
                select(entries.c.source, entries.c.idempotency_key).distinct().subquery()
            )
        ).scalar_one()
    return int(total), int(distinct)


def _ingest(url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "creditcity", "ingest", str(path), "--json", "--database-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_an_import_killed_mid_way_and_run_again_holds_every_record_exactly_once(
    db_url: str, million: Path
) -> None:
    migrate(make_engine(db_url))
    victim = _ingest(db_url, million)
    deadline = time.monotonic() + 300
    while _count(db_url)[0] < 100_000:
        assert victim.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.2)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    before, _ = _count(db_url)
    assert 0 < before < ROWS, "the kill should land mid-way"

    rerun = _ingest(db_url, million)
    out, err = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, err
    report = json.loads(out)
    assert report["accepted"] == ROWS - before
    assert report["duplicate"] == before
    assert _count(db_url) == (ROWS, ROWS)
