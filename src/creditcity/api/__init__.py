"""The HTTP service: FastAPI app, dependencies, schemas, and one router per resource.

from creditcity.api import create_app
app = create_app("sqlite:///./creditcity.db", keys=Path("keys.toml"))
"""

from __future__ import annotations

from creditcity.api.app import create_app

__all__ = ["create_app"]
