"""Logging in and choosing a case, in a real browser."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, log_in, shot


def test_log_in_choose_a_case_and_log_out(page: Any, server: Server) -> None:
    page.goto("/")
    assert "/login" in page.url
    shot(page, "login")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()

    log_in(page, server, "ana", case=1)
    assert "criminal_investigation" in page.locator(".purpose").inner_text()
    shot(page, "home with a case chosen")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
