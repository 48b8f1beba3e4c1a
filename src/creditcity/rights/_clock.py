"""One reading of the clock for the rights package, always time-zone aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from creditcity.errors import InputRejected, Problem

#: How far ahead of the verifier's clock an ``iat`` may be before it is suspicious.
CLOCK_SKEW = timedelta(minutes=2)


def moment(now: datetime | None) -> datetime:
    """``now`` if given (it must be aware), else the current UTC time.

    Certificates and keys compare instants across machines; a naive datetime
    would silently mean a different instant on each, so it is refused.
    """
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise InputRejected(
            "times must carry a time zone",
            problems=[
                Problem(
                    message=f"{now!r} is naive",
                    field="now",
                    expected="an aware datetime, e.g. datetime.now(UTC)",
                )
            ],
        )
    return now
