"""The review queue in a browser: judge the top item with a keyboard shortcut, then the next
one with a button, and see each time a different item come up and the progress move.

Judgements change the workspace: this module has its server copy to itself.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from linkwise.web.pages.review import QUEUE_SIZE
from linkwise.workspace import reviewing
from tests.browser.conftest import Server, log_in, shot

PROGRESS = re.compile(r"(\d+) decided in this session · (\d+)\+? items? left")


def progress(page: Any) -> tuple[int, int]:
    """(decided in this session, items left) as the progress line says."""
    found = PROGRESS.search(page.locator(".progress").inner_text())
    assert found, page.locator(".progress").inner_text()
    return int(found.group(1)), int(found.group(2))


def queue_left(server: Server) -> int:
    """Items the review page counts as left, from the queue itself. A judgement settles
    every item holding the judged pair (a pair can be both uncertain and flagged), so one
    judgement may take more than one item off."""
    user = server.ws.login("ana", server.demo.password)
    with server.ws.session(user, server.demo.case_id(1)) as s:
        return len(reviewing.pending(s, QUEUE_SIZE))


def item_heading(page: Any) -> str:
    return str(page.locator("#item-h").inner_text())


def record_refs(page: Any) -> list[str]:
    """The two records side by side, as their column headers name them."""
    return [str(t) for t in page.locator("table.sidebyside thead th").all_inner_texts()[1:3]]


def test_judgements_move_the_queue_on(page: Any, server: Server) -> None:
    log_in(page, server, "ana", case=1)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.locator("table.sidebyside")).to_be_visible()
    expect(page.locator(".chart svg")).to_be_visible()  # the explanation's waterfall
    decided, left = progress(page)
    assert decided == 0
    assert left >= 2
    first_item, first_records = item_heading(page), record_refs(page)
    shot(page, "review queue")

    # A rationale, then the "d" key (outside the text box) judges "different people".
    page.get_by_label(re.compile("^Rationale")).fill("different given names and addresses")
    page.get_by_role("heading", name="Review queue").click()  # leave the text box
    page.keyboard.press("d")
    status = page.locator("#review .flash.ok")
    expect(status).to_contain_text("judged “different”")
    expect(page.locator("#item-h")).not_to_have_text(first_item)
    after_first = queue_left(server)
    assert progress(page) == (1, after_first)
    assert after_first < left
    second_item, second_records = item_heading(page), record_refs(page)
    assert second_records != first_records
    assert page.get_by_label(re.compile("^Rationale")).input_value() == ""  # a fresh form
    shot(page, "review queue after a keyboard judgement")

    # The next one with the button.
    page.get_by_role("button", name="Unsure").click()
    expect(status).to_contain_text("judged “unsure”")
    expect(page.locator("#item-h")).not_to_have_text(second_item)
    after_second = queue_left(server)
    assert progress(page) == (2, after_second)
    assert after_second < after_first
    shot(page, "review queue after a button judgement")

    # The judged items stay out of the queue on a fresh load, and the judgement is on record.
    page.reload()
    assert item_heading(page) not in (first_item, second_item)
    assert progress(page)[1] == after_second
    user = server.ws.login("ana", server.demo.password)
    with server.ws.session(user, server.demo.case_id(1)) as s:
        pending = {int(i["id"]) for i in reviewing.pending(s, 500)}
    judged = {int(re.findall(r"Item (\d+)", h)[0]) for h in (first_item, second_item)}
    assert not judged & pending
