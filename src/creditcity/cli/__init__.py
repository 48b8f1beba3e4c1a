"""The ``creditcity`` command line: thin commands that parse, call one service, format.

Each command group lives in its own module and registers itself on :data:`app`
when imported below. Exit codes (DESIGN.md): 0 success, 1 input rejected (with
the report), 2 usage.
"""

from __future__ import annotations

from creditcity.cli import (  # noqa: F401  (imported to register their commands)
    audit,
    certificate,
    consent,
    decide,
    demo,
    dispute,
    export,
    federation,
    ingest,
    keys,
    model,
    policy,
    purge,
    report,
    score,
    serve,
    simulate,
    train,
)
from creditcity.cli._app import app

__all__ = ["app"]
