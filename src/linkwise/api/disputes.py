"""Disputes of a record's value or of a link, and their decision
(``linkwise.workspace.disputes``): raised by a case worker, decided by a supervisor or
legal reviewer other than the raiser, readable by those and by auditors. A confirmed
dispute answers with the correction made and every case and document that used the wrong
data."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from linkwise.api.deps import WS, ApiUser
from linkwise.api.models import DisputeIn, DisputeOut, ResolutionIn
from linkwise.workspace import disputes

router = APIRouter(prefix="/disputes", tags=["disputes"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("", status_code=201, summary="Dispute a record's value or its link to another")
def raise_dispute(ws: WS, user: ApiUser, body: DisputeIn) -> DisputeOut:
    found = disputes.raise_(
        ws,
        user,
        record=(body.record.source, body.record.source_key),
        evidence=body.evidence,
        field=body.field,
        claimed_value=body.claimed_value,
        link_to=None if body.link_to is None else (body.link_to.source, body.link_to.source_key),
        on_behalf_of=body.on_behalf_of,
        case_id=body.case_id,
    )
    return DisputeOut.of(found)


@router.get("", summary="Disputes, oldest first")
def list_disputes(
    ws: WS,
    user: ApiUser,
    status: Annotated[Literal["open", "confirmed", "rejected"] | None, Query()] = None,
) -> list[DisputeOut]:
    return [DisputeOut.of(d) for d in disputes.list_all(ws, user, status)]


@router.get("/{dispute_id}", summary="One dispute and where the disputed data was used")
def show_dispute(ws: WS, user: ApiUser, dispute_id: Id) -> DisputeOut:
    outcome = disputes.show(ws, user, dispute_id)
    return DisputeOut.of(outcome.dispute, outcome.affected.to_json())


@router.post("/{dispute_id}/confirm", summary="Uphold a dispute: correct the value or the link")
def confirm(ws: WS, user: ApiUser, dispute_id: Id, body: ResolutionIn) -> DisputeOut:
    outcome = disputes.confirm(ws, user, dispute_id, body.resolution)
    return DisputeOut.of(outcome.dispute, outcome.affected.to_json())


@router.post("/{dispute_id}/reject", summary="Reject a dispute; nothing changes")
def reject(ws: WS, user: ApiUser, dispute_id: Id, body: ResolutionIn) -> DisputeOut:
    return DisputeOut.of(disputes.reject(ws, user, dispute_id, body.resolution))
