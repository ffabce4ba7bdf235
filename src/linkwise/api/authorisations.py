"""Legal authorisations (orders, warrants, subpoenas) that unlock restricted data for a
case: list with where each stands now, record, approve, revoke
(``linkwise.workspace.cases``). The governance layer checks every role rule (who records a
process, who approves it, never its recorder) and audits each step and each refusal."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path

from linkwise.api.deps import WS, ApiUser
from linkwise.api.models import AuthorisationIn, AuthorisationOut, ReasonIn
from linkwise.govern.policy import authorisation_state
from linkwise.model.authorisations import Authorisation
from linkwise.workspace import cases

router = APIRouter(tags=["authorisations"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _out(ws: WS, auth: Authorisation) -> AuthorisationOut:
    return AuthorisationOut.of(auth, authorisation_state(ws.pack, auth, dt.datetime.now(dt.UTC)))


@router.get(
    "/cases/{case_id}/authorisations",
    summary="A case's authorisations, oldest first, with state and validity",
)
def list_authorisations(ws: WS, user: ApiUser, case_id: Id) -> list[AuthorisationOut]:
    return [AuthorisationOut.of(a, s) for a, s in cases.list_authorisations(ws, user, case_id)]


@router.post(
    "/authorisations",
    status_code=201,
    summary="Record an authorisation; it unlocks nothing until approved, if its process says",
)
def record_authorisation(ws: WS, user: ApiUser, body: AuthorisationIn) -> AuthorisationOut:
    auth = cases.record_authorisation(
        ws,
        user,
        case_id=body.case_id,
        process=body.process,
        issuing_authority=body.issuing_authority,
        reference=body.reference,
        sources=body.sources,
        markings=body.markings,
        subjects=body.subjects,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        notes=body.notes,
    )
    return _out(ws, auth)


@router.post(
    "/authorisations/{authorisation_id}/approve",
    summary="Approve an authorisation someone else recorded",
)
def approve(ws: WS, user: ApiUser, authorisation_id: Id) -> AuthorisationOut:
    return _out(ws, cases.approve_authorisation(ws, user, authorisation_id))


@router.post(
    "/authorisations/{authorisation_id}/revoke",
    summary="Revoke an authorisation at once: the next read no longer sees what it unlocked",
)
def revoke(ws: WS, user: ApiUser, authorisation_id: Id, body: ReasonIn) -> AuthorisationOut:
    return _out(ws, cases.revoke_authorisation(ws, user, authorisation_id, body.reason))
