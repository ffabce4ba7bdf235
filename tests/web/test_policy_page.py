"""The policy page: the pack in force, and the "why" tool explaining a decision for the
current user, case and value."""

from __future__ import annotations

import pytest
from markupsafe import escape

from linkwise.govern.session import is_withheld
from linkwise.store import reads
from linkwise.workspace import Workspace
from tests.web.conftest import Demo, browser


def test_the_policy_page_shows_the_pack(demo_ws: Workspace, demo_built: Demo) -> None:
    client = browser(demo_ws, "ana", demo_built.password)
    page = client.get("/policy")
    assert page.status_code == 200
    pack = demo_ws.pack
    assert f"version <strong>{pack.version}</strong>" in page.text
    history = demo_ws.policy_history()
    assert history[-1]["sha256"] in page.text
    for name, marking in pack.markings.items():
        assert f'id="marking-{name}"' in page.text
        assert str(escape(marking.authority)) in page.text
    for process in pack.legal_processes.values():
        assert str(escape(process.title)) in page.text
    for attribute in pack.prohibited_attributes.values():
        assert str(escape(attribute.title)) in page.text
    for rule in pack.priority_rules.values():
        assert str(escape(rule.title)) in page.text


def _redacted_record(ws: Workspace, demo: Demo) -> tuple[str, str, dict]:  # type: ignore[type-arg]
    """A record case 1 sees only as redacted (another person's benefit enrolment), with its
    raw key read from the store, as the test's own knowledge."""
    actor = ws.login("ana", demo.password)
    with ws.session(actor, demo.case_id(1)) as s:
        items = s.review_queue(100)
    record = next(
        r
        for item in items
        for r in item["records"]
        if is_withheld(r["source_key"]) and r["source_key"]["outcome"] == "redacted"
    )
    with ws.engine.connect() as conn:
        row = reads.record_rows(conn, [record["record_id"]])[record["record_id"]]
    return row.source, row.source_key, record["source_key"]


def test_the_why_tool_explains_a_redacted_value_and_what_unlocks_it(
    demo_ws: Workspace, demo_built: Demo
) -> None:
    source, key, marker = _redacted_record(demo_ws, demo_built)
    client = browser(demo_ws, "ana", demo_built.password, demo_built.case_id(1))
    page = client.get("/policy", params={"source": source, "source_key": key, "field": "dob"})
    assert page.status_code == 200
    assert "REDACTED" in page.text
    assert marker["rule"] in page.text
    assert marker["would_unlock"]
    for unlock in marker["would_unlock"]:
        assert f"{unlock['title']} ({unlock['process']})" in page.text
    partial = client.get(
        "/policy",
        params={"source": source, "source_key": key, "field": "record"},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in partial.text
    assert "REDACTED" in partial.text


@pytest.mark.parametrize("case_number", [1, 2])
def test_the_why_tool_answers_in_the_case_the_form_names(
    demo_ws: Workspace, demo_built: Demo, case_number: int
) -> None:
    source, key, _ = _redacted_record(demo_ws, demo_built)
    client = browser(demo_ws, "ana", demo_built.password, demo_built.case_id(1))
    page = client.get(
        "/policy",
        params={
            "source": source,
            "source_key": key,
            "field": "record",
            "case_id": str(demo_built.case_id(case_number)),
        },
    )
    assert f"in case #{demo_built.case_id(case_number)} for" in page.text


def test_the_why_tool_says_what_is_wrong_with_a_bad_question(
    demo_ws: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_ws, "ana", demo_built.password, demo_built.case_id(1))
    page = client.get("/policy", params={"source": "no_such_source", "source_key": "1"})
    assert page.status_code == 200
    assert "no current record" in page.text
    unchosen = browser(demo_ws, "ana", demo_built.password)
    page = unchosen.get("/policy", params={"source": "x", "source_key": "1"})
    assert "Choose a case first" in page.text


@pytest.mark.parametrize("username", ["aud", "admin"])
def test_roles_without_person_data_get_the_pack_and_an_explanation(
    demo_ws: Workspace, demo_built: Demo, username: str
) -> None:
    client = browser(demo_ws, username, demo_built.password)
    page = client.get("/policy", params={"source": "benefit_enrolments", "source_key": "1"})
    assert page.status_code == 200
    assert "reads no person data" in page.text
    assert 'name="source_key"' not in page.text
    assert "Markings" in page.text
