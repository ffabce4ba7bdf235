"""Cases: their lifecycle (``linkwise.workspace.case_work``), and what is made from their
data: the priority, the case package and drafted documents (``linkwise.workspace.
drafting``).

The lifecycle routes act as the token's user and the case rules decide (a refusal is a 403
whose audit event is already committed; a move the lifecycle does not allow is a 409 or
422). Routes under ``/cases/{case_id}/`` that read person data (priority, package,
documents) open the governed session of the case in the path: its purpose decides what they
show, whatever case header the request carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from linkwise.api.deps import WS, ApiUser
from linkwise.api.models import (
    AssignIn,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CaseSummaryOut,
    ConfirmIn,
    DocumentOut,
    DraftIn,
    MoveIn,
    NoteIn,
    NoteOut,
    ReasonIn,
    Status,
    SubjectIn,
    SubjectOut,
)
from linkwise.workspace import case_work, drafting
from linkwise.workspace.session import WorkspaceSession

router = APIRouter(prefix="/cases", tags=["cases"])

CaseNo = Annotated[int, Path(ge=1, le=2**31 - 1, description="The case's id.")]
DocNo = Annotated[int, Path(ge=1, le=2**31 - 1, description="The document's id.")]
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def case_session(ws: WS, user: ApiUser, case_id: CaseNo) -> Iterator[WorkspaceSession]:
    """The governed session of the case named in the path."""
    with ws.session(user, case_id) as session:
        yield session


InCase = Annotated[WorkspaceSession, Depends(case_session)]


@router.get("", summary="Cases, newest first, with status, assignee and last priority")
def list_cases(
    ws: WS,
    user: ApiUser,
    status: Annotated[list[Status] | None, Query(description="Only these (repeat).")] = None,
    mine: Annotated[bool, Query(description="Only cases assigned to me.")] = False,
) -> list[CaseSummaryOut]:
    found = case_work.list_cases(ws, user, statuses=status or [], mine=mine)
    return [CaseSummaryOut.of_summary(c) for c in found]


@router.post("", status_code=201, summary="Open a case with a purpose (and subjects)")
def create_case(ws: WS, user: ApiUser, body: CaseIn) -> CaseOut:
    case = case_work.create_case(
        ws, user, body.title, body.purpose, subjects=body.subjects, reason=body.reason
    )
    return CaseOut.of(case)


@router.get("/{case_id}", summary="One case: subjects, notes, history, last priority")
def show_case(ws: WS, user: ApiUser, case_id: CaseNo) -> CaseDetailOut:
    return CaseDetailOut.of_detail(case_work.show_case(ws, user, case_id))


@router.post("/{case_id}/assign", summary="Give the case to a user (supervisors)")
def assign(ws: WS, user: ApiUser, case_id: CaseNo, body: AssignIn) -> CaseOut:
    return CaseOut.of(case_work.assign(ws, user, case_id, body.assignee))


@router.post("/{case_id}/move", summary="Move the case along its lifecycle")
def move(ws: WS, user: ApiUser, case_id: CaseNo, body: MoveIn) -> CaseOut:
    return CaseOut.of(case_work.move(ws, user, case_id, body.status, body.reason))


@router.post("/{case_id}/notes", status_code=201, summary="Add a note to the case's history")
def add_note(ws: WS, user: ApiUser, case_id: CaseNo, body: NoteIn) -> NoteOut:
    return NoteOut.of(case_work.add_note(ws, user, case_id, body.text))


@router.post("/{case_id}/subjects", status_code=201, summary="Name an entity as a subject")
def add_subject(ws: WS, user: ApiUser, case_id: CaseNo, body: SubjectIn) -> SubjectOut:
    return SubjectOut.of(case_work.add_subject(ws, user, case_id, body.entity_id, body.reason))


@router.post(
    "/{case_id}/subjects/{entity_id}/remove", summary="Remove a subject (kept in the history)"
)
def remove_subject(
    ws: WS, user: ApiUser, case_id: CaseNo, entity_id: str, body: ReasonIn
) -> SubjectOut:
    return SubjectOut.of(case_work.remove_subject(ws, user, case_id, entity_id, body.reason))


@router.post(
    "/{case_id}/subjects/{entity_id}/confirm",
    summary="After a merge or split, confirm which entities the case concerns",
)
def confirm_subject(
    ws: WS, user: ApiUser, case_id: CaseNo, entity_id: str, body: ConfirmIn
) -> list[SubjectOut]:
    rows = case_work.confirm_subject(ws, user, case_id, entity_id, body.entity_ids, body.reason)
    return [SubjectOut.of(r) for r in rows]


@router.post(
    "/{case_id}/priority",
    summary="Compute the priority from the pack's rules (kept in the history; case.priority)",
)
def priority(session: InCase) -> dict[str, Any]:
    return session.case_priority().to_json()


@router.get(
    "/{case_id}/package",
    summary="The case package as JSON, or as a PDF with ?format=pdf (case.package)",
    responses={200: {"content": {"application/pdf": {}}}},
)
def package(session: InCase, format: Annotated[Literal["json", "pdf"], Query()] = "json") -> Any:
    if format == "json":
        return drafting.case_package(session)
    files = drafting.export_case_package(session, ["pdf"])
    return Response(
        files["pdf"],
        media_type=MEDIA["pdf"],
        headers=_attachment(f"case-{session.case.id}-package.pdf"),
    )


@router.post(
    "/{case_id}/documents",
    status_code=201,
    summary="Draft a document from the case package (a new version if one exists)",
)
def draft(session: InCase, body: DraftIn) -> DocumentOut:
    return DocumentOut.of(drafting.draft(session, body.kind))


@router.get("/{case_id}/documents", summary="Every version of every document of the case")
def documents(session: InCase) -> list[DocumentOut]:
    return [DocumentOut.of(d) for d in drafting.documents(session)]


@router.get(
    "/{case_id}/documents/{document_id}",
    summary="A document with its content as the case may see it now (document.view)",
)
def show_document(session: InCase, document_id: DocNo) -> dict[str, Any]:
    return drafting.show_document(session, document_id)


@router.post(
    "/{case_id}/documents/{document_id}/sign",
    summary="Sign a draft off (a role the template names, never its drafter)",
)
def sign_document(session: InCase, document_id: DocNo) -> DocumentOut:
    return DocumentOut.of(drafting.sign_document(session, document_id))


@router.get(
    "/{case_id}/documents/{document_id}/file",
    summary="The stored DOCX or PDF (document.export)",
    responses={200: {"content": {MEDIA["pdf"]: {}, MEDIA["docx"]: {}}}},
)
def export_document(
    session: InCase,
    document_id: DocNo,
    format: Annotated[Literal["docx", "pdf"], Query()] = "pdf",
) -> Response:
    data = drafting.export_document(session, document_id, format)
    name = f"case-{session.case.id}-document-{document_id}.{format}"
    return Response(data, media_type=MEDIA[format], headers=_attachment(name))


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
