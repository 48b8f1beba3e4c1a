"""A real ``creditcity`` server in a subprocess on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

#: the box is shared and a cold start imports a lot; the wait is for readiness, not speed
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(
    *args: str, home: Path, secret: str = "served-test-secret"
) -> subprocess.CompletedProcess[str]:
    """Run ``creditcity ARGS`` as a user would (its own process), returning what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "creditcity", *args],
        env=environment(home, secret),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def environment(home: Path, secret: str = "served-test-secret") -> dict[str, str]:
    return {**os.environ, "CREDITCITY_HOME": str(home), "CREDITCITY_PSEUDONYM_SECRET": secret}


@contextmanager
def served(args: list[str], env: Mapping[str, str]) -> Iterator[str]:
    """``creditcity ARGS --port P`` until the block ends; yields ``http://127.0.0.1:P``."""
    port = free_port()
    # the JSON access log goes to a file: a pipe nobody reads fills after a few hundred
    # requests and then blocks the server
    log = Path(tempfile.mkstemp(prefix=f"creditcity-served-{port}-", suffix=".log")[1])
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "creditcity", *args, "--port", str(port)],
            env=dict(env),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.unlink(missing_ok=True)


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(errors="replace")[-4000:]
            pytest.fail(f"creditcity serve exited: {output}")
        try:
            if httpx.get(f"{base}/v1/public/policy", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail(f"creditcity serve did not answer within {STARTUP_SECONDS} s")
