"""``GET /v1/subjects/{subject}/score``: a person's standing, for the operator or the person."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import CurrentPrincipal, Purpose, RuntimeDep
from creditcity.api.schemas import ErrorOut, ScorePublic
from creditcity.domain.principals import Principal, Scope
from creditcity.domain.reason_catalogue import negotiate
from creditcity.domain.subjects import resolve_subject
from creditcity.errors import NotAuthorised, Problem
from creditcity.services.show import show_subject

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])
SubjectId = Annotated[
    str, Path(min_length=1, max_length=64, description="national ID or pseudonym (p_...)")
]


@router.get(
    "/{subject}/score",
    response_model=ScorePublic,
    responses={403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="A person's score, dimensions, reasons and restrictions",
)
async def subject_score(
    subject: SubjectId,
    who: CurrentPrincipal,
    purpose: Purpose,
    rt: RuntimeDep,
    response: Response,
    accept_language: Annotated[str | None, Header()] = None,
) -> Any:
    """The operator may read anyone's, a resident only their own; the read is audited.

    Reasons are worded in the language ``Accept-Language`` prefers (``zh`` or
    ``en``; default ``en``), named in ``Content-Language``.
    """
    lang = negotiate(accept_language)
    pseudonym = resolve_subject(subject, rt.settings.pseudonym_secret)
    _may_read(who, pseudonym)
    view = await run_in_threadpool(
        show_subject,
        rt.engine,
        pseudonym,
        settings=rt.settings,
        actor=who.id,
        role=who.role.value,
        purpose=purpose,
        lang=lang,
    )
    response.headers["Content-Language"] = lang
    return view.as_dict()


def _may_read(who: Principal, subject: str) -> None:
    if Scope.SUBJECTS_READ in who.scopes or (Scope.SELF in who.scopes and who.subject == subject):
        return
    raise NotAuthorised(
        "you may not read this person's score",
        problems=[
            Problem(
                f"{who.id} ({who.role}) reads only its own file"
                if who.subject
                else f"a {who.role} key cannot read scores",
                where="path",
                field="subject",
                expected="your own subject, or an operator key",
            )
        ],
    )
