"""A case from opening to a signed document, in a browser: the analyst opens a case, adds the
demo subject, drafts an affidavit (a DRAFT she cannot sign herself); a legal reviewer opens it
from the case list and signs it, and it shows who signed, when and its hashes, with no way
left to change it.

Opening a case and signing change the workspace: this module has its server copy to itself.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server, log_in, shot

TITLE = "Browser test: affidavit for the demo subject"


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def test_open_a_case_draft_and_sign_a_document(page: Any, server: Server) -> None:
    subject = str(server.demo.access.subject)

    # The analyst opens a case for a criminal investigation.
    log_in(page, server, "ana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    new = page.locator("section:has(#new-case)")
    new.get_by_label("Title").fill(TITLE)
    new.get_by_role("combobox", name=re.compile("^Purpose")).select_option("criminal_investigation")
    shot(page, "cases list with a new case filled in")
    new.get_by_role("button", name="Open the case").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    case_id = case_url.rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case #{case_id}: {TITLE}")
    expect(page.locator(".flash.ok")).to_contain_text(f"Opened case #{case_id}")

    # ... names the subject ...
    subjects = page.locator("#subjects")
    expect(subjects).to_contain_text("The case names no subject yet.")
    subjects.get_by_label("Add the entity").fill(subject)
    subjects.get_by_label("because").fill("the person the referral names")
    subjects.get_by_role("button", name="Add subject").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"Entity {subject} is now a subject")
    expect(page.locator("#subjects").get_by_role("link", name=subject)).to_be_visible()
    shot(page, "case with its subject")

    # ... and drafts an affidavit: a DRAFT, which she may not sign herself.
    documents = page.locator("#documents")
    documents.get_by_role("combobox", name=re.compile("^Draft a")).select_option("affidavit")
    documents.get_by_role("button", name="Draft", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}/documents/\d+$"))
    doc_url = page.url
    doc_id = doc_url.rsplit("/", 1)[1]
    expect(page.locator(".flash.ok")).to_contain_text(f"Drafted document #{doc_id}")
    expect(page.locator(".draft-mark")).to_have_text("DRAFT — not signed")
    expect(page.get_by_role("heading", level=1)).to_contain_text("draft")
    expect(page.locator("article.document .cites").first).to_be_visible()  # cited records
    shot(page, "drafted affidavit")
    page.get_by_role("button", name="Sign off this document").click()
    expect(page.locator(".flash.error")).to_contain_text("document.sign refused")
    expect(page.locator(".draft-mark")).to_be_visible()
    log_out(page)

    # A legal reviewer finds the case in the list, opens the document and signs it.
    log_in(page, server, "lee")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(case_url)
    listed = page.locator("#documents tbody tr").filter(has_text="affidavit")
    expect(listed).to_contain_text("draft")
    listed.get_by_role("link", name=f"#{doc_id}").click()
    expect(page).to_have_url(doc_url)
    page.get_by_role("button", name="Sign off this document").click()

    expect(page.locator(".flash.ok")).to_contain_text(f"Signed document #{doc_id}")
    expect(page.locator(".draft-mark")).to_have_count(0)
    meta = page.locator(".doc-meta")
    expect(meta).to_contain_text(re.compile(r"by lee, \d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    expect(meta).to_contain_text("A signed document is immutable")
    content_hash = meta.locator("dt:has-text('Hashes') + dd code").first
    expect(content_hash).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.get_by_role("button", name="Sign off this document")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("signed")
    shot(page, "signed affidavit")

    # The case page lists it as signed.
    page.get_by_role("link", name=f"Back to case #{case_id}").click()
    listed = page.locator("#documents tbody tr").filter(has_text="affidavit")
    expect(listed).to_contain_text("signed")
