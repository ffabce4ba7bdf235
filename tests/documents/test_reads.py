"""Governed document reads where the source's marking lets the case see everything: what
each read returns, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkwise.govern import audit
from linkwise.govern.session import NotFoundError
from linkwise.workspace import Workspace
from tests.documents.samples import documents_manifest, write_folder
from tests.helpers import seed_case, write_manifest

TEXT = (
    "Officers spoke with the witness, PÉREZ, Lucía (DOB 03/14/1985), tel. (217) 555-0142. "
    "Ms. Pérez saw a grey van."
)


@pytest.fixture
def ws(workspace: Workspace, tmp_path: Path) -> Workspace:
    write_folder(tmp_path / "docs", {"w.txt": TEXT.encode(), "other.txt": b"Nothing here."})
    manifest = documents_manifest("reports", "docs/", ["criminal_justice"])
    workspace.add_source(write_manifest(tmp_path, manifest))
    workspace.ingest()
    return workspace


def test_a_document_with_its_mentions(ws: Workspace) -> None:
    user, case = seed_case(ws)
    with ws.session(user, case.id) as s:
        doc = s.source_document("reports", "w.txt")
    assert doc["text"] == TEXT
    people = [(m["text"], m["person"]) for m in doc["mentions"] if m["type"] == "person"]
    assert people == [("PÉREZ, Lucía", 1), ("Pérez", 1)]
    for m in doc["mentions"]:
        assert TEXT[m["start"] : m["end"]] == m["text"]
    name = next(m for m in doc["mentions"] if m["type"] == "person")
    dob = next(m for m in doc["mentions"] if m["type"] == "date")
    assert (dob["role"], dob["value"]) == ("dob", "1985-03-14")
    assert dob["record"] is not None
    assert dob["record"] == name["record"]


def test_search_folds_accents_and_case_and_needs_every_word(ws: Workspace) -> None:
    user, case = seed_case(ws)
    with ws.session(user, case.id) as s:
        (hit,) = s.search_documents("perez GREY")
        assert s.search_documents("perez nowhere") == []
        assert s.search_documents("   ") == []
    assert hit["path"] == "w.txt"
    start, end = hit["snippet"]["highlight"]
    assert hit["snippet"]["text"][start:end] in ("PÉREZ", "Pérez", "grey")


def test_a_missing_document_is_not_found_and_audited(ws: Workspace) -> None:
    user, case = seed_case(ws)
    with ws.session(user, case.id) as s, pytest.raises(NotFoundError, match="no current document"):
        s.source_document("reports", "absent.txt")
    with ws.engine.connect() as conn:
        (event,) = audit.events(
            conn, case_id=case.id, action="source_document.view", limit=1, newest_first=True
        )
    assert event.decision is not None
    assert event.decision["outcome"] == "not_found"


def test_a_passage_is_the_line_around_the_mention_cut_at_whole_words() -> None:
    from linkwise.govern.document_reads import PASSAGE_WIDTH, window

    text = "Header line\n" + "word " * 60 + "Ana Ruiz said so " + "more " * 60 + "\nFooter"
    start = text.index("Ana Ruiz")
    lo, hi = window(text, start, start + len("Ana Ruiz"))
    assert text[lo:hi].startswith("word ")
    assert text[lo:hi].endswith("more")
    assert start - lo <= PASSAGE_WIDTH
    assert hi - start - len("Ana Ruiz") <= PASSAGE_WIDTH
    short = "Name: Ana Ruiz\nDOB: 1980-05-04"
    assert window(short, 6, 14) == (0, 14)


def test_search_gives_the_newest_documents_first(workspace: Workspace, tmp_path: Path) -> None:
    files = {f"{n}.txt": f"Report {n}: a grey van was seen.".encode() for n in "abc"}
    write_folder(tmp_path / "docs", files)
    workspace.add_source(
        write_manifest(tmp_path, documents_manifest("reports", "docs/", ["criminal_justice"]))
    )
    workspace.ingest()
    (tmp_path / "docs" / "a.txt").write_text("Report a, revised: the grey van again.")
    workspace.ingest()
    user, case = seed_case(workspace)
    with workspace.session(user, case.id) as s:
        assert [h["path"] for h in s.search_documents("grey van")] == ["a.txt", "c.txt", "b.txt"]
        assert [h["path"] for h in s.search_documents("grey van", limit=2)] == ["a.txt", "c.txt"]
