"""The HTTP API: app over a runtime, dependencies, schemas, and one router per resource.

The served application (API and portal side by side) is assembled in
:mod:`creditcity.asgi`.
"""

from __future__ import annotations

from creditcity.api.app import build_api

__all__ = ["build_api"]
