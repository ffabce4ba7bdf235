"""No side door through case packages or drafted documents. On the resolved world of
``tests/govern/test_session_leaks.py`` (a canary benefit-enrolment record, ``benefits``
marking: redacted for a criminal investigation unless a subpoena unlocks it), with the
canary's entity as the case's subject:

- the canary is absent from the case package (JSON and PDF text) and from every drafted
  document (content, DOCX text, PDF text) without an authorisation, present with one;
- a draft lists what was withheld and what would unlock it, never the value;
- sign-off is refused (and audited) for a role the template does not name, for the drafter,
  and for a superseded version; a signed document cannot be changed; a new version
  supersedes the old; a revoked authorisation stops the export of a draft that used it;
- the disclosure record lists the document.

On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from sqlalchemy import delete, insert
from typer.testing import CliRunner

from linkwise.cases.package import case_package
from linkwise.cli.main import app
from linkwise.demo import generate_world
from linkwise.drafting.compose import compose, load_template
from linkwise.drafting.signing import SignOffRefusedError
from linkwise.govern import audit
from linkwise.govern.accounts import User
from linkwise.govern.gate import SessionError
from linkwise.govern.session import NotFoundError
from linkwise.model.cases import Case
from linkwise.model.documents import KINDS
from linkwise.model.policy import default_pack_path
from linkwise.resolve.prepare import prepare
from linkwise.store import cases as case_store
from linkwise.store import documents as document_store
from linkwise.store import reads, tables
from linkwise.store import resolution as resolution_store
from linkwise.workspace import drafting as wd
from linkwise.workspace import explaining
from linkwise.workspace.audit import disclosures
from linkwise.workspace.cases import revoke_authorisation
from tests.govern.test_session_leaks import CANARIES, KEYS, SOURCE, Lab, _build
from tests.helpers import PASSWORD, authorise, seed_case, seed_user, workspace_on


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 150, 5)
    return out


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, world: Path
) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    with workspace_on(request.param, root) as ws:
        yield _build(ws, world, root)


def _case(lab: Lab, title: str, **kw: str) -> tuple[User, Case]:
    """A case whose subject is the canary's entity."""
    user, case = seed_case(lab.ws, title=title, **kw)
    with lab.ws.engine.begin() as conn:
        case_store.insert_subject(
            conn,
            case_id=case.id,
            entity_id=lab.entity,
            added_by=user.id,
            added_at=dt.datetime.now(dt.UTC),
            reason="the person the referral names",
        )
    return user, case


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text.lower()]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    header = [p.text for p in document.sections[0].header.paragraphs]
    return "\n".join(header + [p.text for p in document.paragraphs])


def _package_texts(lab: Lab, user: User, case: Case) -> dict[str, str]:
    with lab.ws.session(user, case.id) as s:
        files = wd.export_case_package(s, ["json", "pdf"])
    return {"json": files["json"].decode("utf-8"), "pdf": _pdf_text(files["pdf"])}


def _draft_texts(lab: Lab, user: User, case: Case, kind: str) -> tuple[int, dict[str, str]]:
    with lab.ws.session(user, case.id) as s:
        doc = wd.draft(s, kind)
        docx_bytes = wd.export_document(s, doc.id, "docx")
        pdf_bytes = wd.export_document(s, doc.id, "pdf")
    texts = {
        "content": json.dumps(doc.content, ensure_ascii=False),
        "docx": _docx_text(docx_bytes),
        "pdf": _pdf_text(pdf_bytes),
    }
    return doc.id, texts


def _last(lab: Lab, case: Case, action: str) -> audit.AuditEvent:
    with lab.ws.engine.connect() as conn:
        (event,) = audit.events(conn, case_id=case.id, action=action, limit=1, newest_first=True)
    return event


def _events(lab: Lab, case: Case, action: str) -> list[audit.AuditEvent]:
    with lab.ws.engine.connect() as conn:
        return list(audit.events(conn, case_id=case.id, action=action))


def test_the_package_holds_a_restricted_value_only_under_an_authorisation(lab: Lab) -> None:
    user, case = _case(lab, "package leaks")
    texts = _package_texts(lab, user, case)
    assert {k: _leaks(v) for k, v in texts.items()} == {"json": [], "pdf": []}
    assert "benefits" in texts["json"]  # the marker names the marking...
    assert "subpoena" in texts["pdf"].lower()  # ...and what would unlock it
    event = _last(lab, case, "case.package.export")
    assert event.objects["case_id"] == case.id
    assert set(event.objects["sha256"]) == {"json", "pdf"}
    assert event.decision is not None
    assert "marking:benefits.default" in event.decision["rules"]

    authorise(lab.ws, user, case, "subpoena", sources=[SOURCE], markings=["benefits"])
    texts = _package_texts(lab, user, case)
    assert "canarykey" in texts["json"].lower()
    assert "quillfeather" in texts["pdf"].lower()


def test_the_package_has_provenance_explanations_timeline_and_discrepancies(lab: Lab) -> None:
    user, case = _case(lab, "package shape")
    with lab.ws.session(user, case.id) as s:
        package = wd.case_package(s)
    (subject,) = package["subjects"]
    assert subject["entity_id"] == lab.entity
    records = [r for g in subject["sources"] for r in g["records"]]
    assert len({g["source"] for g in subject["sources"]}) == len(subject["sources"])
    court = next(r for r in records if r["source"] == lab.person[0] and "withheld" not in r)
    assert court["provenance"]["ingestion_run"] >= 1
    assert court["provenance"]["origins"]
    linked = [r for r in records if r.get("match", {}).get("match_probability") is not None]
    assert linked
    assert all(isinstance(r["match"]["explanation"], str) for r in linked)
    canary = next(r for r in records if r["source"] == SOURCE)
    assert canary["fields"]["address_line"]["redacted"] is True
    dates = [e["date"] for e in subject["timeline"]]
    assert dates == sorted(dates)
    # only values the case may see are compared: the canary's redacted address is in none
    for found in subject["discrepancies"]:
        assert found["field"] in ("dob", "name", "address")
        assert len(found["values"]) > 1
        assert all(canary["record_id"] not in v["record_ids"] for v in found["values"])
    restricted = {(i["source"], i["field"]) for i in subject["restricted"]}
    assert (SOURCE, "address_line") in restricted


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_never_contains_a_redacted_value(lab: Lab, kind: str) -> None:
    user, case = _case(lab, f"draft {kind}")
    doc_id, texts = _draft_texts(lab, user, case, kind)
    assert {k: _leaks(v) for k, v in texts.items()} == {"content": [], "docx": [], "pdf": []}
    with lab.ws.session(user, case.id) as s:
        shown = wd.show_document(s, doc_id)
    withheld = shown["content"]["withheld"]
    assert any(w["source"] == SOURCE and "Subpoena" in w["unlock"] for w in withheld)
    assert "DRAFT - NOT SIGNED" in texts["docx"]
    assert "DRAFT" in texts["pdf"]
    cited = [b for b in shown["content"]["blocks"] if b["citations"]]
    assert cited, "a draft states facts, each with its citations"
    event = _last(lab, case, "document.draft")
    assert event.objects["document_id"] == str(doc_id)
    assert event.objects["disclosed"]["document_id"] == str(doc_id)


def test_a_draft_uses_a_restricted_value_only_under_an_authorisation(lab: Lab) -> None:
    user, case = _case(lab, "draft unlocked")
    authorise(lab.ws, user, case, "subpoena", sources=[SOURCE], markings=["benefits"])
    doc_id, texts = _draft_texts(lab, user, case, "affidavit")
    for name in ("content", "docx", "pdf"):
        assert "canarykey" in texts[name].lower(), name
    auditor = seed_user(lab.ws, "audrey", "auditor")
    found = disclosures(lab.ws, auditor, lab.entity)
    uses = next(c for c in found.cases if c.case_id == case.id)
    assert str(doc_id) in uses.documents


def test_a_revoked_authorisation_stops_the_export_of_a_draft_that_used_it(lab: Lab) -> None:
    user, case = _case(lab, "revoked after drafting")
    subpoena = authorise(lab.ws, user, case, "subpoena", sources=[SOURCE], markings=["benefits"])
    doc_id, _ = _draft_texts(lab, user, case, "affidavit")
    lee = seed_user(lab.ws, "lee", "legal_reviewer")
    revoke_authorisation(lab.ws, lee, subpoena.id, "quashed")
    with lab.ws.session(user, case.id) as s:
        shown = wd.show_document(s, doc_id)
        with pytest.raises(wd.DocumentRestrictedError, match="no longer use"):
            wd.export_document(s, doc_id, "pdf")
    assert shown["withheld_now"] > 0
    assert _leaks(json.dumps(shown, ensure_ascii=False)) == []
    event = _last(lab, case, "document.export")
    assert event.objects["refused"]["sentences"] > 0
    with lab.ws.session(lee, case.id) as s, pytest.raises(wd.DocumentRestrictedError):
        wd.sign_document(s, doc_id)


def test_sign_off_rules_immutability_and_versions(lab: Lab) -> None:
    ann, case = _case(lab, "sign-off")
    with lab.ws.session(ann, case.id) as s:
        first = wd.draft(s, "affidavit")
        second = wd.draft(s, "affidavit")
    assert (second.version, second.supersedes_id) == (2, first.id)

    sue = seed_user(lab.ws, "sue", "supervisor")
    with (
        lab.ws.session(sue, case.id) as s,
        pytest.raises(
            SignOffRefusedError,
            match="refused: an affidavit in support of an application is signed off by a legal",
        ),
    ):
        wd.sign_document(s, second.id)
    denied = _last(lab, case, "permission.denied")
    assert denied.objects["document_id"] == str(second.id)
    with lab.ws.session(ann, case.id) as s, pytest.raises(SignOffRefusedError):
        wd.sign_document(s, second.id)

    lee = seed_user(lab.ws, "lee", "legal_reviewer")
    with lab.ws.session(lee, case.id) as s:
        with pytest.raises(SignOffRefusedError, match="superseded"):
            wd.sign_document(s, first.id)
        own = wd.draft(s, "correction_notice")
        with pytest.raises(SignOffRefusedError, match="own draft"):
            wd.sign_document(s, own.id)
        signed = wd.sign_document(s, second.id)
        signed_docx = _docx_text(wd.export_document(s, second.id, "docx"))
        signed_pdf = _pdf_text(wd.export_document(s, second.id, "pdf"))
    assert signed.signed
    assert signed.signed_by == lee.id
    assert signed.content_sha256 == second.content_sha256
    assert signed.docx_sha256 != second.docx_sha256
    assert "SIGNED by" in signed_docx
    assert "DRAFT - NOT SIGNED" not in signed_docx
    assert "SIGNED by" in signed_pdf
    assert "DRAFT - NOT SIGNED" not in signed_pdf
    event = _last(lab, case, "document.sign")
    assert event.objects["document_id"] == str(second.id)
    assert event.objects["pdf_sha256"] == signed.pdf_sha256
    assert event.objects["content_sha256"] == signed.content_sha256
    assert event.objects["signed_at"] == signed.signed_at.isoformat()  # type: ignore[union-attr]

    with lab.ws.session(lee, case.id) as s, pytest.raises(SignOffRefusedError, match="already"):
        wd.sign_document(s, second.id)
    with lab.ws.engine.begin() as conn, pytest.raises(document_store.SignedDocumentError):
        document_store.sign_document(
            conn,
            second.id,
            signed_by=lee.id,
            signed_at=dt.datetime.now(dt.UTC),
            docx=b"tampered",
            docx_sha256="0" * 64,
            pdf=b"tampered",
            pdf_sha256="0" * 64,
        )
    with lab.ws.engine.connect() as conn:
        kept = document_store.document_files(conn, second.id)
    assert kept is not None
    assert kept[0] != b"tampered"

    with lab.ws.session(ann, case.id) as s:
        third = wd.draft(s, "affidavit")
    assert (third.version, third.supersedes_id) == (3, second.id)
    with lab.ws.session(sue, case.id) as s:
        notice = wd.sign_document(s, own.id)  # a supervisor may sign a correction notice
    assert notice.signed


def test_documents_are_read_only_in_their_own_case(lab: Lab) -> None:
    user, case = _case(lab, "own case")
    other_user, other = _case(lab, "other case", username="otto")
    with lab.ws.session(user, case.id) as s:
        doc = wd.draft(s, "subpoena_request")
    with lab.ws.session(other_user, other.id) as s, pytest.raises(NotFoundError):
        wd.show_document(s, doc.id)


def test_the_command_line_packages_drafts_signs_and_exports(lab: Lab, tmp_path: Path) -> None:
    user, case = _case(lab, "command line")
    seed_user(lab.ws, "lee", "legal_reviewer")
    env = {"LINKWISE_WORKSPACE": str(lab.ws.root), "LINKWISE_PASSWORD": PASSWORD}
    runner = CliRunner(env=env)

    def run(*args: str, actor: str = user.username) -> str:
        result = runner.invoke(app, [*args, "--as", actor])
        assert result.exit_code == 0, result.output
        return result.output

    run("case", "package", str(case.id), "--json", str(tmp_path / "p.json"))
    assert json.loads((tmp_path / "p.json").read_text())["case"]["id"] == case.id
    out = run("draft", "affidavit", "--case", str(case.id))
    doc_id = out.split("#", 1)[1].split(":", 1)[0]
    assert "cited sentences" in out
    assert doc_id in run("document", "list", "--case", str(case.id))
    run("document", "sign", doc_id, "--case", str(case.id), actor="lee")
    run("document", "export", doc_id, "--case", str(case.id), "--pdf", str(tmp_path / "d.pdf"))
    assert "SIGNED by" in _pdf_text((tmp_path / "d.pdf").read_bytes())
    again = ["document", "sign", doc_id, "--case", str(case.id), "--as", "lee"]
    refused = runner.invoke(app, again)
    assert refused.exit_code != 0
    assert "already signed" in refused.output

    # a file that cannot be written is refused before the read, so no export is audited
    exports = len(_events(lab, case, "document.export"))
    nowhere = str(tmp_path / "missing" / "d.pdf")
    export = ["document", "export", doc_id, "--case", str(case.id), "--pdf", nowhere]
    unwritable = runner.invoke(app, [*export, "--as", user.username])
    assert unwritable.exit_code != 0
    assert f"there is no folder {tmp_path / 'missing'}" in unwritable.output
    assert len(_events(lab, case, "document.export")) == exports


def test_facts_resting_on_unconfirmed_links_are_marked_until_a_reviewer_confirms(
    lab: Lab,
) -> None:
    user, case = _case(lab, "unconfirmed")
    template = load_template(lab.ws.pack, "affidavit", [default_pack_path().parent])

    def package_and_draft() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        # a threshold no link reaches: only a reviewer's "same" confirms a tie
        with lab.ws.session(user, case.id) as s, s.reading("case.package") as read:
            package = case_package(read, explaining.explain_entity, threshold=1.01)
            content = compose(template, package, drafted_by="ann", drafted_at=read.now)
        shown = [
            r
            for g in package["subjects"][0]["sources"]
            for r in g["records"]
            if "withheld" not in r and r["decision"]["outcome"] == "shown"
        ]
        return shown, content

    records, content = package_and_draft()
    confirmed = [r for r in records if r["confirmed"]]
    assert len(confirmed) == 1  # the core is one record when no link counts
    assert content["unconfirmed"] > 0
    for block in content["blocks"]:
        if block["unconfirmed"]:
            assert block["citations"]
            assert not all(c["confirmed"] for c in block["citations"])

    anchor = confirmed[0]
    other = next(r for r in records if not r["confirmed"])
    lab.ws.judge(
        (anchor["source"], anchor["source_key"]),
        (other["source"], other["source_key"]),
        "same",
        "rita",
        "same person: photo ID on file",
    )
    records, _ = package_and_draft()
    assert {r["record_id"] for r in records if r["confirmed"]} >= {
        anchor["record_id"],
        other["record_id"],
    }


def test_generic_values_are_flagged_without_their_value_and_only_where_shown(lab: Lab) -> None:
    user, case = _case(lab, "generic")
    with lab.ws.engine.connect() as conn:
        court = reads.current_record(conn, *lab.person)
        canary = reads.current_record(conn, SOURCE, KEYS[0])
        assert court is not None
        assert canary is not None
        rows = resolution_store.current_person_rows(conn, ids=[court.id, canary.id])
        run = resolution_store.last_run(conn)
    assert run is not None
    ssn = {r["unique_id"]: r["ssn"] for r in prepare(rows).table.to_pylist()}
    assert ssn[court.id] == ssn[canary.id]  # the canary copies the court record's SSN
    row = {"run_id": run["id"], "field": "ssn", "value": ssn[court.id], "records": 9, "people": 7}
    with lab.ws.engine.begin() as conn:
        conn.execute(insert(tables.generic_values).values(**row))
    try:
        with lab.ws.session(user, case.id) as s:
            package = wd.case_package(s)
    finally:
        with lab.ws.engine.begin() as conn:
            conn.execute(delete(tables.generic_values).where(tables.generic_values.c.people == 7))
    records = {r["record_id"]: r for g in package["subjects"][0]["sources"] for r in g["records"]}
    assert records[court.id]["generic"] == [{"field": "ssn", "people": 7, "records": 9}]
    assert records[canary.id]["generic"] == []  # its SSN is redacted: nothing said about it
    assert str(ssn[court.id]) not in json.dumps(records[court.id]["generic"])


def test_two_drafts_racing_for_one_version_store_one(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two drafts of one kind made at once both read the same latest version; the store
    takes the first and refuses the second (which stores nothing), so no two drafts share a
    version and both stay signable."""
    ann, case = _case(lab, "race")
    with lab.ws.session(ann, case.id) as s:
        first = wd.draft(s, "subpoena_request")
        # the second drafter read the latest version before the first one was stored
        monkeypatch.setattr(document_store, "latest_of_kind", lambda *_a, **_k: None)
        with pytest.raises(SessionError, match="drafted at the same time"):
            wd.draft(s, "subpoena_request")
        monkeypatch.undo()
        assert [(d.id, d.version) for d in wd.documents(s) if d.kind == "subpoena_request"] == [
            (first.id, 1)
        ]
