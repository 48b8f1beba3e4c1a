"""Ids that must be unique, not secret: request ids and decision ids.

``uuid4()`` and ``secrets.token_hex()`` ask the kernel for randomness on every
call; at thousands of decisions a second, and in sandboxes where that system
call is slow, the id of a request cost more than its policy. These come from a
per-process generator seeded once from the kernel, and seeded again in every
forked worker so that two workers never draw the same sequence.

Nothing here may be used where guessing matters (keys, session tokens, CSRF
tokens): those stay with :mod:`secrets`. A decision id is not a capability,
every use of one is checked against the provider that asks.
"""

from __future__ import annotations

import os
import random

__all__ = ["unique_hex"]

_generator = random.Random(os.urandom(32))


def _reseed() -> None:
    _generator.seed(os.urandom(32))


os.register_at_fork(after_in_child=_reseed)


def unique_hex(bits: int = 128) -> str:
    """``bits`` random bits as lower-case hex (128: as many as a UUID4 carries, and more)."""
    return f"{_generator.getrandbits(bits):0{bits // 4}x}"
