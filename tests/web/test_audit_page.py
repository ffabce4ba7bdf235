"""The audit pages: auditors only (the facade's refusal is a 403 page, and on record), the
search filters, paging, the chain verification (intact, and broken after tampering), the
export, and a person's disclosures."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from linkwise.workspace import Workspace
from tests.web.conftest import Browser, Demo, browser

ROW = re.compile(r'<tr data-seq="(\d+)">(.*?)</tr>', re.S)


@pytest.fixture(scope="module")
def auditor(demo_ws: Workspace, demo_built: Demo) -> Browser:
    return browser(demo_ws, "aud", demo_built.password)


def rows(page: str) -> list[tuple[int, str]]:
    return [(int(seq), body) for seq, body in ROW.findall(page)]


def action_of(body: str) -> str:
    found = re.search(r'<td class="action"><a [^>]*>([^<]+)</a>', body)
    assert found is not None
    return found.group(1)


def test_an_analyst_is_refused_and_the_refusal_is_on_record(
    demo_ws: Workspace, demo_built: Demo, auditor: Browser
) -> None:
    analyst = browser(demo_ws, "ana", demo_built.password)
    for url in ("/audit", "/audit/export", "/audit/disclosures?entity=x"):
        refused = analyst.get(url)
        assert refused.status_code == 403, url
        assert "<table" not in refused.text
    assert analyst.form("/audit/verify").status_code == 403
    denied = auditor.get("/audit", params={"action": "permission.denied", "actor": "ana"})
    found = rows(denied.text)
    assert found
    assert all(action_of(body) == "permission.denied" for _, body in found)
    assert "audit.search" in denied.text
    assert "refused" in denied.text


def test_an_auditor_sees_events_newest_first(auditor: Browser) -> None:
    page = auditor.get("/audit")
    assert page.status_code == 200
    seqs = [seq for seq, _ in rows(page.text)]
    assert len(seqs) > 10
    assert seqs == sorted(seqs, reverse=True)


def test_filtering_by_action_narrows_the_list(auditor: Browser) -> None:
    every = rows(auditor.get("/audit", params={"size": 200}).text)
    only = rows(auditor.get("/audit", params={"action": "case.list", "size": 200}).text)
    assert only
    assert len(only) < len(every)
    assert {action_of(body) for _, body in only} == {"case.list"}
    nothing = auditor.get("/audit", params={"action": "no.such.action"})
    assert rows(nothing.text) == []
    assert "No events match" in nothing.text


def test_filtering_by_decision_and_case(auditor: Browser, demo_built: Demo) -> None:
    allowed = rows(auditor.get("/audit", params={"decision": "allowed", "size": 200}).text)
    assert allowed
    assert all("allowed" in body for _, body in allowed)
    case_id = demo_built.case_id(1)
    in_case = rows(auditor.get("/audit", params={"case": case_id, "size": 200}).text)
    assert in_case
    assert all(f">#{case_id}</a>" in body for _, body in in_case)
    bad = auditor.get("/audit", params={"case": "one", "since": "yesterday"})
    assert bad.status_code == 422
    assert "Case: give a whole number" in bad.text
    assert "From: give a time" in bad.text


def test_pages_go_back_in_time(auditor: Browser) -> None:
    first = auditor.get("/audit", params={"size": 25}).text
    newest = [seq for seq, _ in rows(first)]
    assert len(newest) == 25
    link = re.search(r'<a href="/audit\?([^"]+)" rel="next">', first)
    assert link is not None
    older = auditor.get("/audit?" + link.group(1).replace("&amp;", "&")).text
    seqs = [seq for seq, _ in rows(older)]
    assert seqs
    assert max(seqs) < min(newest)


def test_verify_reports_the_chain_intact(auditor: Browser) -> None:
    result = auditor.form("/audit/verify", headers={"HX-Request": "true"})
    assert result.status_code == 200
    assert 'data-chain="intact"' in result.text
    assert re.search(r"Chain intact:</strong> all [\d,]+ events verified", result.text)


def test_the_export_is_json_lines_counting_every_event(auditor: Browser) -> None:
    response = auditor.get("/audit/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in response.headers["content-disposition"]
    lines = [json.loads(line) for line in response.text.splitlines()]
    events = int(response.headers["x-linkwise-events"])
    checkpoints = int(response.headers["x-linkwise-checkpoints"])
    assert events > 10
    assert len(lines) == events + checkpoints
    seqs = [line["seq"] for line in lines if "hash" in line and "signature" not in line]
    assert seqs == list(range(1, events + 1))


def test_verify_from_the_page_finds_a_tampered_event(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_copy, "aud", demo_built.password)
    with demo_copy.engine.begin() as conn:  # test-only: rewrite history behind the log's back
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 5"))
    result = client.form("/audit/verify", headers={"HX-Request": "true"})
    assert result.status_code == 200
    assert 'data-chain="broken"' in result.text
    assert "broken at event 5" in result.text
    assert "Events 1 to 4 verified" in result.text


def test_an_administrator_may_verify_but_not_read(demo_ws: Workspace, demo_built: Demo) -> None:
    admin = browser(demo_ws, "admin", demo_built.password)
    page = admin.get("/audit")
    assert page.status_code == 200
    assert "Verify the chain" in page.text
    assert "may verify the log but not read it" in page.text
    assert rows(page.text) == []
    assert 'data-chain="intact"' in admin.form("/audit/verify").text
    assert admin.get("/audit/export").status_code == 403


def test_disclosures_of_an_entity(auditor: Browser, demo_built: Demo) -> None:
    subject = demo_built.access.subject
    assert subject is not None
    page = auditor.get("/audit/disclosures", params={"entity": subject})
    assert page.status_code == 200
    assert f"<code>{subject}</code>" in page.text
    assert "case(s)" in page.text
    missing = auditor.get("/audit/disclosures", params={"entity": "E-nope"})
    assert missing.status_code == 404
    assert "No entity" in missing.text
