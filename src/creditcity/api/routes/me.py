"""``/v1/me/...``: a resident's own file: the access report, disputes, consents, certificates."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import Purpose, Resident, RuntimeDep
from creditcity.api.schemas import (
    CertificateCreate,
    CertificatePublic,
    ConsentChange,
    ConsentPublic,
    DisputeCreate,
    DisputePublic,
    ErrorOut,
)
from creditcity.domain.principals import Principal
from creditcity.domain.reason_catalogue import negotiate
from creditcity.services import consent
from creditcity.services.access_report import access_report, render_html
from creditcity.services.certify import issue_for
from creditcity.services.disputes import open_dispute

router = APIRouter(prefix="/v1/me", tags=["resident"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


def _subject(who: Principal) -> str:
    assert who.subject is not None, "the SELF scope is only given to residents"
    return who.subject


@router.get(
    "/report",
    responses={**_ERRORS, 200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
    summary="Everything held about me (access report)",
)
async def my_report(
    who: Resident,
    purpose: Purpose,
    rt: RuntimeDep,
    format: Annotated[Literal["json", "html"], Query()] = "json",
    accept_language: Annotated[str | None, Header()] = None,
) -> Any:
    """Every record (counting or not, and why), score, decision, dispute, consent and access.

    Score reasons are worded in the language ``Accept-Language`` prefers (zh or en).
    """
    report = await run_in_threadpool(
        access_report,
        rt.engine,
        _subject(who),
        settings=rt.settings,
        actor=who.id,
        output=format,
        lang=negotiate(accept_language),
    )
    if format == "html":
        return HTMLResponse(render_html(report))
    return report


@router.post(
    "/disputes",
    response_model=DisputePublic,
    responses=_ERRORS,
    summary="Dispute a record of my file",
)
async def my_dispute(body: DisputeCreate, who: Resident, rt: RuntimeDep) -> Any:
    """The record stops counting at once, until the office decides (by the deadline)."""
    opened = await run_in_threadpool(
        open_dispute,
        rt.engine,
        _subject(who),
        body.entry_id,
        body.statement,
        settings=rt.settings,
        actor=who.id,
    )
    return opened.as_dict()


@router.get(
    "/consents", response_model=ConsentPublic, responses=_ERRORS, summary="My consent register"
)
async def my_consents(who: Resident, purpose: Purpose, rt: RuntimeDep) -> Any:
    state = await run_in_threadpool(consent.list_consents, rt.engine, _subject(who), actor=who.id)
    return state.as_dict()


@router.post(
    "/consents",
    response_model=ConsentPublic,
    responses=_ERRORS,
    summary="Grant or withdraw consent for a voluntary source",
)
async def change_consent(body: ConsentChange, who: Resident, rt: RuntimeDep) -> Any:
    """Only voluntary records depend on it; statutory and contract records always count."""
    change = consent.grant if body.action == "grant" else consent.withdraw
    state = await run_in_threadpool(change, rt.engine, _subject(who), body.source)
    return state.as_dict()


@router.post(
    "/certificates",
    response_model=CertificatePublic,
    responses=_ERRORS,
    summary="Issue a signed credit certificate of my tier",
)
async def my_certificate(body: CertificateCreate, who: Resident, rt: RuntimeDep) -> Any:
    """An Ed25519-signed token stating your tier and its validity, nothing more."""
    issued = await run_in_threadpool(
        issue_for,
        rt.engine,
        rt.keystore,
        _subject(who),
        settings=rt.settings,
        audience=body.audience,
        ttl=timedelta(days=body.ttl_days),
    )
    return issued.as_dict()
