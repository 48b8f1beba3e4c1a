"""Notices to the person: no restriction binds anyone without telling them.

The charter asks for a notice, an appeal route and an expiry with every
restriction. When a restriction is found active for a person for the first
time (on any decision about them, whatever the service asked), a notice row
is stored with the policy's text; the unique ``(subject, kind, reference)``
constraint makes "the first time" exact even under concurrent decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from creditcity.domain.restrictions import ActiveRestriction
from creditcity.ledger.decisions import notify_once

__all__ = ["RESTRICTION_NOTICE", "Notice", "notice_text", "notify_restrictions"]

RESTRICTION_NOTICE = "restriction"


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice just sent to a person."""

    kind: str
    reference: str
    text: str
    rule: str
    expires_on: str
    #: in English, as the stored notice text is (the portal words it from the policy)
    appeal_route: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reference": self.reference,
            "rule": self.rule,
            "expires_on": self.expires_on,
            "appeal_route": self.appeal_route,
            "text": self.text,
        }


def notice_text(restriction: ActiveRestriction) -> str:
    """The policy's notice, completed with the expiry and appeal route if it left them out.

    An operator's template may omit ``{expires_on}`` or ``{appeal_route}``; the
    person must still learn both, so they are appended.
    """
    text = restriction.notice
    expires = restriction.expires_on.isoformat()
    if expires not in text:
        text += f" This restriction expires on {expires} at the latest."
    appeal = restriction.appeal_route.en
    if appeal not in text:
        text += f" To appeal: {appeal}."
    return text


def notify_restrictions(
    conn: Connection, subject: str, restrictions: Sequence[ActiveRestriction], now: datetime
) -> list[Notice]:
    """Store a notice for each restriction the person was not yet told of; return the new ones."""
    sent: list[Notice] = []
    for restriction in restrictions:
        text = notice_text(restriction)
        reference = restriction.record_ref
        if notify_once(
            conn,
            subject=subject,
            kind=RESTRICTION_NOTICE,
            reference=reference,
            text=text,
            created_at=now,
        ):
            sent.append(
                Notice(
                    RESTRICTION_NOTICE,
                    reference,
                    text,
                    restriction.rule,
                    restriction.expires_on.isoformat(),
                    restriction.appeal_route.en,
                )
            )
    return sent
