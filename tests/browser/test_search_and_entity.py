"""Finding a person with a misspelt name, and reading why the records on their page belong
together: the search box (live results as one types, arrow keys and Enter), then a link's
explanation on the entity page (its sentence and the waterfall chart vega-embed draws).

Read-only: both tests share the module's server.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server, log_in, shot

FRAUD_CASE = 1
"""The demo's criminal investigation: it may see the subject's court and vehicle records."""


def subject_name(server: Server) -> tuple[str, str]:
    """The subject's given and family name as most of their records give them (read through
    the governed session, as the case the test works in sees them)."""
    subject = str(server.demo.access.subject)
    user = server.ws.login("ana", server.demo.password)
    with server.ws.session(user, server.demo.case_id(FRAUD_CASE)) as s:
        records = s.entity_detail(subject)["records"]
    names = Counter(
        (str(r["fields"]["given_name"]), str(r["fields"]["family_name"]))
        for r in records
        if isinstance(r["fields"].get("given_name"), str)
        and isinstance(r["fields"].get("family_name"), str)
        and len(r["fields"]["given_name"]) > 2
    )
    return names.most_common(1)[0][0]


def misspell(word: str) -> str:
    """The first two different neighbouring letters after the first swapped ("maria" ->
    "mraia"), the commonest typing slip."""
    for i in range(1, len(word) - 1):
        if word[i] != word[i + 1] and word[i].isalpha() and word[i + 1].isalpha():
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:-1]


def test_a_misspelt_name_finds_the_person(page: Any, server: Server) -> None:
    subject = str(server.demo.access.subject)
    given, family = subject_name(server)
    typed = f"{misspell(given)} {family}".title()
    assert typed.lower() != f"{given} {family}"

    log_in(page, server, "ana", case=FRAUD_CASE)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", name="Search people")).to_be_visible()
    box = page.get_by_label("Search for a person")
    expect(box).to_be_focused()  # the box is ready to type in
    shot(page, "search empty")

    box.press_sequentially(typed, delay=20)  # the results follow the typing
    results = page.locator("#result-list .result")
    expect(page.locator(".result-meta")).to_contain_text("found")
    hit = results.filter(has_text=subject)
    expect(hit).to_have_count(1)
    expect(hit.locator(".result-name")).to_contain_text(family, ignore_case=True)
    expect(page).to_have_url(re.compile(r"/search\?q="))  # the address keeps the query
    shot(page, "search results for a misspelt name")

    # Arrow down from the box to the results, Enter opens the focused one.
    position = results.all_inner_texts().index(hit.inner_text())
    for _ in range(position + 1):
        page.keyboard.press("ArrowDown")
    expect(hit.locator(".result-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/entities/{subject}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject)
    expect(page.locator("#records")).to_contain_text(family, ignore_case=True)
    shot(page, "entity page")


def test_a_link_explanation_shows_its_sentence_and_waterfall(page: Any, server: Server) -> None:
    subject = str(server.demo.access.subject)
    log_in(page, server, "ana", case=FRAUD_CASE)
    page.goto(f"/entities/{subject}")
    links = page.locator("#links")
    expect(links.get_by_role("heading", name="Links and their explanations")).to_be_visible()
    first = links.get_by_role("link", name="Explain").first
    target = "#" + str(first.get_attribute("hx-target")).lstrip("#")
    first.click()

    explanation = page.locator(target)
    sentence = explanation.locator(".sentence")
    expect(sentence).to_contain_text("likely the same person")
    expect(sentence).to_contain_text("match weight")
    chart = explanation.locator(".chart")
    expect(chart.locator("svg")).to_be_visible()  # drawn by the vendored vega-embed
    expect(chart.locator("svg .mark-rect path, svg .mark-rect rect").first).to_be_attached()
    explanation.get_by_text("The numbers as a table").click()
    table = explanation.locator("table.waterfall")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_be_visible()
    explanation.scroll_into_view_if_needed()
    shot(page, "entity link explanation with waterfall")
