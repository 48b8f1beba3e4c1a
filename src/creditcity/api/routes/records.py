"""``POST /v1/records``: sources submit records, checked like a file import, idempotently."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from creditcity.api.deps import RuntimeDep, Source
from creditcity.api.errors import problem_response
from creditcity.api.schemas import ErrorOut, RecordIn, RecordsReport
from creditcity.errors import InputRejected
from creditcity.services.record_submission import MAX_RECORDS, ingest_body

router = APIRouter(prefix="/v1", tags=["records"])

_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Records in the import format: a JSON array, or JSON Lines "
        f"(one object per line). At most {MAX_RECORDS:,} records.",
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/RecordIn"}}
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/records",
    response_model=RecordsReport,
    openapi_extra=_BODY,
    responses={
        422: {"model": ErrorOut, "description": "some or all records were rejected"},
        403: {"model": ErrorOut},
    },
    summary="Submit records (a source, as itself)",
)
async def submit_records(request: Request, source: Source, rt: RuntimeDep) -> Any:
    """Append the valid records and report every rejected one by row and field.

    200 when every record was stored or already there (a re-sent body is
    idempotent); 422 when some were rejected: those that passed are stored
    all the same, and the body lists each problem. The people whose file
    changed are rescored before the answer.
    """
    body = await request.body()
    outcome = await run_in_threadpool(
        ingest_body,
        body,
        source=source.id,
        engine=rt.engine,
        secret=rt.settings.pseudonym_secret,
        settings=rt.settings,
    )
    report = {
        "accepted": outcome.accepted,
        "duplicate": outcome.duplicate,
        "rejected": outcome.rejected,
        "rescored": outcome.rescored,
    }
    if not outcome.rejected:
        return {**report, "problems": []}
    error = InputRejected(
        f"records rejected: {outcome.rejected}; stored or already there: "
        f"{outcome.accepted + outcome.duplicate}. Fix the rejected ones and send them again "
        "(re-sending the others is harmless)",
        problems=outcome.problems,
    )
    return problem_response(error, **report)


#: Referenced by the request body schema; the app adds it to the OpenAPI components.
RECORD_SCHEMA = RecordIn
