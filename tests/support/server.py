"""Real ``creditcity serve`` processes for tests that need several workers or a kill -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROVIDER_KEY = "race-provider-key-0123456789"
OPERATOR_KEY = "race-operator-key-0123456789"
KEYS_TOML = f"""
[[keys]]
principal = "bike_operator:race"
role = "provider"
key = "{PROVIDER_KEY}"
services = ["bike_deposit", "power_bank_deposit", "umbrella_deposit"]

[[keys]]
principal = "operator:office"
role = "operator"
key = "{OPERATOR_KEY}"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """kill -9 the parent and every worker at once (no shutdown runs)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(url: str, folder: Path, *, workers: int) -> Server:
    """``creditcity serve --workers N`` on a free port, answering once every worker listens."""
    keys = folder / "keys.toml"
    keys.write_text(KEYS_TOML, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "CREDITCITY_HOME": str(folder / "home")}
    command = [
        *(sys.executable, "-m", "creditcity", "serve", "--database-url", url),
        *("--keys", str(keys), "--port", str(port), "--workers", str(workers)),
    ]
    # the server's JSON log (a line per request) goes to a file: a pipe nobody reads would
    # fill and block the server
    log = folder / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-4000:] or "exited")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                time.sleep(0.5 + 0.5 * workers)  # let every worker finish importing
                return Server(process, port)
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start within 90 s")


@contextmanager
def serving(url: str, folder: Path, *, workers: int) -> Iterator[Server]:
    server = start_server(url, folder, workers=workers)
    try:
        yield server
    finally:
        server.stop()
