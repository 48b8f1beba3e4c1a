"""The one exception tree of creditcity.

Every message says what was wrong, where (file, row, field, line), and how to
fix it, because the person reading it is an operator or a data source, not the
author of the code.

    CreditCityError
    ├── InputRejected        input failed validation (file rows, HTTP body, CLI args)
    ├── CharterViolation     a model, policy or table touches a forbidden attribute
    ├── PolicyError          a policy file is malformed or breaks a guardrail
    ├── NotFound             a subject, service, model, decision or record is unknown
    ├── Conflict             the request contradicts stored state (double resolve, ...)
    ├── NotAuthorised        a credential is missing, wrong, or lacks the scope
    └── VerificationFailed   a certificate or the audit chain does not verify

HTTP statuses and CLI exit codes are mapped here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CharterViolation",
    "Conflict",
    "CreditCityError",
    "InputRejected",
    "NotAuthorised",
    "NotFound",
    "PolicyError",
    "Problem",
    "VerificationFailed",
    "exit_code_for",
    "http_status_for",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one piece of input, located precisely enough to fix it."""

    message: str
    where: str = ""
    field: str = ""
    expected: str = ""

    def render(self) -> str:
        parts = [p for p in (self.where, f"field '{self.field}'" if self.field else "") if p]
        head = ", ".join(parts)
        tail = f" (expected {self.expected})" if self.expected else ""
        return f"{head}: {self.message}{tail}" if head else f"{self.message}{tail}"


class CreditCityError(Exception):
    """Root of every error creditcity raises on purpose."""

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *("  - " + p.render() for p in self.problems[:50])]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)


class InputRejected(CreditCityError):
    """Raised when input (a file, a request body, an argument) fails validation."""


class CharterViolation(CreditCityError):
    """Raised when a model, policy or training table would use a forbidden attribute."""


class PolicyError(CreditCityError):
    """Raised when a policy file cannot be parsed or breaks a guardrail."""


class NotFound(CreditCityError):
    """Raised when a named subject, service, model, decision or record does not exist."""


class Conflict(CreditCityError):
    """Raised when a request contradicts stored state, e.g. resolving a closed dispute."""


class NotAuthorised(CreditCityError):
    """Raised when a credential is missing or lacks the scope for the request."""


class VerificationFailed(CreditCityError):
    """Raised when a certificate or the audit hash chain fails verification."""


@dataclass(frozen=True, slots=True)
class _Mapping:
    http: dict[type[CreditCityError], int] = field(
        default_factory=lambda: {
            InputRejected: 422,
            CharterViolation: 422,
            PolicyError: 422,
            NotFound: 404,
            Conflict: 409,
            NotAuthorised: 403,
            VerificationFailed: 400,
        }
    )


_MAPPING = _Mapping()


def http_status_for(error: CreditCityError) -> int:
    """The HTTP status the API answers with for this error."""
    for cls in type(error).__mro__:
        if cls in _MAPPING.http:
            return _MAPPING.http[cls]
    return 400


def exit_code_for(error: CreditCityError) -> int:
    """CLI contract: 1 when input was rejected (or not found / not verified)."""
    return 1
