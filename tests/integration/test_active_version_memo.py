"""A live rescore's reading of the active version: at once for this process, soon for others."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, update

from creditcity.ledger.models import activate_model, register_model
from creditcity.ledger.tables import models
from creditcity.services import scoring


def _read(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return scoring._active_version(conn, str(engine.url))


def test_an_activation_elsewhere_is_seen_after_the_recheck_one_here_at_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.begin() as conn:
        register_model(conn, "v1", "{}", activate=True)
        register_model(conn, "v2", "{}", activate=False)
    assert _read(engine) == "v1"

    with engine.begin() as conn:  # another process activates v2: no in-process activation
        conn.execute(
            update(models).where(models.c.version == "v2").values(activated_at=datetime(2099, 1, 1))
        )
    assert _read(engine) == "v1", "trusted within the recheck window"
    monkeypatch.setattr(scoring, "ACTIVE_RECHECK_SECONDS", 0.0)
    assert _read(engine) == "v2", "reread once the window has passed"

    monkeypatch.setattr(scoring, "ACTIVE_RECHECK_SECONDS", 3600.0)
    with engine.begin() as conn:
        activate_model(conn, "v1")  # in this process: read again at once
        conn.execute(update(models).where(models.c.version == "v2").values(activated_at=None))
    assert _read(engine) == "v1"
