"""The authorisations page: every order, warrant, subpoena or approval recorded for the cases
the user may see, where each stands now (active, awaiting approval, revoked, expired, with
the days left shown plainly), and the forms to record one, approve one (a role the pack names
for its process, never its recorder) and revoke one.

The rules are ``linkwise.workspace.cases``' (as ``linkwise authorisation record|approve|
revoke`` call them); this page only gathers the form's fields. A refusal (the wrong role,
approving one's own, a scope the process cannot unlock for the case's purpose) comes back as
a message on the page, with the reason the rules gave.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from linkwise.api.problems import DOMAIN_ERRORS, problem_of
from linkwise.model.authorisations import Authorisation
from linkwise.model.policy import PolicyPack
from linkwise.model.roles import Role
from linkwise.web.auth import WebUser
from linkwise.web.pages.cases import attempt, flash, take_flash, when
from linkwise.web.templating import render
from linkwise.workspace import case_work
from linkwise.workspace import cases as ws_cases

router = APIRouter()

DEFAULT_DAYS = 30
"""The validity the record form proposes (the order's own dates replace it)."""


def expiry(auth: Authorisation, state: str, now: dt.datetime) -> str:
    """How long it still runs, in words a reader takes in at a glance."""
    if state == "revoked":
        return "revoked"
    if now > auth.valid_to:
        days = (now - auth.valid_to).days
        return "expired today" if days == 0 else f"expired {days} day{'s' if days != 1 else ''} ago"
    if now < auth.valid_from:
        days = (auth.valid_from - now).days
        return f"starts in {days} day{'s' if days != 1 else ''}"
    days = (auth.valid_to - now).days
    return "expires today" if days == 0 else f"expires in {days} day{'s' if days != 1 else ''}"


@router.get("/authorisations", response_class=HTMLResponse)
def authorisation_list(web: WebUser, case: str = "", subject: str = "") -> Response:
    summaries = case_work.list_cases(web.ws, web.user)
    chosen = int(case) if case.strip().isdigit() else None
    ids = [s.case.id for s in summaries if chosen is None or s.case.id == chosen]
    entries = ws_cases.authorisations_of_cases(web.ws, web.user, ids)
    now = dt.datetime.now(dt.UTC)
    pack = web.ws.pack
    titles = {s.case.id: s.case.title for s in summaries}
    rows = [
        {
            "entry": e,
            "auth": e.authorisation,
            "process": pack.legal_processes.get(e.authorisation.process),
            "case_title": titles.get(e.authorisation.case_id, ""),
            "expiry": expiry(e.authorisation, e.state, now),
            "may_approve": e.state == "awaiting_approval"
            and _may_approve(pack, e.authorisation.process, web.user.role),
        }
        for e in sorted(entries, key=lambda e: e.authorisation.id, reverse=True)
    ]
    default_case = chosen or (web.case_id if web.case_id is not None else None)
    today = now.date()
    return render(
        web.request,
        web,
        "authorisations.html",
        rows=rows,
        cases=[s.case for s in summaries],
        chosen=chosen,
        default_case=default_case,
        processes=list(pack.legal_processes.items()),
        markings=list(pack.markings.items()),
        sources=web.ws.sources(),
        subject=subject.strip(),
        valid_from=today.isoformat(),
        valid_to=(today + dt.timedelta(days=DEFAULT_DAYS)).isoformat(),
        when=when,
        flashes=take_flash(web.request),
    )


def _may_approve(pack: PolicyPack, process: str, role: Role) -> bool:
    legal = pack.legal_processes.get(process)
    return legal is not None and role in legal.approved_by


def _day(text: str, field: str, *, end: bool) -> dt.datetime:
    """A date field as the start (or the end) of that day in UTC; a full ISO 8601 time with
    a zone is taken as given."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            clock = dt.time(23, 59, 59) if end else dt.time(0, 0)
            return dt.datetime.combine(day, clock, tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _FormError(f"{field}: {text!r} is not a date (YYYY-MM-DD)") from None
    if moment.tzinfo is None:
        raise _FormError(f"{field}: give the time with its zone, e.g. 2026-12-01T00:00+00:00")
    return moment


class _FormError(ValueError):
    """A field the form could not read; nothing was recorded."""


@router.post("/authorisations")
def authorisation_record(
    web: WebUser,
    case_id: Annotated[str, Form()] = "",
    process: Annotated[str, Form()] = "",
    issuing_authority: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    sources: Annotated[list[str] | None, Form()] = None,
    markings: Annotated[list[str] | None, Form()] = None,
    subjects: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    back = f"/authorisations?case={case_id}" if case_id.isdigit() else "/authorisations"
    try:
        if not case_id.isdigit():
            raise _FormError("choose the case the authorisation serves")
        start = _day(valid_from, "valid from", end=False)
        end = _day(valid_to, "valid to", end=True)
        auth = ws_cases.record_authorisation(
            web.ws,
            web.user,
            case_id=int(case_id),
            process=process,
            issuing_authority=issuing_authority,
            reference=reference,
            sources=sources or [],
            markings=markings or [],
            subjects=[s for s in re.split(r"[\s,;]+", subjects) if s],
            valid_from=start,
            valid_to=end,
            notes=notes,
        )
    except _FormError as exc:
        flash(web.request, "error", f"Nothing was recorded: {exc}.")
        return RedirectResponse(back, status_code=303)
    except DOMAIN_ERRORS as exc:
        flash(web.request, "error", f"Nothing was recorded: {problem_of(exc).detail}")
        return RedirectResponse(back, status_code=303)
    approvers = web.ws.pack.legal_processes[auth.process].approved_by
    needs = (
        f"It unlocks nothing until a {' or '.join(r.value.replace('_', ' ') for r in approvers)} "
        "other than you approves it."
        if approvers
        else "It is effective at once."
    )
    flash(web.request, "ok", f"Recorded authorisation #{auth.id} for case #{auth.case_id}. {needs}")
    return RedirectResponse(back, status_code=303)


@router.post("/authorisations/{authorisation_id}/approve")
def authorisation_approve(
    web: WebUser, authorisation_id: int, back: Annotated[str, Form()] = ""
) -> Response:
    def run() -> str:
        auth = ws_cases.approve_authorisation(web.ws, web.user, authorisation_id)
        return (
            f"Approved authorisation #{auth.id}: it unlocks what it covers for case "
            f"#{auth.case_id} from now on."
        )

    return attempt(web.request, _back(back), run)


@router.post("/authorisations/{authorisation_id}/revoke")
def authorisation_revoke(
    web: WebUser,
    authorisation_id: int,
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    def run() -> str:
        auth = ws_cases.revoke_authorisation(web.ws, web.user, authorisation_id, reason)
        return f"Revoked authorisation #{auth.id}: the next read no longer sees what it unlocked."

    return attempt(web.request, _back(back), run)


def _back(target: str) -> str:
    return target if target.startswith("/authorisations") else "/authorisations"
