"""The review queue page: the top judgeable item side by side with its explanation, judged
with the buttons (or keys), recorded as the logged-in user and audited, and replaced by the
next item."""

from __future__ import annotations

import html
import re

from linkwise.govern import audit
from linkwise.workspace import Workspace
from tests.web.conftest import Demo, browser

ITEM = re.compile(r'name="item_id" value="(\d+)"')
LEFT = re.compile(r'name="left" value="([^"]+)"')
RIGHT = re.compile(r'name="right" value="([^"]+)"')


def _item(text: str) -> tuple[str, str, str]:
    found = [p.search(text) for p in (ITEM, LEFT, RIGHT)]
    assert all(found), "the page shows an item to judge"
    return tuple(html.unescape(f.group(1)) for f in found)  # type: ignore[return-value,union-attr]


def test_the_review_page_shows_two_records_the_explanation_and_the_keys(
    demo_ws: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_ws, "ana", demo_built.password, demo_built.case_id(1))
    page = client.get("/review")
    assert page.status_code == 200
    _item(page.text)
    assert 'class="diff"' in page.text  # an uncertain pair differs somewhere
    for key in ("s", "d", "u"):
        assert f'data-key="{key}"' in page.text
    assert "data-vega-spec=" in page.text
    assert "Final match weight" in page.text
    assert "decided in this session" in page.text
    assert 'name="rationale"' in page.text


def test_judging_records_it_as_the_user_and_the_next_item_comes(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_copy, "ana", demo_built.password, demo_built.case_id(1))
    first = client.get("/review")
    client.refresh_csrf(first.text)
    item, left, right = _item(first.text)
    before = len(demo_copy.judgements())
    after = client.form(
        "/review/judge",
        {
            "item_id": item,
            "left": left,
            "right": right,
            "decision": "different",
            "rationale": "different given names and no shared identifier",
        },
    )
    assert after.status_code == 200
    assert after.url.path == "/review"
    judgements = demo_copy.judgements()
    assert len(judgements) == before + 1
    made = judgements[-1]
    assert (made.decision, made.reviewer) == ("different", "ana")
    assert made.rationale == "different given names and no shared identifier"
    with demo_copy.engine.connect() as conn:
        events = [e for e in audit.events(conn) if e.action == "review.judge"]
    assert events
    assert events[-1].actor == "ana"
    assert events[-1].case_id == demo_built.case_id(1)
    next_item, *_ = _item(client.get("/review").text)
    assert next_item != item
    assert "1</strong> decided in this session" in after.text


def test_htmx_judgement_swaps_in_the_next_item(demo_copy: Workspace, demo_built: Demo) -> None:
    client = browser(demo_copy, "sam", demo_built.password, demo_built.case_id(3))
    first = client.get("/review")
    client.refresh_csrf(first.text)
    item, left, right = _item(first.text)
    partial = client.form(
        "/review/judge",
        {"item_id": item, "left": left, "right": right, "decision": "unsure"},
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert "judged “unsure”" in partial.text
    assert _item(partial.text)[0] != item
    assert demo_copy.judgements()[-1].reviewer == "sam"


def test_a_bad_decision_is_refused_and_nothing_is_recorded(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_copy, "ana", demo_built.password, demo_built.case_id(1))
    first = client.get("/review")
    client.refresh_csrf(first.text)
    item, left, right = _item(first.text)
    before = len(demo_copy.judgements())
    refused = client.form(
        "/review/judge", {"item_id": item, "left": left, "right": right, "decision": "maybe"}
    )
    assert refused.status_code == 422
    assert len(demo_copy.judgements()) == before


def test_skipping_puts_an_item_aside_without_a_judgement(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_copy, "ana", demo_built.password, demo_built.case_id(1))
    first = client.get("/review")
    client.refresh_csrf(first.text)
    item, *_ = _item(first.text)
    before = len(demo_copy.judgements())
    after = client.form("/review/skip", {"item_id": item})
    assert _item(after.text)[0] != item
    assert len(demo_copy.judgements()) == before


def test_the_review_page_needs_a_case(demo_ws: Workspace, demo_built: Demo) -> None:
    client = browser(demo_ws, "ana", demo_built.password)
    response = client.get("/review", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/cases")
