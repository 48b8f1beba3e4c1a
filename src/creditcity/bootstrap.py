"""The composition root: the runtime is built here once, and nowhere else.

    runtime = bootstrap(settings, database_url=url, keys=path)

Entry points (the CLI, the ASGI app for the API and the portal) ask for a
:class:`Runtime` and pass its parts to services; nothing below this module
reads settings, opens engines or wires handlers on its own. The one event —
*after a commit, these people's files changed* — is subscribed here: rescoring
listens to it (see :mod:`creditcity.ledger.unit_of_work`), so no use case
takes a rescoring callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from creditcity.config import Settings, get_settings
from creditcity.domain.policy import Policy
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.unit_of_work import on_people_changed
from creditcity.rights.keystore import KeyStore
from creditcity.services.decide import policy_for
from creditcity.services.decision_batching import DecisionBatcher
from creditcity.services.keyring import KeyRing

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
    keyring: KeyRing = field(default_factory=KeyRing)
    clock: Callable[[], datetime] = utc_now

    @cached_property
    def keystore(self) -> KeyStore:
        """The city's signing keys, opened (and made, the first time) when first needed."""
        s = self.settings
        return KeyStore.open(s.keys_dir or s.home / "keys")

    @cached_property
    def batcher(self) -> DecisionBatcher:
        """Decisions asked at once are answered together, in one transaction."""
        return DecisionBatcher(self.engine, policy=self.policy, settings=self.settings)


def bootstrap(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    keys: Path | KeyRing | None = None,
    rescore: bool = True,
) -> Runtime:
    """The runtime on ``database_url`` (default: the settings'), migrated to the newest schema.

    ``rescore=False`` leaves rescoring unsubscribed (a bulk import that the
    operator rescores as a whole afterwards).
    """
    settings = settings or get_settings()
    url = database_url or settings.database_url
    engine = make_engine(url)
    if url not in _migrated:
        migrate(engine)
        _migrated.add(url)
    if rescore:
        on_people_changed(engine, _rescoring(engine))
    keyring = keys if isinstance(keys, KeyRing) else KeyRing.load(keys) if keys else KeyRing()
    return Runtime(settings=settings, engine=engine, policy=policy_for(settings), keyring=keyring)


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
