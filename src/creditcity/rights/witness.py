"""Witnessed audit chains: a city's log checked against the checkpoints its peers kept.

A hash chain alone shows that no row was changed *without rehashing the
rows after it*; a city that rewrites a row and rehashes everything after
it has an intact chain again. A checkpoint published to peers fixes the
hash the chain had at one ``seq``: once a peer has kept it, a rewrite of
any row up to that seq changes the hash at the checkpoint and is detected,
whatever was rehashed. :func:`verify_witnessed` checks every checkpoint in
one pass over the chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from creditcity.rights.audit_chain import AuditRow, Break, ChainReport, verify_chain

__all__ = ["Checkpoint", "WitnessReport", "verify_witnessed"]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed head of a city's chain as a peer kept it: row ``seq`` had hash ``hash``."""

    seq: int
    hash: str
    at: str
    witness: str


@dataclass(frozen=True, slots=True)
class WitnessReport:
    """The chain's own verdict plus the verdict against every witnessed checkpoint."""

    chain: ChainReport
    checked: int
    intact: bool
    first_broken: Checkpoint | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        broken = self.first_broken
        return {
            "chain": self.chain.as_dict(),
            "checkpoints_checked": self.checked,
            "intact": self.intact,
            "first_broken_checkpoint": None
            if broken is None
            else {
                "seq": broken.seq,
                "hash": broken.hash,
                "at": broken.at,
                "witness": broken.witness,
            },
            "reason": self.reason,
        }


def verify_witnessed(rows: Iterable[AuditRow], checkpoints: Sequence[Checkpoint]) -> WitnessReport:
    """Verify the chain, then that each checkpoint's row still has the witnessed hash."""
    materialised = list(rows)
    chain = verify_chain(materialised)
    hashes = {row.seq: row.hash for row in materialised}
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        found = hashes.get(checkpoint.seq)
        if found == checkpoint.hash:
            continue
        if found is None:
            reason = (
                f"seq {checkpoint.seq} was witnessed by {checkpoint.witness} at {checkpoint.at} "
                f"but the chain has no such row: rows were deleted ({Break.DELETED})"
            )
        else:
            reason = (
                f"seq {checkpoint.seq} has hash {found[:12]}… but {checkpoint.witness} witnessed "
                f"{checkpoint.hash[:12]}… at {checkpoint.at}: the history up to seq "
                f"{checkpoint.seq} was rewritten ({Break.REWRITTEN})"
            )
        return WitnessReport(chain, len(checkpoints), False, checkpoint, reason)
    return WitnessReport(chain, len(checkpoints), chain.intact, None, chain.reason)
