"""What a dashboard of the workspace's data shows: the sources with their record counts and
latest ingestion, the ingestion runs, and the rows ingestion set aside (quarantine). Sources
and runs are counts and file names, for any logged-in user; quarantined rows quote the
values that failed validation, so only administrators list them
(``linkwise.workspace.operations``), and their raw columns are never sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from linkwise.api.deps import WS, ApiUser
from linkwise.api.models import Name, QuarantineOut, RunOut, SourceOut
from linkwise.workspace import operations

router = APIRouter(tags=["sources"])


@router.get("/sources", summary="Sources: records, markings, latest run and its quarantine")
def sources(ws: WS, user: ApiUser) -> list[SourceOut]:
    return [SourceOut.of(s) for s in ws.sources()]


@router.get("/runs", summary="Ingestion runs, newest first")
def runs(
    ws: WS,
    user: ApiUser,
    source: Annotated[Name | None, Query(description="Only this source's runs.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[RunOut]:
    return [RunOut.of(r) for r in ws.runs(source, limit)]


@router.get("/quarantine", summary="Rows the latest runs set aside, and why (administrators)")
def quarantine(
    ws: WS,
    user: ApiUser,
    source: Annotated[Name | None, Query(description="Only this source.")] = None,
    run: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this run.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[QuarantineOut]:
    found = operations.quarantine(ws, user, source=source, run_id=run, limit=limit)
    return [QuarantineOut.of(q) for q in found]
