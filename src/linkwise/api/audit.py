"""The audit log for auditors (``linkwise.workspace.audit``): search events, verify the
chain and its signed checkpoints (auditors and administrators), export it as JSON Lines,
and a person's disclosure record (auditors, supervisors, legal reviewers). The role rules
are the governance layer's; every search, verification and export is itself an event.

The export is written by one transaction into a spooled temporary file (memory, then disk
past a few megabytes) and streamed from there, so the answer starts only once the role check
has passed and the log was read whole.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from linkwise.api.deps import WS, ApiUser
from linkwise.api.models import AuditEventOut, ChainCheckOut, Name
from linkwise.api.problems import ApiProblemError
from linkwise.govern.audit import AuditKeyError, AuditValueError, parse_anchor
from linkwise.workspace.audit import (
    AuditQuery,
    disclosures,
    export_audit,
    search_audit,
    search_bound,
    verify_audit,
)

router = APIRouter(prefix="/audit", tags=["audit"])

Decision = Literal["allowed", "refused", "shown", "redacted", "prohibited", "not_found"]
SPOOL_BYTES = 4 * 1024 * 1024


@router.get("/events", summary="Find events by actor, case, subject, action and time")
def search(
    ws: WS,
    user: ApiUser,
    actor: Annotated[Name | None, Query(description="Only events by this user.")] = None,
    action: Annotated[Name | None, Query(description="Only this action.")] = None,
    case: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this case.")] = None,
    subject: Annotated[
        Name | None, Query(description="Only events naming this entity or record id.")
    ] = None,
    decision: Annotated[Decision | None, Query(description="Only this kind of decision.")] = None,
    since: Annotated[
        dt.datetime | None, Query(description="At or after (ISO 8601; UTC without a zone).")
    ] = None,
    until: Annotated[dt.datetime | None, Query(description="Before (same forms).")] = None,
    since_seq: Annotated[
        int | None, Query(ge=0, le=2**62, description="Events after this sequence number.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[AuditEventOut]:
    """Oldest first; the newest ``limit`` matches unless ``since_seq`` is given."""
    query = AuditQuery(
        actor=actor,
        action=action,
        case_id=case,
        subject=subject,
        decision=decision,
        since_time=_utc(since, "since"),
        until_time=_utc(until, "until"),
        since_seq=since_seq,
        limit=limit,
    )
    return [AuditEventOut.of(e) for e in search_audit(ws, user, query)]


@router.get("/verify", summary="Verify the chain and every signed checkpoint")
def verify(
    ws: WS,
    user: ApiUser,
    anchor: Annotated[
        str | None,
        Query(max_length=200, description="SEQ:HASH from an earlier verification."),
    ] = None,
) -> ChainCheckOut:
    try:
        noted = None if anchor is None else parse_anchor(anchor)
    except AuditValueError as exc:
        raise ApiProblemError(422, "invalid-input", f"anchor: {exc}") from None
    try:
        return ChainCheckOut.of(verify_audit(ws, user, anchor=noted))
    except AuditKeyError as exc:
        raise ApiProblemError(409, "audit-key", str(exc)) from None


@router.get(
    "/export",
    summary="The whole log and its checkpoints, one JSON object a line",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export(ws: WS, user: ApiUser) -> StreamingResponse:
    spool: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by the stream)
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8"
    )
    try:
        export_audit(ws, user, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return StreamingResponse(
        _lines(spool),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="audit-log.jsonl"'},
    )


def _lines(spool: IO[str]) -> Iterator[str]:
    with spool:
        yield from spool


@router.get(
    "/disclosures/{entity_id}",
    summary="Which cases and documents were shown the entity's records, by whom and when",
)
def disclosure_record(ws: WS, user: ApiUser, entity_id: str) -> dict[str, Any]:
    return disclosures(ws, user, entity_id).to_json()


def _utc(at: dt.datetime | None, name: str) -> dt.datetime | None:
    if at is None:
        return None
    try:
        return search_bound(at)
    except OverflowError:  # 9999-12-31T23:59-14:00 is past the last day in UTC
        raise ApiProblemError(
            422, "invalid-time", f"{name}: {at.isoformat()} is outside the calendar once in UTC"
        ) from None
