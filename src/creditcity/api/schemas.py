"""Request and response bodies: a *create* model for what a caller sends, a *public* one
for what they get back.

Bodies are strict (unknown fields are refused, naming them) and bounded
(lengths, ranges), so a malformed request is a 422 that says which field is
wrong, never a 500. Records are the exception: their body is parsed by the
same validator as a file import (see :mod:`creditcity.services.record_submission`), and
:class:`RecordIn` only documents it in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from creditcity.domain.storable import EXPECTED, unstorable

Text = Field(min_length=1, max_length=200)


class Strict(BaseModel):
    """Unknown fields refused; text both stores can hold (a NUL or a lone surrogate is a
    422 naming the field, on SQLite and PostgreSQL alike)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and (why := unstorable(value)):
            raise ValueError(f"{why}; send {EXPECTED}")
        return value


class ProblemOut(BaseModel):
    where: str = ""
    field: str = ""
    message: str
    expected: str = ""


class ErrorOut(BaseModel):
    """Every error, as RFC 9457 problem details (``application/problem+json``): its kind
    (``type``, ``title``), ``status``, what was wrong (``detail``), the request it answers
    (``instance``, which the logs carry too) and each problem located precisely."""

    type: str = Field(examples=["urn:creditcity:problem:input-rejected"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str = Field(examples=["urn:creditcity:request:4f1c0d0e9a3b4c56"])
    problems: list[ProblemOut] = []


# --- records -------------------------------------------------------------------------------


class RecordIn(BaseModel):
    """One record in the import format (see the README); ``source`` defaults to the caller."""

    source: str | None = Field(None, examples=["bank:west-lake"])
    idempotency_key: str = Field(max_length=128, examples=["loan-88-2026-03"])
    national_id: str | None = Field(None, examples=["330106199001011234"])
    subject: str | None = Field(None, description="a pseudonym, instead of national_id")
    kind: str = Field(examples=["loan_instalment_paid"])
    occurred_at: str = Field(examples=["2026-03-01"])
    city: str | None = None
    supersedes: str | None = None
    ref: str | None = None
    amount: float | str | None = None
    balance: float | str | None = None
    credit_limit: float | str | None = None
    days_late: int | str | None = None
    item: str | None = None
    service: str | None = None


class RecordsReport(BaseModel):
    accepted: int
    duplicate: int
    rejected: int
    rescored: int
    problems: list[ProblemOut]


# --- decisions -----------------------------------------------------------------------------


class DecisionCreate(Strict):
    """A provider's question: may this person skip the deposit, and up to how much?"""

    subject: str = Field(min_length=1, max_length=64, description="national ID or pseudonym")
    service: str = Field(min_length=1, max_length=64, examples=["bike_deposit"])
    amount: float | str = Field(description="yuan requested, e.g. 99 or '99.00'")
    purpose: str = Field(min_length=1, max_length=500, examples=["deposit-free bike rental"])


class ReasonOut(BaseModel):
    code: str
    text: str


class DecisionPublic(BaseModel):
    decision_id: str
    subject: str
    provider: str
    purpose: str
    decided_at: str
    service: str
    approved: bool
    amount_requested: str
    waived_amount: str
    credit_line: str
    granted: str
    tier: str | None
    score: int | None
    thin_file: bool
    reasons: list[ReasonOut]
    restrictions: list[dict[str, Any]]
    benefits: list[str]
    policy_version: str
    model_version: str | None
    record_kind: str | None
    notices: list[dict[str, Any]]


class OutcomeCreate(Strict):
    """How a deposit-free borrowing or a pay-later ended."""

    result: Literal["returned_on_time", "returned_late", "lost", "paid", "overdue"]
    days_late: int | None = Field(None, ge=0, le=36_500)


class OutcomePublic(BaseModel):
    decision_id: str
    subject: str
    service: str
    result: str
    kind: str
    source: str
    idempotency_key: str
    duplicate: bool
    released: bool
    exposure: dict[str, str]
    rescored: bool


# --- a person's standing and rights ---------------------------------------------------------


class ScorePublic(BaseModel):
    subject: str
    score: int | None
    tier: str | None
    percentile_in_city: float | None
    city: str | None
    dimensions: dict[str, float] | None
    reasons: list[dict[str, Any]]
    model_version: str | None
    as_of: str | None
    restrictions: list[dict[str, Any]]


class DisputeCreate(Strict):
    entry_id: int = Field(ge=1, le=2**62, description="the entry id from your access report")
    statement: str = Field(min_length=1, max_length=4000)


class DisputePublic(BaseModel):
    dispute_id: int
    subject: str
    entry_id: int
    statement: str
    opened_at: str
    deadline: str
    status: str
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None


class DisputeResolution(Strict):
    upheld: bool
    note: str = Field(min_length=1, max_length=4000)


class ConsentChange(Strict):
    source: str = Field(min_length=1, max_length=96, examples=["card_issuer:unionpay"])
    action: Literal["grant", "withdraw"]


class ConsentPublic(BaseModel):
    subject: str
    active: list[str]
    events: list[dict[str, Any]]
    changed: bool
    note: str


class CertificateCreate(Strict):
    audience: str | None = Field(
        None, min_length=1, max_length=64, description="the one verifier it is for"
    )
    ttl_days: int = Field(30, ge=1, le=366)


class CertificatePublic(BaseModel):
    token: str
    tier: str
    city: str
    issuer: str
    issued_at: str
    expires_at: str
    jti: str
    audience: str | None
    score_as_of: str
    model_config = ConfigDict(extra="allow")
