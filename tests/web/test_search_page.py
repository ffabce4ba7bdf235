"""The search page and ``GET /api/v1/search`` over the demo world: a misspelt name finds the
person and links to their entity page; results follow the typing (htmx partials) and the
plain form alike; the box is focused by "/"; unusable input is answered on the page (and as
a 422 problem on the API); no case chosen sends the user to pick one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from linkwise.store import tables as t
from linkwise.workspace import Workspace
from tests.web.conftest import Browser, Demo, api, browser


@pytest.fixture(scope="module")
def person(demo_ws: Workspace) -> dict[str, Any]:
    """A court defendant (a source a criminal investigation sees) with a full date of birth
    and a family name long enough to misspell, and their entity."""
    r, s, m = t.records, t.sources, t.entity_members
    query = (
        select(r.c.source_key, r.c.given_name, r.c.family_name, r.c.dob, m.c.entity_id)
        .join(s, s.c.id == r.c.source_id)
        .join(m, m.c.record_id == r.c.id)
        .where(s.c.name == "court_dispositions", r.c.is_current)
        .order_by(r.c.id)
    )
    with demo_ws.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            family = str(row["family_name"] or "")
            if len(family) >= 6 and " " not in family and len(row["dob"] or "") == 10:
                return dict(row)
    raise AssertionError("no court record to search for")


@pytest.fixture(scope="module")
def ana(demo_ws: Workspace, demo_built: Demo) -> Browser:
    return browser(demo_ws, "ana", demo_built.password, demo_built.case_id(1))


def _misspelt(person: dict[str, Any]) -> str:
    family = str(person["family_name"])
    slipped = family[:2] + family[3] + family[2] + family[4:]  # two letters swapped
    return f"{person['given_name']} {slipped} {person['dob']}"


def test_the_page_has_one_big_box_focused_by_slash(ana: Browser) -> None:
    page = ana.get("/search")
    assert page.status_code == 200
    assert 'data-focus-key="/"' in page.text
    assert 'hx-trigger="input changed delay:300ms, search"' in page.text
    assert '<label for="search-q"' in page.text
    assert 'action="/search"' in page.text  # a plain GET form: works without JavaScript
    assert "result-list" not in page.text  # nothing searched yet


def test_a_misspelt_name_finds_the_person(ana: Browser, person: dict[str, Any]) -> None:
    page = ana.get("/search", params={"q": _misspelt(person)})
    assert page.status_code == 200
    assert "<html" in page.text
    first = page.text.index('class="result-link"')
    assert f'href="/entities/{person["entity_id"]}"' in page.text[first : first + 200]
    assert "found in" in page.text
    assert " ms" in page.text
    assert "DOB exact" in page.text


def test_typing_gets_only_the_results(ana: Browser, person: dict[str, Any]) -> None:
    partial = ana.get("/search", params={"q": _misspelt(person)}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert 'id="result-list"' in partial.text
    assert f"/entities/{person['entity_id']}" in partial.text


def test_the_optional_fields_search_too(ana: Browser, person: dict[str, Any]) -> None:
    page = ana.get(
        "/search",
        params={"name": f"{person['family_name']}, {person['given_name']}", "dob": person["dob"]},
    )
    assert f"/entities/{person['entity_id']}" in page.text
    assert '<details class="search-fields" open>' in page.text


def test_unusable_input_is_answered_on_the_page(ana: Browser) -> None:
    page = ana.get("/search", params={"dob": "the thirtieth of Smarch"})
    assert page.status_code == 200
    assert "dob:" in page.text
    assert 'id="result-list"' not in page.text


def test_without_a_case_the_user_is_sent_to_choose_one(
    demo_ws: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_ws, "ana", demo_built.password)
    response = client.get("/search", params={"q": "smith"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/cases")


@pytest.fixture(scope="module")
def ana_api(demo_ws: Workspace, demo_built: Demo) -> TestClient:
    return api(demo_ws, "ana", demo_built.password, demo_built.case_id(1))


def test_the_api_answers_with_ranked_entities(ana_api: TestClient, person: dict[str, Any]) -> None:
    response = ana_api.get("/api/v1/search", params={"q": _misspelt(person), "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["entity_id"] == person["entity_id"]
    assert "DOB exact" in body["results"][0]["reasons"]
    assert body["query"]["fields"] == ["name", "dob"]
    assert body["count"] == len(body["results"]) <= 5
    assert 0 < body["results"][0]["score"] <= 1


def test_the_api_refuses_bad_input_and_missing_cases(
    ana_api: TestClient, demo_ws: Workspace, demo_built: Demo
) -> None:
    bad = ana_api.get("/api/v1/search", params={"dob": "the thirtieth of Smarch"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "dob:" in bad.json()["detail"]
    no_case = api(demo_ws, "ana", demo_built.password)
    assert no_case.get("/api/v1/search", params={"q": "smith"}).status_code == 400
    auditor = api(demo_ws, "aud", demo_built.password, demo_built.case_id(1))
    assert auditor.get("/api/v1/search", params={"q": "smith"}).status_code == 403
