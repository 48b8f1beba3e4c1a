"""The composition root: the runtime is built here once, and nowhere else.

    runtime = bootstrap(settings, database_url=url, keys=path)   # path: a TOML file to import

Entry points (the CLI, the ASGI app for the API and the portal) ask for a
:class:`Runtime` and pass its parts to services; nothing below this module
reads settings, opens engines or wires handlers on its own. The one event —
*after a commit, these people's files changed* — is subscribed here: rescoring
listens to it (see :mod:`creditcity.ledger.unit_of_work`), so no use case
takes a rescoring callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from creditcity.config import Settings, get_settings
from creditcity.domain.policy import Policy
from creditcity.ledger.checkpoints import checkpoint_aside
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.unit_of_work import on_people_changed
from creditcity.rights.keystore import KeyStore
from creditcity.services.decide import policy_for
from creditcity.services.decision_batching import DecisionBatcher
from creditcity.services.keys import KeyCache, import_keys

__all__ = ["Runtime", "bootstrap", "utc_now"]

_migrated: set[str] = set()


def utc_now() -> datetime:
    """The runtime's clock: naive UTC, as the ledger stores times."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Runtime:
    """Everything a command or a request needs that lives as long as the process."""

    settings: Settings
    engine: Engine
    policy: Policy
    #: the API keys in the database, re-read within a second of any change (see services.keys)
    keyring: KeyCache
    clock: Callable[[], datetime] = utc_now
    #: ``creditcity demo`` only: one-tap demo sign-in and the demo banner (never ``serve``)
    demo: bool = False

    @cached_property
    def keystore(self) -> KeyStore:
        """The city's signing keys, opened (and made, the first time) when first needed."""
        return KeyStore.open(self.settings.signing_keys_dir)

    @cached_property
    def batcher(self) -> DecisionBatcher:
        """Decisions asked at once are answered together, in one transaction."""
        return DecisionBatcher(self.engine, policy=self.policy, settings=self.settings)

    def serving(self) -> Callable[[], None]:
        """Start what only a serving process runs (SQLite checkpoints aside); returns ``stop``."""
        return checkpoint_aside(self.engine)


def bootstrap(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    keys: Path | None = None,
    rescore: bool = True,
    demo: bool = False,
) -> Runtime:
    """The runtime on ``database_url`` (default: the settings'), migrated to the newest schema.

    ``keys`` names a TOML keys file whose keys are added to the database first
    (those already there are left alone). ``rescore=False`` leaves rescoring
    unsubscribed (a bulk import that the operator rescores as a whole afterwards).
    """
    settings = settings or get_settings()
    url = database_url or settings.database_url
    engine = make_engine(url)
    if url not in _migrated:
        migrate(engine)
        _migrated.add(url)
    if rescore:
        on_people_changed(engine, _rescoring(engine))
    if keys is not None:
        import_keys(engine, keys)
    return Runtime(
        settings=settings,
        engine=engine,
        policy=policy_for(settings),
        keyring=KeyCache(engine),
        demo=demo,
    )


def _rescoring(engine: Engine) -> Callable[[frozenset[str]], int]:
    """Rescore whom a commit touched; the scoring stack is imported on first use (it is heavy)."""
    handler: Callable[[frozenset[str]], int] | None = None

    def rescore(people: frozenset[str]) -> int:
        nonlocal handler
        if handler is None:
            from creditcity.services.scoring import rescorer

            handler = rescorer(engine)
        return handler(people)

    return rescore
