"""``creditcity demo`` runs the whole system end to end on a small city."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditcity.cli import app
from creditcity.config import get_settings

pytestmark = pytest.mark.xdist_group("city")


def test_the_demo_simulates_scores_decides_closes_the_loop_and_certifies(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--dir", str(tmp_path), "--residents", "800", "--no-serve", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] > 10_000 and summary["scored"] > 500
    assert 0.5 < summary["auc"] < 1.0
    approved = [d for d in summary["decisions"] if d.get("approved")]
    declined = [d for d in summary["decisions"] if d.get("approved") is False]
    assert approved and declined
    loop = next(d for d in summary["decisions"] if "outcome" in d)
    assert loop["outcome"]["kind"] == "borrowing_lost"
    assert loop["score_after"] < loop["score_before"]
    assert summary["certificate"]["tier"] and "score" not in summary["certificate"]
    # signed with the keys the server serves /verify and /readyz with, not a folder of its own
    assert not (tmp_path / "keys").exists()
    assert any(get_settings().signing_keys_dir.glob("*.pem"))
