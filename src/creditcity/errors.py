"""The one exception tree of creditcity.

Every message says what was wrong, where (file, row, field, line), and how to
fix it, because the person reading it is an operator or a data source, not the
author of the code.

    CreditCityError
    ├── InputRejected        input failed validation (file rows, HTTP body, CLI args)
    │   └── TooLarge         a body is larger than the route accepts (refused before reading)
    ├── CharterViolation     a model, policy or table touches a forbidden attribute
    ├── PolicyError          a policy file is malformed or breaks a guardrail
    ├── NotFound             a subject, service, model, decision or record is unknown
    ├── Conflict             the request contradicts stored state (double resolve, ...)
    ├── NotAuthorised        a known credential lacks the scope or the right to this file
    │   └── NotAuthenticated no credential, or one nobody issued (or since revoked)
    ├── TooMany              a limit per key, address or person is reached; retry later
    └── VerificationFailed   a certificate or the audit chain does not verify

HTTP statuses and CLI exit codes are mapped here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CharterViolation",
    "Conflict",
    "CreditCityError",
    "InputRejected",
    "NotAuthenticated",
    "NotAuthorised",
    "NotFound",
    "PolicyError",
    "Problem",
    "TooLarge",
    "TooMany",
    "VerificationFailed",
    "exit_code_for",
    "http_status_for",
    "problem_type_for",
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


class TooLarge(InputRejected):
    """Raised when a request body is larger than its route accepts (before it is read)."""


class NotAuthorised(CreditCityError):
    """Raised when a known credential lacks the scope, or the right to this person's file."""


class NotAuthenticated(NotAuthorised):
    """Raised when no credential is sent, or one that is unknown, expired or revoked."""


class TooMany(CreditCityError):
    """Raised when a limit is reached: requests per key, failed sign-ins per address,
    disputes per person. ``retry_after`` says in how many seconds to try again."""

    def __init__(
        self, message: str, *, retry_after: int, problems: list[Problem] | None = None
    ) -> None:
        super().__init__(message, problems=problems)
        self.retry_after = max(1, int(retry_after))


class VerificationFailed(CreditCityError):
    """Raised when a certificate or the audit hash chain fails verification."""


#: status, problem type slug and title (RFC 9457) of each kind of error, most specific first
_HTTP: dict[type[CreditCityError], tuple[int, str, str]] = {
    TooLarge: (413, "too-large", "Request body too large"),
    InputRejected: (422, "input-rejected", "Input rejected"),
    CharterViolation: (422, "charter-violation", "Forbidden attribute"),
    PolicyError: (422, "policy-error", "Policy rejected"),
    NotFound: (404, "not-found", "Not found"),
    Conflict: (409, "conflict", "Conflicts with stored state"),
    NotAuthenticated: (401, "not-authenticated", "Not authenticated"),
    NotAuthorised: (403, "not-authorised", "Not allowed"),
    TooMany: (429, "too-many", "Too many requests"),
    VerificationFailed: (400, "verification-failed", "Verification failed"),
}
_DEFAULT = (400, "bad-request", "Bad request")
#: the namespace of problem types; each is described in the README ("Errors")
PROBLEM_TYPE = "urn:creditcity:problem:"


def _entry(error: CreditCityError) -> tuple[int, str, str]:
    for cls in type(error).__mro__:
        if cls in _HTTP:
            return _HTTP[cls]
    return _DEFAULT


def http_status_for(error: CreditCityError) -> int:
    """The HTTP status the API answers with for this error."""
    return _entry(error)[0]


def problem_type_for(error: CreditCityError) -> tuple[str, str]:
    """The RFC 9457 ``type`` URI and ``title`` of this error's kind."""
    _, slug, title = _entry(error)
    return PROBLEM_TYPE + slug, title


def exit_code_for(error: CreditCityError) -> int:
    """CLI contract: 1 when input was rejected (or not found / not verified)."""
    return 1
