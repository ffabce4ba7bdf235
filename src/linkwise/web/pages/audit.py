"""The audit pages: search the log, verify its chain, export it, and a person's disclosures.

Who may do what is the facade's decision (``linkwise.workspace.audit``), never this page's:
reading and exporting the log is for auditors, verifying it also for administrators, and the
disclosure record for auditors, supervisors and legal reviewers. Anyone else asking gets the
facade's refusal (audited as ``permission.denied``) as a 403 error page. The page only
chooses what to offer: an administrator, who may verify but not read, gets the verification
alone. Every search, verification and export is itself written to the log.

The listing shows the newest events first, a page at a time (``before`` is the sequence
number the next page starts below).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from linkwise.govern.audit_access import DECISION_FILTERS, READERS, VERIFIERS
from linkwise.web.auth import Web, WebUser
from linkwise.web.templating import render
from linkwise.workspace.audit import (
    AuditQuery,
    disclosures,
    export_audit,
    search_audit,
    search_bound,
    verify_audit,
)

router = APIRouter()

PAGE_SIZES = (25, 50, 100, 200)
LONG = 140
"""Objects longer than this (as compact JSON) are folded behind a disclosure widget."""


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    case: str = ""
    action: str = ""
    subject: str = ""
    since: str = ""
    until: str = ""
    decision: str = ""
    size: int = 50

    def query_string(self, **extra: Any) -> str:
        given = {k: v for k, v in vars(self).items() if v not in ("", None)}
        return urlencode({**given, **extra})


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    web: WebUser,
    actor: str = "",
    case: str = "",
    action: str = "",
    subject: str = "",
    since: str = "",
    until: str = "",
    decision: str = "",
    before: str = "",
    size: int = 50,
) -> Response:
    filters = Filters(
        actor.strip(),
        case.strip(),
        action.strip(),
        subject.strip(),
        since.strip(),
        until.strip(),
        decision.strip(),
        size if size in PAGE_SIZES else 50,
    )
    if web.user.role not in READERS:
        if web.user.role in VERIFIERS:
            return render(web.request, web, "audit.html", reads_log=False, filters=filters)
        search_audit(web.ws, web.user, AuditQuery(limit=1))  # refused, and on record
    problems: list[str] = []
    query = _query(filters, before, problems)
    if problems:
        return render(
            web.request,
            web,
            "audit.html",
            status_code=422,
            reads_log=True,
            filters=filters,
            problems=problems,
            events=[],
        )
    # Anyone else is refused here, by the facade, and the refusal is on record.
    found = search_audit(web.ws, web.user, query)
    newest_first = list(reversed(found))
    more = len(newest_first) > filters.size
    events = [_row(e) for e in newest_first[: filters.size]]
    return render(
        web.request,
        web,
        "audit.html",
        reads_log=True,
        filters=filters,
        problems=[],
        events=events,
        decisions=DECISION_FILTERS,
        page_sizes=PAGE_SIZES,
        first_page=not before,
        next_page=filters.query_string(before=events[-1]["seq"]) if more and events else None,
    )


def _query(filters: Filters, before: str, problems: list[str]) -> AuditQuery:
    case_id = _int(filters.case, "Case", problems)
    before_seq = _int(before, "Page", problems)
    since_time = _time(filters.since, "From", problems)
    until_time = _time(filters.until, "Until", problems)
    if filters.decision and filters.decision not in DECISION_FILTERS:
        problems.append(f"Decision: choose one of {', '.join(DECISION_FILTERS)}.")
    if problems:
        return AuditQuery()
    return AuditQuery(
        actor=filters.actor or None,
        action=filters.action or None,
        case_id=case_id,
        subject=filters.subject or None,
        since_time=since_time,
        until_time=until_time,
        before_seq=before_seq,
        decision=filters.decision or None,
        limit=filters.size + 1,  # one more, to know whether an older page exists
    )


def _int(text: str, label: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        problems.append(f"{label}: give a whole number, not {text!r}.")
        return None
    return int(text)


def _time(text: str, label: str, problems: list[str]) -> datetime | None:
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        problems.append(
            f"{label}: give a time as 2026-03-01 or 2026-03-01T09:30 (UTC), not {text!r}."
        )
        return None
    try:
        return search_bound(at)
    except OverflowError:
        problems.append(f"{label}: {text!r} is outside the calendar once in UTC.")
        return None


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def _row(event: Any) -> dict[str, Any]:
    objects = _compact(event.objects)
    decision = event.decision if isinstance(event.decision, dict) else None
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "case_id": event.case_id,
        "action": event.action,
        "objects": objects,
        "objects_long": len(objects) > LONG,
        "decision": _decision_summary(decision),
        "decision_full": "" if event.decision is None else _compact(event.decision),
        "hash": event.hash,
    }


def _decision_summary(decision: dict[str, Any] | None) -> tuple[str, str]:
    """(css class, short text): allowed / refused, or a read's outcome, with its rule."""
    if not decision:
        return ("", "")
    if isinstance(decision.get("allowed"), bool):
        rule = decision.get("rule") or decision.get("role") or ""
        if decision["allowed"]:
            return ("good", f"allowed {rule}".strip())
        return ("bad", f"refused: {decision.get('reason') or rule}".strip())
    outcome = decision.get("outcome")
    if isinstance(outcome, str):
        css = {"shown": "good", "redacted": "warn", "prohibited": "bad"}.get(outcome, "")
        return (css, f"{outcome} ({decision.get('purpose', '')})")
    return ("", "")


@router.post("/audit/verify", response_class=HTMLResponse)
def verify(web: WebUser) -> Response:
    """Verify the chain and its signed checkpoints (auditors and administrators)."""
    check = verify_audit(web.ws, web.user)
    return render(web.request, web, "audit_verify.html", check=check)


@router.get("/audit/export")
def export(web: WebUser) -> Response:
    """The whole log with its checkpoints as JSON Lines, for auditors (a download)."""
    out = io.StringIO()
    events, signed = export_audit(web.ws, web.user, out)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Response(
        out.getvalue(),
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": f'attachment; filename="linkwise-audit-{stamp}.jsonl"',
            "X-Linkwise-Events": str(events),
            "X-Linkwise-Checkpoints": str(signed),
        },
    )


@router.get("/audit/disclosures", response_class=HTMLResponse)
def disclosure_page(web: WebUser, entity: str = "") -> Response:
    """Which cases and documents were shown which of a person's records (auditors,
    supervisors and legal reviewers)."""
    entity = entity.strip()
    if not entity:
        return render(web.request, web, "audit_disclosures.html", entity="", found=None)
    try:
        found = disclosures(web.ws, web.user, entity)
    except LookupError:
        return _not_found(web, entity)
    return render(web.request, web, "audit_disclosures.html", entity=entity, found=found)


def _not_found(web: Web, entity: str) -> Response:
    return render(
        web.request,
        web,
        "audit_disclosures.html",
        status_code=404,
        entity=entity,
        found=None,
        error=f"No entity {entity!r} exists or ever existed. Check the id (entity ids are "
        "shown on entity pages and in case subjects).",
    )
