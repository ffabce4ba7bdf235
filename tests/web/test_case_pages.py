"""The cases pages: the list with priority reasons, opening a case, status moves and the
history, notes and subjects, the package (HTML, JSON, PDF) with its redactions, and drafting
and signing a document."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator

import pytest

from linkwise.govern.audit_access import AuditQuery
from linkwise.workspace import Workspace, drafting
from linkwise.workspace.audit import search_audit
from tests.web.conftest import Browser, Demo, browser


@pytest.fixture(scope="module")
def ana(demo_ws: Workspace, demo_built: Demo) -> Iterator[Browser]:
    """Ana, reading only: shared by the tests that change nothing."""
    with browser(demo_ws, "ana", demo_built.password) as client:
        yield client


def _main(html: str) -> str:
    """The page without its header (whose case picker names every open case)."""
    return html.split('<main id="main">', 1)[1]


def _flash(html: str) -> list[str]:
    return [
        html_lib.unescape(re.sub(r"\s+", " ", m))
        for m in re.findall(r'<p class="flash \w+"[^>]*>(.*?)</p>', html)
    ]


def test_the_list_shows_every_case_with_its_priority_and_reasons(
    ana: Browser, demo_built: Demo
) -> None:
    page = ana.get("/cases")
    assert page.status_code == 200
    for number in (1, 2, 3, 4):
        assert f'href="/cases/{demo_built.case_id(number)}"' in page.text
    # case 2 may not see the jail booking the custody rules look at: named, not counted
    row = page.text.split(f'href="/cases/{demo_built.case_id(2)}"')[1].split("</tr>")[0]
    assert "Release date still ahead" in row
    assert 'class="badge bad" title="rests on facts this case may not see' in row
    assert re.search(r"<strong>0</strong> <span class=\"muted\">\(\d{4}-\d\d-\d\d", row)
    # each open case can be chosen; the closed one cannot
    for number in (1, 2, 3):
        assert f'name="case_id" value="{demo_built.case_id(number)}"' in page.text
    assert f'name="case_id" value="{demo_built.case_id(4)}"' not in page.text


def test_the_list_filters_by_status_and_by_assignee(
    ana: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    closed = _main(ana.get("/cases", params={"status": "closed"}).text)
    assert "Demo 4: closed referral" in closed
    assert "Demo 1: benefit fraud referral" not in closed
    with browser(demo_ws, "sam", demo_built.password) as sam:
        mine = _main(sam.get("/cases", params={"mine": "true"}).text)
    assert "Demo 3: eligibility review" in mine  # sam's
    assert "Demo 1: benefit fraud referral" not in mine  # ana's


def test_a_page_that_needs_a_case_says_so_and_goes_on_after_the_choice(
    ana: Browser, demo_built: Demo
) -> None:
    page = ana.get("/cases", params={"need_case": "/review"}).text
    assert "choose the case you are working on to open <code>/review</code>" in page.lower()
    assert 'name="next" value="/review"' in page
    hostile = ana.get("/cases", params={"need_case": "//evil.example"}).text
    assert "evil.example" not in hostile


def test_opening_a_case_lists_it_and_refuses_a_purpose_the_role_may_not_open(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    client = browser(demo_copy, "ana", demo_built.password)
    page = client.get("/cases").text
    purposes = re.findall(r'<option value="(\w+)">[^<]*\(\1\)</option>', page)
    assert "criminal_investigation" in purposes
    opened = client.form("/cases", {"title": "Web test case", "purpose": "benefits_integrity"})
    assert opened.status_code == 200
    assert re.fullmatch(r"/cases/\d+", opened.url.path)
    assert "Case #" in opened.text
    assert "Web test case" in opened.text
    assert "Opened case" in " ".join(_flash(opened.text))
    assert "Web test case" in _main(client.get("/cases").text)
    refused = client.form("/cases", {"title": "No such purpose", "purpose": "made_up"})
    assert refused.url.path == "/cases"
    assert any("was not opened" in f for f in _flash(refused.text))
    assert "No such purpose" not in refused.text.split("Open a new case")[0]


def test_moving_a_status_shows_in_the_history_and_a_refusal_says_who_may(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    case_id = demo_built.case_id(1)  # in review, assigned to ana
    client = browser(demo_copy, "ana", demo_built.password)
    page = client.get(f"/cases/{case_id}").text
    assert 'name="status" value="open"' in page
    assert 'name="status" value="ready_for_legal"' in page
    moved = client.form(
        f"/cases/{case_id}/move", {"status": "open", "reason": "more records to check"}
    )
    assert moved.url.path == f"/cases/{case_id}"
    assert "is now open" in " ".join(_flash(moved.text))
    assert "status in_review → open (more records to check)" in moved.text
    refused = client.form(f"/cases/{case_id}/move", {"status": "closed", "reason": "done"})
    message = " ".join(_flash(refused.text))
    assert "Forbidden" in message
    assert "needs a supervisor" in message
    assert "status open → closed" not in refused.text
    auditor = demo_copy.login("aud", demo_built.password)
    denied = search_audit(demo_copy, auditor, AuditQuery(action="permission.denied", limit=5))
    assert any(e.objects.get("action") == "case.move" for e in denied)


def test_notes_and_subjects_are_kept_on_the_case(demo_copy: Workspace, demo_built: Demo) -> None:
    case_id = demo_built.case_id(1)
    subject = demo_built.access.subject
    assert subject is not None
    client = browser(demo_copy, "ana", demo_built.password)
    noted = client.form(f"/cases/{case_id}/notes", {"text": "Called the programme office."})
    assert "Called the programme office." in noted.text
    removed = client.form(
        f"/cases/{case_id}/subjects/remove", {"entity_id": subject, "reason": "wrong person"}
    )
    assert "no longer a subject" in " ".join(_flash(removed.text))
    assert f"subject removed: {subject} (wrong person)" in removed.text
    added = client.form(
        f"/cases/{case_id}/subjects", {"entity_id": subject, "reason": "right person after all"}
    )
    assert f'<a href="/entities/{subject}">{subject}</a>' in added.text
    unknown = client.form(f"/cases/{case_id}/subjects", {"entity_id": "ENOSUCH", "reason": "x"})
    assert "no entity 'ENOSUCH'" in " ".join(_flash(unknown.text))


def test_recomputing_the_priority_shows_the_records_behind_each_reason(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    case_id = demo_built.case_id(2)
    client = browser(demo_copy, "ana", demo_built.password)
    before = client.get(f"/cases/{case_id}").text.count("priority computed:")
    page = client.form(f"/cases/{case_id}/priority")
    assert page.status_code == 200
    row = page.text.split("Release date still ahead")[1].split("</tr>")[0]
    assert "jail_bookings:" in row  # the record behind the reason, not counted
    assert '<span class="badge bad">withheld</span>' in row
    assert "Not applied" in page.text  # benefit rules do not apply to this purpose
    after = client.get(f"/cases/{case_id}").text.count("priority computed:")
    assert after == before + 1  # kept in the history


def test_the_package_shows_what_unlocks_a_restricted_value_never_the_value(
    ana: Browser, demo_ws: Workspace, demo_built: Demo
) -> None:
    """Case 2 (civil immigration) may not use the subject's vehicle registration (a judicial
    warrant or court order would unlock it); case 1 may, which is how the test learns it."""
    user = demo_ws.login("ana", demo_built.password)
    with demo_ws.session(user, demo_built.case_id(1)) as session:
        unlocked = drafting.case_package(session)
    vins = {
        str(record["facts"]["vin"])
        for subject in unlocked["subjects"]
        for group in subject["sources"]
        if group["source"] == "vehicle_registrations"
        for record in group["records"]
        if isinstance(record["facts"].get("vin"), str)
    }
    assert vins
    page = ana.get(f"/cases/{demo_built.case_id(2)}/package")
    assert page.status_code == 200
    dmv = page.text.split("prohibited: dmv</span>")[1].split("</tr>")[0]
    assert "unlocked by Judicial warrant (judicial_warrant)" in dmv
    assert "redacted: benefits" in page.text
    assert "no legal process unlocks it for this purpose" in page.text
    for vin in vins:
        assert vin not in page.text
        assert vin in ana.get(f"/cases/{demo_built.case_id(1)}/package").text


def test_the_package_downloads_as_json_and_pdf(ana: Browser, demo_built: Demo) -> None:
    case_id = demo_built.case_id(2)
    as_json = ana.get(f"/cases/{case_id}/package.json")
    assert as_json.status_code == 200
    assert "attachment" in as_json.headers["content-disposition"]
    package = json.loads(as_json.text)
    assert package["format"] == "linkwise.case-package/1"
    assert package["case"]["id"] == case_id
    as_pdf = ana.get(f"/cases/{case_id}/package.pdf")
    assert as_pdf.status_code == 200
    assert as_pdf.content.startswith(b"%PDF")
    assert ana.get(f"/cases/{case_id}/package.docx").status_code == 409


def test_draft_then_sign_as_a_legal_reviewer_and_the_drafter_is_refused(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    case_id = demo_built.case_id(2)
    ana = browser(demo_copy, "ana", demo_built.password)
    drafted = ana.form(f"/cases/{case_id}/documents", {"kind": "affidavit"})
    assert re.fullmatch(rf"/cases/{case_id}/documents/\d+", drafted.url.path)
    doc_url = drafted.url.path
    assert "DRAFT — not signed" in drafted.text
    cites = re.findall(r'<span class="cites">(.*?)</span>\s*</p>', drafted.text, re.S)
    assert any(">court_dispositions:" in c for c in cites)  # statements cite their records
    assert "Left out of this document" in drafted.text  # restricted values are listed
    pdf = ana.get(f"{doc_url}/download.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    docx = ana.get(f"{doc_url}/download.docx")
    assert docx.status_code == 200
    assert docx.content.startswith(b"PK")

    refused = ana.form(f"{doc_url}/sign")
    message = " ".join(_flash(refused.text))
    assert "Forbidden" in message
    assert "document.sign refused" in message
    assert "DRAFT — not signed" in refused.text

    lee = browser(demo_copy, "lee", demo_built.password)
    signed = lee.form(f"{doc_url}/sign")
    assert "Signed document" in " ".join(_flash(signed.text))
    assert "DRAFT — not signed" not in signed.text
    assert re.search(r"by lee, \d{4}-\d\d-\d\d \d\d:\d\d UTC", signed.text)
    assert "Sign off this document" not in signed.text  # immutable: no sign form left
    again = lee.form(f"{doc_url}/sign")
    assert "Forbidden" in " ".join(_flash(again.text))
    signed_pdf = lee.get(f"{doc_url}/download.pdf")
    assert signed_pdf.content.startswith(b"%PDF")
    assert signed_pdf.content != pdf.content
    listed = lee.get(f"/cases/{case_id}").text
    assert f'href="{doc_url}"' in listed
    assert "signed</span>" in listed


def test_an_auditor_may_not_open_a_case_page(demo_ws: Workspace, demo_built: Demo) -> None:
    with browser(demo_ws, "aud", demo_built.password) as aud:
        page = aud.get(f"/cases/{demo_built.case_id(1)}")
    assert page.status_code == 403
    assert "Traceback" not in page.text
