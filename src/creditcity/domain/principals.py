"""Who is calling: roles, scopes and the authenticated principal.

Pure values shared by every door into the system (the API, the portal, the
CLI's key commands); how a key becomes a principal is an adapter's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["DEFAULT_SCOPES", "Principal", "Role", "Scope"]


class Role(StrEnum):
    SOURCE = "source"
    PROVIDER = "provider"
    RESIDENT = "resident"
    OPERATOR = "operator"


class Scope(StrEnum):
    RECORDS_WRITE = "records:write"  #: submit records as oneself (sources)
    DECISIONS = "decisions"  #: ask decisions and report their outcomes (providers)
    DECISIONS_SCORE = "decisions:score"  #: see the numeric score in a decision's answer
    SELF = "self"  #: read and act on one's own file (residents)
    SUBJECTS_READ = "subjects:read"  #: read anyone's score, stating why (operator)
    OPERATE = "operate"  #: figures, disputes queue, fairness (operator)


DEFAULT_SCOPES: Mapping[Role, frozenset[Scope]] = {
    Role.SOURCE: frozenset({Scope.RECORDS_WRITE}),
    Role.PROVIDER: frozenset({Scope.DECISIONS}),
    Role.RESIDENT: frozenset({Scope.SELF}),
    Role.OPERATOR: frozenset({Scope.SUBJECTS_READ, Scope.OPERATE}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    id: str
    role: Role
    scopes: frozenset[Scope]
    label: str = ""
    demo: bool = False
    #: the services a provider runs (a provider may only ask decisions for these);
    #: empty for other roles
    services: frozenset[str] = field(default_factory=frozenset)

    @property
    def subject(self) -> str | None:
        """The resident's pseudonym (None for other roles)."""
        return self.id.partition(":")[2] if self.role is Role.RESIDENT else None
