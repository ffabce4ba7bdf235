"""Each demo role, in a real browser, sees exactly what it may: the pages it may use render,
the others answer with the 403 error page (never a crash or a detour), the header offers
only its pages, and the roles that read no person data (auditor, administrator) never see a
person's values anywhere they can go.

The expectations are the explicit table ``EXPECTED`` below: change a role's rights and this
table, in the same commit.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, log_in, shot

ENTITY = "/entities/{subject}"
PAGES = (
    "/search",
    "/review",
    "/cases",
    "/authorisations",
    "/dashboard",
    "/policy",
    "/audit",
    ENTITY,
)
NAV = {
    "/search": "Search",
    "/review": "Review",
    "/cases": "Cases",
    "/authorisations": "Authorisations",
    "/dashboard": "Dashboards",
    "/policy": "Policy",
    "/audit": "Audit",
}
"""The header's links, by page."""

Y, N = True, False
# fmt: off
EXPECTED: dict[str, tuple[bool, ...]] = {
    #         search  review  cases  authz  dash  policy  audit  entity
    "ana":   (Y,      Y,      Y,     Y,     Y,    Y,      N,     Y),  # analyst
    "sam":   (Y,      Y,      Y,     Y,     Y,    Y,      N,     Y),  # supervisor
    "lee":   (Y,      Y,      Y,     Y,     Y,    Y,      N,     Y),  # legal reviewer
    "aud":   (N,      N,      N,     N,     Y,    Y,      Y,     N),  # auditor
    "admin": (N,      N,      N,     N,     Y,    Y,      Y,     N),  # administrator
}
# fmt: on
"""Whether each role may open each page of PAGES (an administrator's audit page offers the
chain's verification only)."""
VERIFY_ONLY = {"admin"}
"""Roles whose audit page offers the chain's verification alone, not the events."""
CASE_WORKERS = {"ana", "sam", "lee"}
"""Roles that read person data: they work in the demo's first case."""


def allowed(username: str) -> dict[str, bool]:
    return dict(zip(PAGES, EXPECTED[username], strict=True))


def person_values(server: Server) -> list[str]:
    """Values of the demo subject that no page may show an auditor or administrator: their
    dates of birth and record keys, as a case worker reads them."""
    user = server.ws.login("ana", server.demo.password)
    with server.ws.session(user, server.demo.case_id(1)) as s:
        records = s.entity_detail(str(server.demo.access.subject))["records"]
    values = {str(r["fields"]["dob"]) for r in records if isinstance(r["fields"].get("dob"), str)}
    values |= {str(r["source_key"]) for r in records if isinstance(r["source_key"], str)}
    return sorted(v for v in values if len(v) >= 6)


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_sees_only_its_pages(page: Any, server: Server, username: str) -> None:
    subject = str(server.demo.access.subject)
    log_in(page, server, username, case=1 if username in CASE_WORKERS else None)
    may = allowed(username)

    # The header offers exactly the pages the role may use.
    nav = page.get_by_role("navigation", name="Main").get_by_role("link")
    offered = {str(href) for href in (a.get_attribute("href") for a in nav.all())}
    assert offered == {p for p in NAV if may[p]}, username
    picker = page.locator("#case-select")
    expect(picker).to_have_count(1 if username in CASE_WORKERS else 0)
    shot(page, f"home as {username}")

    secrets = [] if username in CASE_WORKERS else person_values(server)
    for path in PAGES:
        url = path.format(subject=subject)
        response = page.goto(url)
        assert response is not None
        label = f"{username} {url}"
        assert page.url.endswith(url), f"{label}: sent on to {page.url}"
        if may[path]:
            assert response.status == 200, label
            expect(page.locator(".error-page")).to_have_count(0)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
        else:
            assert response.status == 403, label
            card = page.locator(".error-page")
            expect(card.get_by_role("heading", name="Forbidden")).to_be_visible()
            expect(card).to_contain_text(re.compile(rf"\b{username}\b"))  # says who and why
            expect(card.get_by_role("link", name="Home")).to_be_visible()
        text = page.content()
        assert "Traceback" not in text, label
        leaked = [value for value in secrets if value in text]
        assert not leaked, f"{label} shows person values {leaked}"
        if path == "/audit" and may[path]:
            expect(page.get_by_role("button", name="Verify the chain")).to_be_visible()
            events = page.locator("#audit-events")
            expect(events).to_have_count(0 if username in VERIFY_ONLY else 1)
        if path in (ENTITY, "/audit"):
            shot(page, f"{url.strip('/').split('/')[0]} as {username}")
