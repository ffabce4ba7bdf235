"""The entity page, its link explanations and the record page, read in the demo's cases:
what each case may see is shown, grouped by source; what it may not is absent, with the
process that would unlock it."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from linkwise.demo.sources.reports import NAME as REPORTS
from linkwise.govern.session import is_withheld
from linkwise.web.charts import waterfall, waterfall_rows
from linkwise.workspace import Workspace
from linkwise.workspace.documents import list_documents
from tests.web.conftest import Browser, Demo, browser, mentioned_entity

SPEC = re.compile(r"data-vega-spec='([^']*)'")


def _detail(ws: Workspace, demo: Demo, case: int) -> dict[str, Any]:
    actor = ws.login("ana", demo.password)
    with ws.session(actor, demo.case_id(case)) as s:
        return s.entity_detail(str(demo.access.subject))


@pytest.fixture(scope="module")
def fraud(demo_ws: Workspace, demo_built: Demo) -> Browser:
    return browser(demo_ws, "ana", demo_built.password, demo_built.case_id(1))


@pytest.fixture(scope="module")
def removal(demo_ws: Workspace, demo_built: Demo) -> Browser:
    return browser(demo_ws, "ana", demo_built.password, demo_built.case_id(2))


def test_the_entity_page_groups_records_by_source_with_provenance(
    fraud: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    detail = _detail(demo_ws, demo_built, 1)
    page = fraud.get(f"/entities/{demo_built.access.subject}")
    assert page.status_code == 200
    sources = {r["source"] for r in detail["records"]}
    assert len(sources) >= 2
    for source in sources:
        assert f'<h3 id="src-{source}">{source}' in page.text
    shown = next(r for r in detail["records"] if not is_withheld(r["source_key"]))
    assert f'id="record-{shown["record_id"]}"' in page.text
    assert f"/records/{shown['source']}/" in page.text
    assert f"version {shown['provenance']['version']}" in page.text
    assert "Why is this record here?" in page.text
    assert "Cases that name this person" in page.text
    assert f"/cases/{demo_built.case_id(1)}" in page.text


def test_a_value_the_case_may_not_see_is_absent_and_its_unlock_named(
    fraud: Browser, removal: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    seen = {r["record_id"]: r for r in _detail(demo_ws, demo_built, 1)["records"]}
    hidden = [
        r
        for r in _detail(demo_ws, demo_built, 2)["records"]
        if is_withheld(r["source_key"]) and r["source_key"]["outcome"] == "prohibited"
    ]
    assert hidden, "the expired warrant leaves some of the subject's records prohibited"
    page = removal.get(f"/entities/{demo_built.access.subject}").text
    for record in hidden:
        original = seen[record["record_id"]]
        assert not is_withheld(original["source_key"])  # case 1 sees it ...
        assert f"{record['source']}:{original['source_key']}" not in page  # ... case 2 not
        assert f'"/records/{record["source"]}/{original["source_key"]}"' not in page
        marker = record["source_key"]
        assert f"[prohibited: {marker['marking']}]" in page
        for unlock in marker["would_unlock"]:
            assert f"{unlock['title']} ({unlock['process']})" in page
    assert "Would be unlocked by:" in page
    assert "Would be unlocked by:" not in fraud.get(f"/entities/{demo_built.access.subject}").text


def test_the_link_partial_returns_a_vega_lite_waterfall_and_its_numbers(
    fraud: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    detail = _detail(demo_ws, demo_built, 1)
    refs = {r["record_id"]: r for r in detail["records"]}
    link = next(
        lk
        for lk in detail["links"]
        if not is_withheld(refs[lk["record_l"]]["source_key"])
        and not is_withheld(refs[lk["record_r"]]["source_key"])
    )
    left, right = refs[link["record_l"]], refs[link["record_r"]]
    response = fraud.get(
        f"/entities/{detail['id']}/links",
        params={
            "left": f"{left['source']}:{left['source_key']}",
            "right": f"{right['source']}:{right['source_key']}",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text  # a partial for htmx
    spec = json.loads(html.unescape(SPEC.search(response.text).group(1)))  # type: ignore[union-attr]
    assert "vega-lite" in spec["$schema"]
    data = spec["data"]
    values = data["values"] if "values" in data else spec["datasets"][data["name"]]
    total = next(v for v in values if v["kind"] == "total")
    assert total["end"] == pytest.approx(link["match_weight"], abs=0.01)
    assert "Final match weight" in response.text  # the same numbers as a table
    assert "likely the same person" in response.text


def test_waterfall_steps_add_up_and_withheld_steps_are_left_out() -> None:
    rows: list[dict[str, Any]] = [
        {
            "kind": "prior",
            "name": "prior",
            "description": "Starting weight",
            "weight": -10.0,
            "combined": -10.0,
        },
        {
            "kind": "comparison",
            "name": "dob",
            "description": "Date of birth",
            "weight": 6.0,
            "tf_adjustment": -1.0,
            "combined": 5.0,
            "label": "exact",
        },
        {
            "kind": "comparison",
            "name": "ssn",
            "description": "SSN",
            "weight": None,
            "withheld": {"redacted": True},
        },
        {
            "kind": "comparison",
            "name": "given_name",
            "description": "Given name",
            "weight": 8.0,
            "combined": 8.0,
        },
        {
            "kind": "total",
            "name": "total",
            "description": "Final match weight",
            "weight": 3.0,
            "combined": 3.0,
        },
    ]
    bars = waterfall_rows(rows)
    assert [b["step"] for b in bars] == [
        "Starting weight",
        "Date of birth",
        "Given name",
        "Final match weight",
    ]
    assert bars[1]["start"] == -10.0
    assert bars[1]["end"] == -5.0
    assert bars[2]["end"] == bars[3]["end"] == 3.0
    assert waterfall(rows)["layer"]


def test_the_record_page_links_to_its_entity(
    fraud: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    record = next(
        r for r in _detail(demo_ws, demo_built, 1)["records"] if not is_withheld(r["source_key"])
    )
    page = fraud.get(f"/records/{record['source']}/{record['source_key']}")
    assert page.status_code == 200
    assert f'href="/entities/{demo_built.access.subject}#record-{record["record_id"]}"' in page.text
    assert "Versions" in page.text


def test_why_not_explains_a_record_outside_the_entity(
    fraud: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    actor = demo_ws.login("ana", demo_built.password)
    with demo_ws.session(actor, demo_built.case_id(1)) as s:
        item = next(
            i
            for i in s.review_queue(100)
            if all(not is_withheld(r["source_key"]) for r in i["records"])
            and all(r["entity_id"] != demo_built.access.subject for r in i["records"])
        )
    outsider = item["records"][0]
    answer = fraud.get(
        f"/entities/{demo_built.access.subject}/why-not",
        params={"record": f"{outsider['source']}:{outsider['source_key']}"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "likely" in answer.text or "not" in answer.text
    missing = fraud.get(
        f"/entities/{demo_built.access.subject}/why-not", params={"record": "no_such:1"}
    )
    assert missing.status_code == 404
    bad = fraud.get(f"/entities/{demo_built.access.subject}/why-not", params={"record": "x"})
    assert bad.status_code == 422
    assert "SOURCE:KEY" in bad.text


def test_an_unknown_entity_is_a_404_page(fraud: Browser) -> None:
    page = fraud.get("/entities/ENOSUCHENTITY")
    assert page.status_code == 404
    assert "Go back" in page.text


def test_raising_a_dispute_from_the_entity_page(demo_copy: Workspace, demo_built: Demo) -> None:
    client = browser(demo_copy, "ana", demo_built.password, demo_built.case_id(1))
    record = next(
        r for r in _detail(demo_copy, demo_built, 1)["records"] if not is_withheld(r["source_key"])
    )
    url = f"/entities/{demo_built.access.subject}"
    client.refresh_csrf(client.get(url).text)
    page = client.form(
        f"{url}/disputes",
        {
            "record": f"{record['source']}:{record['source_key']}",
            "kind": "value",
            "field": "family_name",
            "claimed_value": "Smith",
            "evidence": "The person's passport gives another family name.",
        },
    )
    assert page.status_code == 200
    assert "was raised" in page.text
    assert "The person&#39;s passport gives another family name." in page.text


def test_the_demo_reports_are_linked_and_their_passages_highlighted_on_the_entity_page(
    fraud: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    """Issue 7's "done when": the demo's incident reports are ingested, a person they name
    is linked into an entity with records of other sources, and that entity's page lists
    the report with the passage naming them marked."""
    docs = list_documents(demo_ws.engine, source=REPORTS, limit=None)
    assert docs
    assert {d.status for d in docs} == {"ok"}
    entity, key = mentioned_entity(demo_ws)
    path = key.split("#")[0]
    actor = demo_ws.login("ana", demo_built.password)
    with demo_ws.session(actor, demo_built.case_id(1)) as s:
        (doc,) = [d for d in s.entity_documents(entity) if d["path"] == path]
    passage = doc["passages"][0]
    lo, hi = passage["highlight"]
    named = passage["text"][lo:hi]
    assert named
    page = fraud.get(f"/entities/{entity}")
    assert page.status_code == 200
    assert f"{REPORTS}: {path}" in html.unescape(page.text)
    assert f"<mark>{html.escape(named)}</mark>" in page.text
