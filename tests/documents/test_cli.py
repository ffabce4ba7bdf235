"""`linkwise documents show|search` print governed text with the mentions highlighted, and
a marker with what would unlock it where the case may not see the text."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from linkwise.cli.main import app
from linkwise.workspace import Workspace
from tests.documents.samples import documents_manifest, write_folder
from tests.helpers import PASSWORD, seed_case, write_manifest

TEXT = "Officers spoke with the witness, GRANT, Paula (DOB 03/14/1985) about the van."


def _workspace(tmp_path: Path, marking: str) -> tuple[Path, int]:
    ws, _ = Workspace.init(tmp_path / "ws")
    try:
        write_folder(tmp_path / "docs", {"w.txt": TEXT.encode()})
        ws.add_source(write_manifest(tmp_path, documents_manifest("reports", "docs/", [marking])))
        ws.ingest()
        _, case = seed_case(ws)
    finally:
        ws.close()
    return tmp_path / "ws", case.id


def _run(root: Path, case: int, *args: str) -> str:
    result = CliRunner().invoke(
        app,
        ["documents", *args, "--as", "ann", "--case", str(case), "-w", str(root)],
        env={"LINKWISE_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_show_and_search_a_document_the_case_may_read(tmp_path: Path) -> None:
    root, case = _workspace(tmp_path, "criminal_justice")
    shown = _run(root, case, "show", "reports", "w.txt")
    assert "GRANT, Paula" in shown
    assert "1985-03-14" in shown
    found = _run(root, case, "search", "grant van")
    assert "reports: w.txt" in found
    assert "1 document(s)" in found


def test_a_restricted_document_shows_markers_and_no_hits(tmp_path: Path) -> None:
    root, case = _workspace(tmp_path, "benefits")
    shown = _run(root, case, "show", "reports", "w.txt")
    assert "Paula" not in shown
    assert "[redacted: benefits]" in shown
    assert "would be unlocked by: Subpoena" in shown
    found = _run(root, case, "search", "grant")
    assert "Paula" not in found
    assert "0 document(s)" in found
