"""What the browser tests share: axe-core from npm, a guard on outside requests, checks.

axe-core is installed with npm into ``.cache/axe`` the first time (the
registry is reached only then); Playwright injects it into each page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / ".cache" / "axe"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"


def axe_script() -> Path:
    """axe-core's script, installed with npm on first use (fails in CI, skips elsewhere)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is not None:
            AXE_DIR.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), "axe-core@4"],
                check=False,
                capture_output=True,
                timeout=300,
            )
    if not AXE.exists():
        message = "axe-core could not be installed with npm (apt-get install -y npm)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, as 'rule: target' lines."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']}: {node['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


class OutsideRequests:
    """Refuses, and remembers, every request that would leave 127.0.0.1."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def __call__(self, route: Any) -> None:
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1" or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()
