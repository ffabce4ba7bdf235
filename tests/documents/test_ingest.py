"""Ingesting a documents source into a workspace, on SQLite and PostgreSQL: every file is
stored with its status (failed ones with their reason), re-ingesting unchanged files adds
nothing, a changed file adds a version, and each person named in full becomes a mention
record with the details said about them, normalised as a row's would be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from linkwise.cli.main import app
from linkwise.documents import spacy_names
from linkwise.ingest.errors import SourceFileError
from linkwise.store.tables import mentions, source_documents
from linkwise.workspace import Workspace
from linkwise.workspace.documents import list_documents
from tests.documents.samples import (
    documents_manifest,
    eml_bytes,
    pdf_bytes,
    write_folder,
    write_zip,
)
from tests.helpers import stored_versions, write_manifest

KEY = "report.txt#morales-lucia"
"""The mention record of Lucia Morales in REPORT."""

REPORT = (
    "Incident 2024-17. Officers spoke with the complainant, MORALES, Lucia R "
    "(DOB 03/14/1985), of 44 Birch Rd, Springfield, IL 62704, tel. (217) 555-0142. "
    "Ms. Morales said a bike was taken."
)


def _files() -> dict[str, bytes]:
    return {
        "report.txt": REPORT.encode(),
        "interview.pdf": pdf_bytes(["Witness: Omar Haddad, born 2 May 1979."]),
        "scan.pdf": pdf_bytes([]),
        "broken.pdf": b"%PDF-1.4 truncated",
        "mail.eml": eml_bytes("See the attached note.", {"note.txt": b"Carl Hunt called."}),
    }


def _add(ws: Workspace, root: Path, path: str, name: str = "reports") -> None:
    ws.add_source(write_manifest(root, documents_manifest(name, path, ["criminal_justice"])))


def test_every_file_is_listed_with_its_status_and_failures_with_their_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    write_folder(tmp_path / "docs", _files())
    _add(workspace, tmp_path, "docs/")
    (outcome,) = workspace.ingest()
    assert outcome.run is not None
    assert outcome.run.status == "completed"
    assert (outcome.run.rows_read, outcome.run.inserted) == (5, 5)
    docs = {d.path: d for d in list_documents(workspace.engine)}
    assert sorted(docs) == [
        "broken.pdf",
        "interview.pdf",
        "mail.eml",
        "mail.eml/1/note.txt",
        "report.txt",
        "scan.pdf",
    ]
    assert docs["scan.pdf"].status == "needs_ocr"
    assert docs["broken.pdf"].status == "failed"
    assert (docs["broken.pdf"].error or "").startswith("broken.pdf: ")
    assert docs["mail.eml/1/note.txt"].parent_id == docs["mail.eml"].id
    assert all(d.seconds >= 0 and len(d.sha256) == 64 for d in docs.values())
    assert any("1 document(s) failed" in n for n in outcome.run.notes)
    (found_by,) = [n for n in outcome.run.notes if n.startswith("mentions found by")]
    model = spacy_names.describe()
    assert found_by.endswith(f"the name model {model}" if model else "no name model is installed)")
    assert any("1 document(s) needs ocr" in n for n in outcome.run.notes)
    failed = list_documents(workspace.engine, status="failed")
    assert [d.path for d in failed] == ["broken.pdf"]


def test_a_person_becomes_a_mention_record_with_normalised_details(
    workspace: Workspace, tmp_path: Path
) -> None:
    write_folder(tmp_path / "docs", {"report.txt": REPORT.encode()})
    _add(workspace, tmp_path, "docs/")
    workspace.ingest()
    (version,) = stored_versions(workspace, "reports", KEY)
    assert (version["given_name"], version["middle_name"], version["family_name"]) == (
        "lucia",
        "r",
        "morales",
    )
    assert version["dob"] == "1985-03-14"
    assert version["phone"] == "+12175550142"
    assert (version["address_line"], version["postcode"]) == ("44 BIRCH RD", "62704")
    origin = version["origins"]["dob"]
    assert (origin.columns, origin.raw) == (("dob",), "1985-03-14")
    with workspace.engine.connect() as conn:
        rows = conn.execute(
            select(mentions.c.type, mentions.c.text, mentions.c.record_key).order_by(mentions.c.n)
        ).all()
    theirs = [(t, text) for t, text, key in rows if key == KEY]
    assert theirs == [
        ("person", "MORALES, Lucia R"),
        ("date", "03/14/1985"),
        ("address", "44 Birch Rd, Springfield, IL 62704"),
        ("phone", "(217) 555-0142"),
        ("person", "Morales"),
    ]


def test_reingesting_unchanged_files_adds_nothing_and_a_changed_file_adds_a_version(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "docs", _files())
    _add(workspace, tmp_path, "docs/")
    workspace.ingest()
    with workspace.engine.connect() as conn:
        before = conn.execute(select(source_documents.c.id)).all()
    (again,) = workspace.ingest()
    assert again.run is not None
    assert (again.run.inserted, again.run.new_versions, again.run.unchanged) == (0, 0, 5)
    with workspace.engine.connect() as conn:
        assert conn.execute(select(source_documents.c.id)).all() == before

    (folder / "report.txt").write_text("Nothing about anyone here.", encoding="utf-8")
    (changed,) = workspace.ingest()
    assert changed.run is not None
    assert (changed.run.new_versions, changed.run.unchanged) == (1, 4)
    with workspace.engine.connect() as conn:
        versions = conn.execute(
            select(source_documents.c.version, source_documents.c.is_current)
            .where(source_documents.c.path == "report.txt")
            .order_by(source_documents.c.version)
        ).all()
    assert [tuple(v) for v in versions] == [(1, False), (2, True)]
    (gone,) = stored_versions(workspace, "reports", KEY)
    assert gone["is_current"] is False  # the person is no longer mentioned

    (folder / "report.txt").write_text(REPORT, encoding="utf-8")
    workspace.ingest()
    back = stored_versions(workspace, "reports", KEY)
    assert [(v["version"], v["is_current"]) for v in back] == [(1, False), (2, True)]


def test_a_zip_archive_is_a_source_too(workspace: Workspace, tmp_path: Path) -> None:
    write_zip(tmp_path / "docs.zip", {"a/report.txt": REPORT.encode()})
    _add(workspace, tmp_path, "docs.zip")
    workspace.ingest()
    assert [d.path for d in list_documents(workspace.engine)] == ["a/report.txt"]
    assert stored_versions(workspace, "reports", f"a/{KEY}")


def test_a_missing_folder_is_refused_before_anything_is_written(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "docs", {"report.txt": REPORT.encode()})
    _add(workspace, tmp_path, "docs/")
    (folder / "report.txt").unlink()
    folder.rmdir()
    (outcome,) = workspace.ingest()
    assert outcome.run is None
    assert outcome.error is not None
    assert "documents folder or archive does not exist" in outcome.error
    assert workspace.runs("reports") == []


def test_a_source_whose_folder_is_missing_is_not_registered(
    workspace: Workspace, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, documents_manifest("reports", "nowhere/", []))
    with pytest.raises(SourceFileError, match="nowhere: the documents folder or archive"):
        workspace.add_source(manifest)
    assert workspace.sources() == []


def test_cli_lists_failed_documents_with_their_reason(tmp_path: Path) -> None:
    ws, _ = Workspace.init(tmp_path / "ws")
    try:
        write_folder(tmp_path / "docs", _files())
        _add(ws, tmp_path, "docs/")
        ws.ingest()
    finally:
        ws.close()
    runner = CliRunner()
    args = ["documents", "list", "--status", "failed", "--json", "-w", str(tmp_path / "ws")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (line,) = result.output.strip().splitlines()
    item = json.loads(line)
    assert (item["path"], item["status"]) == ("broken.pdf", "failed")
    assert item["error"].startswith("broken.pdf: ")
    bad = runner.invoke(app, ["documents", "list", "--status", "lost", "-w", str(tmp_path / "ws")])
    assert bad.exit_code == 2
    assert "--status must be one of ok, failed, needs_ocr" in bad.output


def test_a_revised_document_keeps_each_persons_record_with_that_person(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Mention records are keyed by the person's name in the document, not by the order of
    mention: a revision that names someone else first leaves Lucia Morales her record as it
    was (and any judgement about it stays hers), and gives the newcomer a record of their
    own."""
    folder = write_folder(tmp_path / "docs", {"report.txt": REPORT.encode()})
    _add(workspace, tmp_path, "docs/")
    workspace.ingest()
    revised = "The suspect, HADDAD, Omar (DOB 05/02/1979), fled. " + REPORT
    (folder / "report.txt").write_text(revised, encoding="utf-8")
    workspace.ingest()
    hers = stored_versions(workspace, "reports", KEY)
    assert [(v["version"], v["is_current"], v["family_name"]) for v in hers] == [
        (1, True, "morales")
    ]
    (his,) = stored_versions(workspace, "reports", "report.txt#haddad-omar")
    assert (his["given_name"], his["dob"], his["is_current"]) == ("omar", "1979-05-02", True)


def test_a_stored_file_that_cannot_be_read_this_time_keeps_its_version(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A read that fails once (a permission, a network share) says nothing new about the
    document: its stored version and its people stay current, and the run says so."""
    folder = write_folder(tmp_path / "docs", {"report.txt": REPORT.encode()})
    _add(workspace, tmp_path, "docs/")
    workspace.ingest()
    (folder / "report.txt").unlink()
    (folder / "report.txt").symlink_to(folder / "moved.txt")
    (outcome,) = workspace.ingest()
    assert outcome.run is not None
    assert (outcome.run.inserted, outcome.run.new_versions) == (0, 0)
    assert any(
        "1 file(s) stored before could not be read this time" in n and "report.txt" in n
        for n in outcome.run.notes
    )
    (doc,) = list_documents(workspace.engine)
    assert (doc.path, doc.version, doc.status) == ("report.txt", 1, "ok")
    (person,) = stored_versions(workspace, "reports", KEY)
    assert person["is_current"] is True
