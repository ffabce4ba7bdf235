"""The auditor's page in a browser: verify the hash chain from the page (with its keyboard
shortcut too), search the events by actor and by action, and export the whole log.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server, log_in, shot


def column(page: Any, index: int) -> list[str]:
    """The text of one column of the events table (0: seq ... 4: action)."""
    return [
        str(t).strip()
        for t in page.locator(f"#audit-events tbody tr td:nth-child({index + 1})").all_inner_texts()
    ]


def test_an_auditor_verifies_the_chain_and_searches_the_log(page: Any, server: Server) -> None:
    log_in(page, server, "ana", case=1)  # something of ana's on record
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    log_in(page, server, "aud")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.locator("#audit-events tbody tr").first).to_be_visible()
    shot(page, "audit log")

    page.get_by_role("button", name="Verify the chain").click()
    result = page.locator("#verify-result [data-chain]")
    expect(result).to_have_attribute("data-chain", "intact")
    expect(result).to_contain_text(re.compile(r"Chain intact: all [\d,]+ events verified"))
    shot(page, "audit chain verified")

    # Filter by actor: every row shown is ana's.
    page.get_by_label("Actor").fill("ana")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]actor=ana\b"))
    expect(page.locator("#audit-events tbody tr").first).to_be_visible()
    actors = column(page, 2)
    assert actors
    assert set(actors) == {"ana"}
    assert "login.ok" in column(page, 4)
    shot(page, "audit log filtered by actor")

    # Then by action too (the filters add up), from the keyboard: "/" focuses the search.
    page.get_by_role("heading", name="Audit log").click()
    page.keyboard.press("/")
    expect(page.get_by_label("Actor")).to_be_focused()
    page.get_by_label("Action").fill("login.ok")
    with page.expect_navigation():
        page.get_by_label("Action").press("Enter")
    expect(page).to_have_url(re.compile(r"action=login\.ok"))
    assert set(column(page, 4)) == {"login.ok"}
    assert set(column(page, 2)) == {"ana"}

    # Verification from the keyboard, on the filtered page, and again intact.
    page.get_by_role("heading", name="Audit log").click()
    page.keyboard.press("v")
    expect(page.locator("#verify-result [data-chain]")).to_have_attribute("data-chain", "intact")

    # Export: a JSON Lines download whose lines are the events (and checkpoints).
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Export the whole log")).click()
    path = download.value.path()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert len(lines) > 10
    assert download.value.suggested_filename.endswith(".jsonl")
