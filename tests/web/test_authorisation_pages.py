"""The authorisations page: the list with states and expiry, recording one, approving it (by
someone else with an approving role) and revoking it, and what that does to a case's view."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Iterator

import pytest

from linkwise.workspace import Workspace, drafting
from tests.web.conftest import Browser, Demo, browser


@pytest.fixture(scope="module")
def ana(demo_ws: Workspace, demo_built: Demo) -> Iterator[Browser]:
    with browser(demo_ws, "ana", demo_built.password) as client:
        yield client


def _flash(html: str) -> str:
    found = re.findall(r'<p class="flash \w+"[^>]*>(.*?)</p>', html, re.S)
    return " ".join(html_lib.unescape(re.sub(r"\s+", " ", m)) for m in found)


def _row(html: str, reference: str) -> str:
    """The table row of the authorisation with ``reference``."""
    start = html.index(f"{reference}, issued by")
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def _id(html: str, reference: str) -> int:
    found = re.search(r'<tr id="authorisation-(\d+)"', _row(html, reference))
    assert found is not None
    return int(found.group(1))


def _vins(ws: Workspace, password: str, case_id: int) -> set[str]:
    """The subject's vehicle identification numbers, as case 1 (which may see them) reads."""
    user = ws.login("ana", password)
    with ws.session(user, case_id) as session:
        package = drafting.case_package(session)
    return {
        str(record["facts"]["vin"])
        for subject in package["subjects"]
        for group in subject["sources"]
        if group["source"] == "vehicle_registrations"
        for record in group["records"]
        if isinstance(record["facts"].get("vin"), str)
    }


def test_the_list_shows_each_state_and_the_expiry_plainly(ana: Browser) -> None:
    page = ana.get("/authorisations")
    assert page.status_code == 200
    warrant = _row(page.text, "W-2026-0007")
    assert ">expired</span>" in warrant
    assert re.search(r"expired \d+ days ago", warrant)
    assert "approved by lee" in warrant
    revoked = _row(page.text, "GJ-2026-0098")
    assert ">revoked</span>" in revoked
    assert "quashed on motion" in revoked
    awaiting = _row(page.text, "CO-2026-2210")
    assert ">awaiting approval</span>" in awaiting
    assert "needs a legal reviewer other than sam" in awaiting
    assert "Approve #" not in awaiting  # an analyst cannot approve a court order
    active = _row(page.text, "GJ-2026-0141")
    assert ">active</span>" in active
    assert re.search(r"expires in \d+ days", active)


def test_the_list_filters_by_case(ana: Browser, demo_built: Demo) -> None:
    page = ana.get("/authorisations", params={"case": str(demo_built.case_id(2))}).text
    assert "W-2026-0007" in page
    assert "GJ-2026-0141" not in page
    assert "OIG-2026-0415" not in page


def test_record_approve_and_revoke_change_what_the_case_sees(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    case_id = demo_built.case_id(2)  # civil immigration: vehicle records are prohibited
    subject = demo_built.access.subject
    assert subject is not None
    vins = _vins(demo_copy, demo_built.password, demo_built.case_id(1))
    assert vins
    ana = browser(demo_copy, "ana", demo_built.password)
    today = dt.datetime.now(dt.UTC).date()
    recorded = ana.form(
        "/authorisations",
        {
            "case_id": str(case_id),
            "process": "judicial_warrant",
            "issuing_authority": "Superior Court of Example County",
            "reference": "W-WEB-0001",
            "sources": ["vehicle_registrations", "jail_bookings"],
            "markings": ["dmv", "state_custody_sanctuary"],
            "subjects": subject,
            "valid_from": today.isoformat(),
            "valid_to": (today + dt.timedelta(days=10)).isoformat(),
            "notes": "recorded from the web test",
        },
    )
    assert recorded.url.path == "/authorisations"
    message = _flash(recorded.text)
    assert "Recorded authorisation" in message
    assert "until a legal reviewer other than you approves it" in message
    row = _row(recorded.text, "W-WEB-0001")
    assert ">awaiting approval</span>" in row
    assert "recorded by ana" in row
    assert f'href="/entities/{subject}"' in row
    auth_id = _id(recorded.text, "W-WEB-0001")
    package = ana.get(f"/cases/{case_id}/package").text
    assert not any(vin in package for vin in vins)  # nothing unlocked yet

    lee = browser(demo_copy, "lee", demo_built.password)
    approved = lee.form(f"/authorisations/{auth_id}/approve", {"back": "/authorisations"})
    assert f"Approved authorisation #{auth_id}" in _flash(approved.text)
    row = _row(approved.text, "W-WEB-0001")
    assert ">active</span>" in row
    assert "approved by lee" in row
    assert "expires in 10 days" in row
    package = ana.get(f"/cases/{case_id}/package").text
    assert all(vin in package for vin in vins)  # the warrant unlocks the registration
    assert f"unlocked by authorisation #{auth_id}" in package

    revoked = lee.form(
        f"/authorisations/{auth_id}/revoke", {"reason": "entered in error", "back": "/x"}
    )
    assert revoked.url.path == "/authorisations"  # only back to this page
    assert f"Revoked authorisation #{auth_id}" in _flash(revoked.text)
    row = _row(revoked.text, "W-WEB-0001")
    assert ">revoked</span>" in row
    assert "entered in error" in row
    package = ana.get(f"/cases/{case_id}/package").text
    assert not any(vin in package for vin in vins)  # locked again at once


def test_nobody_approves_their_own_and_the_page_says_why(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    lee = browser(demo_copy, "lee", demo_built.password)
    today = dt.datetime.now(dt.UTC).date()
    recorded = lee.form(
        "/authorisations",
        {
            "case_id": str(demo_built.case_id(1)),
            "process": "court_order",
            "issuing_authority": "Superior Court of Example County",
            "reference": "CO-WEB-0002",
            "sources": ["benefit_enrolments"],
            "markings": ["benefits"],
            "valid_from": today.isoformat(),
            "valid_to": (today + dt.timedelta(days=5)).isoformat(),
        },
    )
    auth_id = _id(recorded.text, "CO-WEB-0002")
    assert f'action="/authorisations/{auth_id}/approve"' in _row(recorded.text, "CO-WEB-0002")
    own = lee.form(f"/authorisations/{auth_id}/approve")
    assert f"lee recorded authorisation #{auth_id} and cannot approve it" in _flash(own.text)
    assert ">awaiting approval</span>" in _row(own.text, "CO-WEB-0002")

    ana = browser(demo_copy, "ana", demo_built.password)
    analyst = ana.form(f"/authorisations/{auth_id}/approve")
    assert "Forbidden" in _flash(analyst.text)
    assert ">awaiting approval</span>" in _row(analyst.text, "CO-WEB-0002")

    liv = browser(demo_copy, "liv", demo_built.password)
    other = liv.form(f"/authorisations/{auth_id}/approve")
    assert ">active</span>" in _row(other.text, "CO-WEB-0002")


def test_a_form_that_cannot_unlock_anything_is_refused_with_its_reason(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    ana = browser(demo_copy, "ana", demo_built.password)
    base = {
        "case_id": str(demo_built.case_id(3)),
        "process": "subpoena",
        "issuing_authority": "Court",
        "reference": "BAD-1",
        "sources": ["benefit_enrolments"],
        "markings": ["benefits"],
    }
    no_dates = ana.form("/authorisations", {**base, "valid_from": "soon", "valid_to": ""})
    assert "Nothing was recorded: valid from: 'soon' is not a date" in _flash(no_dates.text)
    backwards = ana.form(
        "/authorisations", {**base, "valid_from": "2026-05-01", "valid_to": "2026-04-01"}
    )
    assert "Nothing was recorded" in _flash(backwards.text)
    no_marking = ana.form(
        "/authorisations",
        {**base, "markings": [], "valid_from": "2026-05-01", "valid_to": "2026-06-01"},
    )
    assert "Nothing was recorded" in _flash(no_marking.text)
    assert "BAD-1" not in no_marking.text.split("Record an authorisation")[0]
