"""The cases pages: the case list (with the last priority and its reasons, and a form to
open a case), the case page (status moves, assignment, notes, subjects, priority, drafted
documents, history) and the case package as a page and as JSON or PDF downloads.

Everything comes from the workspace facade (``case_work``, ``drafting``), as the CLI does.
Case data (status, notes, history) is read with ``case_work``; anything of a person (the
package, priority records, documents) through the governed session **of the case shown**,
which may differ from the case chosen in the header: the shown case's purpose decides.

Each form posts, does one thing, and redirects back (post/redirect/get) with a message kept
in the session cookie until the next page shows it: a refusal's message says who may do it,
so the user can act on it. A refusal of a read (a case the user may not open) becomes the
error page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from linkwise.api.problems import DOMAIN_ERRORS, problem_of
from linkwise.cases.rules import MOVES
from linkwise.govern.session import is_withheld
from linkwise.model.cases import STATUSES, TRANSITIONS
from linkwise.model.documents import KINDS, Document
from linkwise.model.priority import PriorityRule
from linkwise.web.auth import Web, WebUser
from linkwise.web.templating import render
from linkwise.workspace import case_work, drafting

router = APIRouter()

FLASH_KEY = "flash"
DOWNLOAD_TYPES = {
    "json": "application/json",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# -- messages between a form and the page it returns to ------------------------------------


def flash(request: Request, kind: str, text: str) -> None:
    """Keep a message (``ok`` or ``error``) for the next page this browser shows."""
    request.session.setdefault(FLASH_KEY, []).append({"kind": kind, "text": text})


def take_flash(request: Request) -> list[dict[str, str]]:
    found = request.session.pop(FLASH_KEY, None)
    return found if isinstance(found, list) else []


def attempt(request: Request, back: str, done: Callable[[], str]) -> Response:
    """Run a form's action; say what it did, or why it was refused, on the page at ``back``."""
    try:
        flash(request, "ok", done())
    except DOMAIN_ERRORS as exc:
        problem = problem_of(exc)
        flash(request, "error", f"{problem.title}: {problem.detail}")
    return RedirectResponse(back, status_code=303)


def when(value: dt.datetime | str | None) -> str:
    """A time as the pages show it (UTC, to the minute)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def markers_in(value: Any) -> list[dict[str, Any]]:
    """Each distinct marker in a governed structure once, for a legend that says why each
    value is withheld and what would unlock it."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}

    def walk(item: Any) -> None:
        if is_withheld(item):
            key = (str(item.get("outcome")), str(item.get("rule")), str(item.get("reason")))
            seen.setdefault(key, item)
        elif isinstance(item, Mapping):
            for inner in item.values():
                walk(inner)
        elif isinstance(item, list | tuple):
            for inner in item:
                walk(inner)

    walk(value)
    return list(seen.values())


def group_restricted(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A subject's restricted values, one line per source and rule (the fields it withholds
    and from which records) rather than one per field: the reason is said once."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        marker = entry["marker"]
        key = (str(entry["source"]), str(marker.get("rule")))
        group = groups.setdefault(
            key, {"source": entry["source"], "marker": marker, "fields": [], "record_ids": []}
        )
        group["fields"].append(entry["field"])
        group["record_ids"] = sorted(set(group["record_ids"]) | set(entry["record_ids"]))
    return list(groups.values())


def _safe_path(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


# -- the case list -------------------------------------------------------------------------


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    web: WebUser,
    status: str = "",
    mine: bool = False,
    need_case: str | None = None,
) -> Response:
    statuses = (status,) if status in STATUSES else ()
    found = case_work.list_cases_with_priority(web.ws, web.user, statuses=statuses, mine=mine)
    pack = web.ws.pack
    rows = [
        {
            "summary": summary,
            "reasons": _reasons(pack.priority_rules, last),
            "priority_at": when(summary.priority_at),
        }
        for summary, last in found
    ]
    purposes = [
        (name, purpose.title)
        for name, purpose in pack.purposes.items()
        if web.user.role in purpose.opened_by
    ]
    return render(
        web.request,
        web,
        "cases.html",
        rows=rows,
        statuses=STATUSES,
        status=status if statuses else "",
        mine=mine,
        need_case=_safe_path(need_case),
        purposes=purposes,
        flashes=take_flash(web.request),
    )


NOTABLE = ("counted", "unconfirmed", "withheld")
"""Rule outcomes the case list names: what scored, and what would score once a link is
confirmed or the case may see the facts."""


def _reasons(
    rules: Mapping[str, PriorityRule], last: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The rules of the last priority computation worth naming in the list, with their
    titles and scores from the pack (a rule since removed from the pack goes by its name)."""
    return [row for row in _rule_rows(rules, last) if row["status"] in NOTABLE]


@router.post("/cases")
def case_create(
    web: WebUser,
    title: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
) -> Response:
    """Open a case (its opener becomes the assignee) and go to it."""
    try:
        case = case_work.create_case(web.ws, web.user, title.strip(), purpose)
    except DOMAIN_ERRORS as exc:
        problem = problem_of(exc)
        flash(web.request, "error", f"The case was not opened: {problem.detail}")
        return RedirectResponse("/cases", status_code=303)
    flash(web.request, "ok", f"Opened case #{case.id} for the purpose {case.purpose}.")
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


# -- one case ------------------------------------------------------------------------------


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(web: WebUser, case_id: int) -> Response:
    detail = case_work.show_case(web.ws, web.user, case_id)
    case = detail.case
    docs: list[Document] = []
    if case.is_open:
        with web.ws.session(web.user, case_id) as session:
            docs = drafting.documents(session)
    moves = [
        {"to": target, "who": MOVES[(case.status, target)].describe()}
        for target in TRANSITIONS[case.status]
        if (case.status, target) in MOVES
    ]
    pack = web.ws.pack
    return render(
        web.request,
        web,
        "cases_show.html",
        detail=detail,
        shown=case,
        purpose_title=_purpose_title(web, case.purpose),
        moves=moves,
        priority=detail.priority,
        priority_rules=_rule_rows(pack.priority_rules, detail.priority),
        documents=docs,
        kinds=[(k, pack.templates[k].title if k in pack.templates else k) for k in KINDS],
        history=[(when(h.at), h.actor, h.kind, h.describe()) for h in detail.history],
        when=when,
        flashes=take_flash(web.request),
    )


def _purpose_title(web: Web, purpose: str) -> str:
    found = web.ws.pack.purposes.get(purpose)
    return found.title if found is not None else purpose


def _rule_rows(
    rules: Mapping[str, PriorityRule], last: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Every rule of the last priority computation with its outcome."""
    if not last:
        return []
    rows = []
    for name, outcome in (last.get("rules") or {}).items():
        rule = rules.get(name)
        rows.append(
            {
                "name": name,
                "title": rule.title if rule is not None else name,
                "reason": rule.reason if rule is not None else "",
                "score": rule.score if rule is not None else None,
                "status": outcome,
            }
        )
    return rows


@router.post("/cases/{case_id}/move")
def case_move(
    web: WebUser,
    case_id: int,
    status: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def run() -> str:
        case = case_work.move(web.ws, web.user, case_id, status, reason.strip())
        return f"Case #{case.id} is now {case.status}."

    return attempt(web.request, f"/cases/{case_id}", run)


@router.post("/cases/{case_id}/assign")
def case_assign(web: WebUser, case_id: int, assignee: Annotated[str, Form()] = "") -> Response:
    def run() -> str:
        case_work.assign(web.ws, web.user, case_id, assignee.strip())
        return f"Case #{case_id} is assigned to {assignee.strip()}."

    return attempt(web.request, f"/cases/{case_id}", run)


@router.post("/cases/{case_id}/notes")
def case_note(web: WebUser, case_id: int, text: Annotated[str, Form()] = "") -> Response:
    def run() -> str:
        note = case_work.add_note(web.ws, web.user, case_id, text)
        return f"Added note {note.id}."

    return attempt(web.request, f"/cases/{case_id}#notes", run)


@router.post("/cases/{case_id}/subjects")
def subject_add(
    web: WebUser,
    case_id: int,
    entity_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def run() -> str:
        subject = case_work.add_subject(web.ws, web.user, case_id, entity_id.strip(), reason)
        return f"Entity {subject.entity_id} is now a subject of the case."

    return attempt(web.request, f"/cases/{case_id}#subjects", run)


@router.post("/cases/{case_id}/subjects/remove")
def subject_remove(
    web: WebUser,
    case_id: int,
    entity_id: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def run() -> str:
        case_work.remove_subject(web.ws, web.user, case_id, entity_id, reason)
        return f"Entity {entity_id} is no longer a subject (kept in the history)."

    return attempt(web.request, f"/cases/{case_id}#subjects", run)


@router.post("/cases/{case_id}/subjects/confirm")
def subject_confirm(
    web: WebUser,
    case_id: int,
    entity_id: Annotated[str, Form()],
    confirmed: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    def run() -> str:
        rows = case_work.confirm_subject(
            web.ws, web.user, case_id, entity_id, confirmed or [], reason
        )
        now = ", ".join(r.entity_id for r in rows)
        return f"The case now concerns {now} in place of {entity_id}."

    return attempt(web.request, f"/cases/{case_id}#subjects", run)


@router.post("/cases/{case_id}/priority", response_class=HTMLResponse)
def case_priority(web: WebUser, case_id: int) -> Response:
    """Compute the priority again (kept in the history) and show each reason with the
    records behind it."""
    with web.ws.session(web.user, case_id) as session:
        result = session.case_priority()
    data = result.to_json()
    return render(
        web.request,
        web,
        "cases_priority.html",
        case_id=case_id,
        result=data,
        computed_at=when(data["computed_at"]),
    )


# -- the case package ----------------------------------------------------------------------


@router.get("/cases/{case_id}/package", response_class=HTMLResponse)
def package_page(web: WebUser, case_id: int) -> Response:
    with web.ws.session(web.user, case_id) as session:
        package = drafting.case_package(session)
    return render(
        web.request,
        web,
        "cases_package.html",
        package=package,
        when=when,
        markers=markers_in,
        grouped=group_restricted,
    )


@router.get("/cases/{case_id}/package.{fmt}")
def package_download(web: WebUser, case_id: int, fmt: str) -> Response:
    with web.ws.session(web.user, case_id) as session:
        files = drafting.export_case_package(session, [fmt])
    return _download(files[fmt], fmt, f"case-{case_id}-package.{fmt}")


def _download(data: bytes, fmt: str, filename: str) -> Response:
    return Response(
        data,
        media_type=DOWNLOAD_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- drafted documents ---------------------------------------------------------------------


@router.post("/cases/{case_id}/documents")
def document_draft(web: WebUser, case_id: int, kind: Annotated[str, Form()] = "") -> Response:
    back = RedirectResponse(f"/cases/{case_id}#documents", status_code=303)
    if kind not in KINDS:
        flash(web.request, "error", f"Choose the kind of document: {', '.join(KINDS)}.")
        return back
    try:
        with web.ws.session(web.user, case_id) as session:
            doc = drafting.draft(session, kind)
    except DOMAIN_ERRORS as exc:
        flash(web.request, "error", f"Nothing was drafted: {problem_of(exc).detail}")
        return back
    flash(web.request, "ok", f"Drafted document #{doc.id} (version {doc.version}); it is a DRAFT.")
    return RedirectResponse(f"/cases/{case_id}/documents/{doc.id}", status_code=303)


@router.get("/cases/{case_id}/documents/{document_id}", response_class=HTMLResponse)
def document_page(web: WebUser, case_id: int, document_id: int) -> Response:
    with web.ws.session(web.user, case_id) as session:
        found = drafting.show_document(session, document_id)
    meta = found["document"]
    spec = web.ws.pack.templates.get(meta["kind"])
    signers = [r.value.replace("_", " ") for r in spec.signed_by] if spec else []
    return render(
        web.request,
        web,
        "cases_document.html",
        case_id=case_id,
        meta=meta,
        content=found["content"],
        withheld_now=found["withheld_now"],
        signers=signers,
        when=when,
        flashes=take_flash(web.request),
    )


@router.get("/cases/{case_id}/documents/{document_id}/download.{fmt}")
def document_download(web: WebUser, case_id: int, document_id: int, fmt: str) -> Response:
    with web.ws.session(web.user, case_id) as session:
        data = drafting.export_document(session, document_id, fmt)
    return _download(data, fmt, f"case-{case_id}-document-{document_id}.{fmt}")


@router.post("/cases/{case_id}/documents/{document_id}/sign")
def document_sign(web: WebUser, case_id: int, document_id: int) -> Response:
    def run() -> str:
        with web.ws.session(web.user, case_id) as session:
            doc = drafting.sign_document(session, document_id)
        return f"Signed document #{doc.id}; it can no longer change."

    return attempt(web.request, f"/cases/{case_id}/documents/{document_id}", run)
