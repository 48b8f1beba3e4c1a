"""``creditcity serve``: the HTTP API and the portal under uvicorn.

    creditcity serve [--host 127.0.0.1] [--port 8000] [--workers N] [--keys FILE]
                     [--federation-interval S] [--database-url URL]

API keys live in the database (``creditcity keys``); ``--keys FILE`` imports a
TOML keys file first. Demo sign-in is never offered here, only by
``creditcity demo``; and ``serve`` refuses the old shipped demo pseudonym secret.

With ``--workers N`` above 1 the parent binds the socket, migrates the
database once, and forks N workers that each build their own app (engine,
connection pool, decision batcher) after the fork, so nothing open is shared
between processes and no setting travels through the environment. The parent
forwards SIGINT/SIGTERM to the workers and exits when they have.

Operations: SIGTERM drains (no new connections; requests in flight finish,
for up to ``graceful_shutdown_seconds``); SIGHUP is logged and otherwise
ignored, never fatal (keys and sessions are read live, the policy is read at
start). Logs are JSON lines on stderr with the request id, the access log
included (``access_log``). With several workers, each writes its metrics under
a fresh temporary ``PROMETHEUS_MULTIPROC_DIR`` and any worker's ``/metrics``
adds them up. Behind a reverse proxy, ``proxy_headers`` and
``forwarded_allow_ips`` say whose ``X-Forwarded-For``/``-Proto`` to believe
(the client address then drives the failed-key throttle).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from creditcity.cli._app import DatabaseUrl, app, console, reported_errors
from creditcity.cli._app import database_url as resolve_url
from creditcity.cli.malloc_arenas import cap_malloc_arenas
from creditcity.config import DEMO_SECRET, Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi import FastAPI

_MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # creditcity.metrics.MULTIPROC_ENV

KeysFile = Annotated[
    Path | None,
    typer.Option(
        "--keys",
        help="A TOML keys file to import into the database first (keys are managed with "
        "`creditcity keys`).",
    ),
]
Interval = Annotated[
    float,
    typer.Option(
        "--federation-interval",
        help="Seconds between pulls of peer cities' feeds (0 = never; federated only).",
        min=0,
    ),
]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    keys: KeysFile = None,
    federation_interval: Interval = 1.0,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the API (OpenAPI at /docs) and the portal (at /) until interrupted."""
    with reported_errors():
        url = resolve_url(database_url)
        run_server(
            url, host=host, port=port, workers=workers, keys=keys, interval=federation_interval
        )


def run_server(
    url: str,
    *,
    host: str,
    port: int,
    workers: int,
    keys: Path | None,
    interval: float = 1.0,
    demo: bool = False,
) -> None:
    """Migrate, import ``keys``, then serve; ``demo`` (``creditcity demo``) adds demo sign-in."""
    with _operations(workers):
        _start(url, host=host, port=port, workers=workers, keys=keys, interval=interval, demo=demo)


def _start(
    url: str, *, host: str, port: int, workers: int, keys: Path | None, interval: float, demo: bool
) -> None:
    import uvicorn

    from creditcity.cli._wiring import open_engine
    from creditcity.services.keys import import_keys

    settings = get_settings()
    if not demo:
        refuse_demo_secret(settings)
    engine = open_engine(url)  # migrate once, before any worker starts
    if keys is not None:
        report = import_keys(engine, keys)
        console.print(f"keys from {keys}: {report.added} added, {report.already_present} present")
    engine.dispose()
    console.print(
        f"creditcity on http://{host}:{port} (portal /, API docs /docs), "
        f"{workers} worker(s), database {_safe(url)}, data in {settings.home}"
    )
    if workers > 1 and url.startswith("sqlite"):
        console.print(
            "note: SQLite has one writer; with several workers they take turns "
            "(PostgreSQL lets them write side by side)"
        )
    if workers == 1:
        _run(_app_factory(url, demo), host, port, None, interval)
        return
    if hasattr(socket, "SO_REUSEPORT"):
        held = _reserve(host, port)  # the port is taken (or refused) here, before any fork
        bound = held.getsockname()[1]

        def work() -> None:
            own = _listening(host, bound)
            _run(_app_factory(url, demo), host, bound, own, interval)

        supervise(held, work, workers)
        return
    sock = uvicorn.Config(_app_factory, host=host, port=port).bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    supervise(sock, lambda: _run(_app_factory(url, demo), host, port, sock, interval), workers)


def _reserve(host: str, port: int) -> socket.socket:
    """A bound socket that holds the port for the workers' own listening sockets.

    Bound, never listening: the kernel hands connections only to listening
    sockets, so every connection goes to a worker. A port in use fails here
    with the usual error, before anything is forked.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise SystemExit(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


def _listening(host: str, port: int) -> socket.socket:
    """One worker's own listening socket on the shared port (``SO_REUSEPORT``).

    With one socket shared by every worker, whichever process woke first took
    each new connection, and a keep-alive client's connections stayed where
    they landed: 22 of 32 on one worker and 10 on the other, measured under
    ``python -m bench.bench_soak``, so one process ran at its limit while the
    other idled. With a socket each, the kernel spreads connections over them.
    """
    sock = _reserve(host, port)
    # A socket made here is not one asyncio made, so asyncio does not turn Nagle's
    # algorithm off on its connections, and a keep-alive client then waits ~40 ms
    # (delayed ACK) for every response. Accepted sockets inherit this option.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def refuse_demo_secret(settings: Settings) -> None:
    """The secret earlier versions shipped makes guessable pseudonyms: never serve with it."""
    from creditcity.errors import InputRejected, Problem

    if settings.pseudonym_secret == DEMO_SECRET:
        raise InputRejected(
            "the pseudonym secret is the public demo secret; residents' pseudonyms could be "
            "recomputed by anyone",
            problems=[
                Problem(
                    "CREDITCITY_PSEUDONYM_SECRET is the shipped demo value",
                    where="environment",
                    field="CREDITCITY_PSEUDONYM_SECRET",
                    expected="unset it to have a random secret made under "
                    f"{settings.home} (first start only: a new secret changes every "
                    "pseudonym, so re-import the records), or set 32+ random characters",
                )
            ],
        )


def _app_factory(url: str, demo: bool = False) -> FastAPI:
    """The app of one serving process, built after its malloc arenas are capped (and so
    before any of its threads start: see :mod:`creditcity.cli.malloc_arenas`)."""
    from creditcity.asgi import create_app

    cap_malloc_arenas()
    return create_app(url, settings=get_settings(), demo=demo)


@contextlib.contextmanager
def _operations(workers: int) -> Iterator[None]:
    """JSON logs, SIGHUP harmless, and (several workers) a metrics folder they share."""
    from creditcity.logs import configure_logging

    settings = get_settings()
    folder = None
    # before anything imports prometheus_client, which picks its storage once, at import
    if workers > 1 and not os.environ.get(_MULTIPROC_ENV):
        folder = tempfile.mkdtemp(prefix="creditcity-metrics-")
        os.environ[_MULTIPROC_ENV] = folder
    configure_logging(settings.log_level)
    signal.signal(signal.SIGHUP, _on_hangup)
    try:
        yield
    finally:
        if folder is not None:
            os.environ.pop(_MULTIPROC_ENV, None)
            shutil.rmtree(folder, ignore_errors=True)


def _on_hangup(_signum: int, _frame: object) -> None:
    logging.getLogger("creditcity.serve").info(
        "SIGHUP ignored: keys and sessions are read live; restart to load a new policy"
    )


def _run(
    application: FastAPI, host: str, port: int, sock: socket.socket | None, interval: float
) -> None:
    """Serve until stopped; a federated city pulls its peers meanwhile (one worker at a time)."""
    import uvicorn

    from creditcity.services.federation_pull import puller_for

    settings = get_settings()
    config = uvicorn.Config(
        application,
        host=host,
        port=port,
        log_level=settings.log_level,
        log_config=None,  # creditcity.logs configured the loggers: JSON lines
        access_log=False,  # the edge middleware logs each request, with its id and route
        lifespan="off",
        proxy_headers=settings.proxy_headers,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
    )
    engine = application.state.runtime.engine
    puller = puller_for(engine, get_settings(), interval)
    stop_checkpoints = application.state.runtime.serving()
    try:
        uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
    finally:
        stop_checkpoints()
        if puller is not None:
            puller.stop()


def supervise(sock: socket.socket, work: Callable[[], None], workers: int) -> None:
    """Fork ``workers`` processes that each call ``work`` (serving ``sock``); wait for all."""
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker builds its own app, engine and pool after the fork
            code = 0
            try:
                work()
            except BaseException:
                code = 1
            os._exit(code)
        children.append(pid)

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    failed = 0
    for child in children:
        _, status = os.waitpid(child, 0)
        failed += os.waitstatus_to_exitcode(status) not in (0, -signal.SIGINT, -signal.SIGTERM)
    sock.close()
    if failed:
        sys.exit(1)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
