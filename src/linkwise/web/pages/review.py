"""The review queue: one item at a time, most consequential first, judged with a button or a
key (s / d / u), and the next item swapped in.

The queue is the governed ``review_queue`` less the items judged since the run that queued
them (``linkwise.workspace.reviewing.pending``), so the item just judged disappears and the
queue reorders as judgements land. A judgement goes through the session's ``judge``: it is
recorded as the logged-in user, in the case, with its audit event in the same transaction.

An item can be judged only when the case may see both its records (their keys and values);
one that involves a withheld record says why and what would unlock it, and the reviewer can
skip it (skips are kept in the browser session, not recorded as judgements).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from linkwise.govern.session import is_withheld
from linkwise.web import charts
from linkwise.web.auth import Web, WebUser
from linkwise.web.pages.entity import legend, parse_ref
from linkwise.web.templating import render
from linkwise.workspace import reviewing
from linkwise.workspace.session import WorkspaceSession

router = APIRouter()

QUEUE_SIZE = 200
"""Items read per page view (the count shown says "or more" when the queue is longer)."""
DONE = "review_done"
SKIPPED = "review_skipped"


def judgeable(item: dict[str, Any]) -> bool:
    """Whether the case may see the item's records well enough to judge them."""
    records = item["records"]
    return len(records) >= 2 and all(
        not is_withheld(r["source_key"]) and r["decision"]["outcome"] == "shown" for r in records
    )


def _ref(record: dict[str, Any]) -> str:
    return f"{record['source']}:{record['source_key']}"


def _view(web: Web, s: WorkspaceSession) -> dict[str, Any]:
    """What the review page shows: the top item with its explanation, and the progress."""
    items = reviewing.pending(s, QUEUE_SIZE)
    skipped = set(web.request.session.get(SKIPPED) or [])
    waiting = [i for i in items if i["id"] not in skipped]
    current = next((i for i in waiting if judgeable(i)), None)
    held = [i for i in waiting if not judgeable(i)]
    explanation = None
    if current is not None:
        left, right = current["records"][0], current["records"][1]
        explanation = s.explain_pair(
            (left["source"], left["source_key"]), (right["source"], right["source_key"])
        )
    rows = [
        row for row in (explanation or {}).get("waterfall", []) if row.get("kind") == "comparison"
    ]
    return {
        "item": current,
        "explanation": explanation,
        "compared": rows,
        "spec": charts.waterfall(explanation["waterfall"])
        if explanation and explanation.get("waterfall")
        else None,
        "held": held,
        "left_count": len(waiting),
        "more": len(items) >= QUEUE_SIZE,
        "skipped": len(skipped),
        "done": int(web.request.session.get(DONE) or 0),
        "ref": _ref,
        "legend": legend(current, explanation, held[:5]),
    }


def _page(web: Web, *, partial: bool, message: str | None = None) -> Response:
    with web.session() as s:
        data = _view(web, s)
    template = "review_item.html" if partial else "review.html"
    return render(web.request, web, template, message=message, **data)


@router.get("/review", response_class=HTMLResponse)
def review_page(web: WebUser) -> Response:
    return _page(web, partial=False)


@router.post("/review/judge")
def judge(
    web: WebUser,
    item_id: Annotated[int, Form()],
    left: Annotated[str, Form()],
    right: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    rationale: Annotated[str, Form()] = "",
) -> Response:
    """Record the judgement as the logged-in user, then show the next item (htmx) or go
    back to the queue (a plain form post)."""
    with web.session() as s:
        s.judge(parse_ref(left), parse_ref(right), decision, rationale.strip())
    web.request.session[DONE] = int(web.request.session.get(DONE) or 0) + 1
    message = f"Recorded: item {item_id} judged “{decision}”. Every later resolution honours it."
    if web.request.headers.get("hx-request") == "true":
        return _page(web, partial=True, message=message)
    return RedirectResponse(f"/review?judged={item_id}", status_code=303)


@router.post("/review/skip")
def skip(web: WebUser, item_id: Annotated[int, Form()]) -> Response:
    """Put an item aside for this browser session (nothing is recorded)."""
    skipped = list(web.request.session.get(SKIPPED) or [])
    if item_id not in skipped:
        skipped.append(item_id)
    web.request.session[SKIPPED] = skipped[-500:]
    if web.request.headers.get("hx-request") == "true":
        return _page(web, partial=True, message=f"Item {item_id} skipped for now.")
    return RedirectResponse("/review", status_code=303)


@router.post("/review/unskip")
def unskip(web: WebUser) -> Response:
    web.request.session[SKIPPED] = []
    return RedirectResponse("/review", status_code=303)
