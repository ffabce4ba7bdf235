"""The policy page: the pack in force, read from ``ws.pack`` (its purposes, markings with
their law and unlocking processes, legal process types, prohibited attributes, priority
rules) with the versions recorded in the store; and the "why" tool.

The "why" tool asks the governed session (``WorkspaceSession.why``) why a value of a record
is shown, redacted or prohibited for the current user in a case: the decision, its rule, the
authority, the authorisation that unlocked it or what would. The case is the one chosen in
the header unless the form names another of the user's cases. Auditors and administrators
read no person data, and the session refuses them (an audited refusal); the page says so
instead of offering a form that cannot work, and points them to the pack itself, which
answers the same question for any purpose without naming a person.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from linkwise.govern.session import SessionError
from linkwise.model.fields import FIELDS
from linkwise.web.auth import Web, WebUser
from linkwise.web.pages.entity import legend
from linkwise.web.templating import render

router = APIRouter()


def _sources_by_marking(web: Web) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for source in web.ws.sources():
        for marking in source.markings:
            out.setdefault(marking, []).append(source.name)
    return out


def _why(web: Web, case_id: int | None, source: str, key: str, field: str) -> dict[str, Any]:
    """The session's answer for the form, or what stops it, as the template shows it."""
    if not web.reads_cases:
        return {"refused": "role"}
    chosen = case_id or web.case_id
    if chosen is None:
        return {"refused": "case"}
    try:
        with web.ws.session(web.user, chosen) as s:
            result = s.why(source.strip(), key.strip(), field or None)
    except (SessionError, PermissionError) as exc:
        return {"error": str(exc), "case_id": chosen}
    return {"result": result, "case_id": chosen, "legend": legend(result)}


@router.get("/policy", response_class=HTMLResponse)
def policy_page(
    web: WebUser,
    source: str = "",
    source_key: str = "",
    field: str = "record",
    case_id: str = "",
) -> Response:
    pack = web.ws.pack
    why: dict[str, Any] | None = None
    if source and source_key:
        chosen = int(case_id) if case_id.strip().isdigit() else None
        why = _why(web, chosen, source, source_key, field)
    data: dict[str, Any] = {
        "pack": pack,
        "history": web.ws.policy_history(),
        "carried_by": _sources_by_marking(web),
        "sources": [s.name for s in web.ws.sources()],
        "fields": ("record", *FIELDS),
        "form": {"source": source, "source_key": source_key, "field": field, "case_id": case_id},
        "why": why,
    }
    if web.request.headers.get("hx-request") == "true" and why is not None:
        return render(web.request, web, "policy_why.html", **data)
    return render(web.request, web, "policy.html", **data)
