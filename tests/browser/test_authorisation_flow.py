"""A withheld value unlocked by an authorisation, in a browser: in the demo's civil
immigration case the subject's motor vehicle record is prohibited (the DMV marking; its
judicial warrant expired), and the entity page names the judicial warrant that would unlock
it. The analyst records one through the form, a legal reviewer approves it, and the analyst
then sees the record's values.

Recording and approving change the workspace: this module has its server copy to itself.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server, log_in, shot

IMMIGRATION_CASE = 2
SOURCE = "vehicle_registrations"
MARKING = "dmv"
REFERENCE = "W-BROWSER-0001"


def vins(server: Server) -> set[str]:
    """The subject's vehicle identification numbers, as the criminal investigation (which
    may see them) reads them."""
    user = server.ws.login("ana", server.demo.password)
    with server.ws.session(user, server.demo.case_id(1)) as s:
        records = s.entity_detail(str(server.demo.access.subject))["records"]
    return {
        str(r["facts"]["vin"])
        for r in records
        if r["source"] == SOURCE and isinstance(r["facts"].get("vin"), str)
    }


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def vehicle_rows(page: Any) -> Any:
    """The rows of the entity page's vehicle registration records."""
    return page.locator(f"section.card:has(h3#src-{SOURCE}) tbody tr[id^=record-]")


def test_a_prohibited_value_is_unlocked_by_an_approved_warrant(page: Any, server: Server) -> None:
    subject = str(server.demo.access.subject)
    hidden = vins(server)
    assert hidden, "the demo subject has a vehicle registration"

    # 1. The analyst in the immigration case sees the marker, not the value, and what
    #    would unlock it.
    log_in(page, server, "ana", case=IMMIGRATION_CASE)
    page.goto(f"/entities/{subject}")
    rows = vehicle_rows(page)
    expect(rows.first).to_be_visible()
    expect(rows.first.locator(".prohibited").first).to_have_text(f"[prohibited: {MARKING}]")
    legend = page.locator("section.legend")
    entry = legend.locator("dd").filter(has_text="Motor vehicle record")
    expect(entry.locator(".unlock")).to_contain_text(
        "Judicial warrant (judicial_warrant) for civil_immigration"
    )
    body = page.locator("main").inner_text()
    assert not any(vin in body for vin in hidden)
    shot(page, "entity with a prohibited vehicle record")

    # 2. She records a judicial warrant for the case, the source, the marking and the
    #    subject, from the link the legend offers.
    entry.get_by_role("link", name="Record an authorisation").click()
    expect(page).to_have_url(re.compile(r"/authorisations$"))
    form = page.locator("#record")
    expect(form.get_by_role("combobox", name=re.compile("^Case"))).to_have_value(
        str(server.demo.case_id(IMMIGRATION_CASE))
    )
    form.get_by_role("combobox", name=re.compile("^Process")).select_option("judicial_warrant")
    form.get_by_label("Issuing authority").fill("Superior Court of Example County")
    form.get_by_label("Reference").fill(REFERENCE)
    form.get_by_role("group", name="Sources it reaches").locator(f"input[value={SOURCE}]").check()
    form.get_by_role("group", name="Markings it unlocks").locator(f"input[value={MARKING}]").check()
    form.get_by_label(re.compile("^Limited to these subjects")).fill(subject)
    today = dt.datetime.now(dt.UTC).date()
    form.get_by_label("Valid to (inclusive)").fill((today + dt.timedelta(days=14)).isoformat())
    form.get_by_label("Notes").fill("recorded in the browser test")
    shot(page, "authorisation form filled in")
    form.get_by_role("button", name="Record").click()

    expect(page.locator(".flash.ok")).to_contain_text("Recorded authorisation #")
    expect(page.locator(".flash.ok")).to_contain_text("until a legal reviewer other than you")
    row = page.locator("table.authorisations tbody tr").filter(has_text=REFERENCE)
    expect(row).to_contain_text("awaiting approval")
    expect(row).to_contain_text("recorded by ana")
    expect(row.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    auth_id = str(row.get_attribute("id")).removeprefix("authorisation-")
    shot(page, "authorisation recorded and awaiting approval")

    # Not yet approved: still withheld.
    page.goto(f"/entities/{subject}")
    expect(vehicle_rows(page).first.locator(".prohibited").first).to_be_visible()
    log_out(page)

    # 3. A legal reviewer approves it.
    log_in(page, server, "lee")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Authorisations").click()
    row = page.locator(f"#authorisation-{auth_id}")
    expect(row).to_contain_text("awaiting approval")
    row.get_by_role("button", name=f"Approve #{auth_id}").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"Approved authorisation #{auth_id}")
    row = page.locator(f"#authorisation-{auth_id}")
    expect(row).to_contain_text("active")
    expect(row).to_contain_text("approved by lee")
    expect(row).to_contain_text("expires in 14 days")
    shot(page, "authorisation approved")
    log_out(page)

    # 4. The analyst, back in the immigration case, now sees the vehicle record.
    log_in(page, server, "ana", case=IMMIGRATION_CASE)
    page.goto(f"/entities/{subject}")
    rows = vehicle_rows(page)
    expect(rows.first).to_be_visible()
    for vin in hidden:
        expect(rows.filter(has_text=vin)).to_have_count(1)
    expect(rows.locator(".prohibited")).to_have_count(0)
    shot(page, "entity with the vehicle record unlocked")
