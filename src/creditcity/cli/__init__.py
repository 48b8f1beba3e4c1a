"""The ``creditcity`` command line: thin commands that parse, call one service, format.

Each command group lives in its own module and registers itself on :data:`app`.
Exit codes (DESIGN.md): 0 success, 1 input rejected (with the report), 2 usage.
"""

from __future__ import annotations

from creditcity.cli._app import app

# Importing the command modules registers their commands on ``app``.
from creditcity.cli import ingest as _ingest  # noqa: F401,E402
from creditcity.cli import policy as _policy  # noqa: F401,E402
from creditcity.cli import certificate as _certificate  # noqa: F401,E402
from creditcity.cli import train as _train  # noqa: F401,E402
from creditcity.cli import simulate as _simulate  # noqa: F401,E402
from creditcity.cli import decide as _decide  # noqa: F401,E402
from creditcity.cli import report as _report  # noqa: F401,E402
from creditcity.cli import dispute as _dispute  # noqa: F401,E402
from creditcity.cli import consent as _consent  # noqa: F401,E402
from creditcity.cli import purge as _purge  # noqa: F401,E402
from creditcity.cli import audit as _audit  # noqa: F401,E402

__all__ = ["app"]
