"""The store readers the governed session relies on (``linkwise.store.reads``), where their
answer is not already pinned down by a read path's tests."""

from __future__ import annotations

from pathlib import Path

from linkwise.store import reads
from linkwise.workspace import Workspace
from tests.helpers import csv_text, manifest, person, write_manifest


def _workspace(tmp_path: Path) -> Workspace:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "people.csv").write_text(csv_text([person(i) for i in range(1, 6)]))
    ws, _ = Workspace.init(tmp_path / "ws")
    ws.add_source(write_manifest(folder, manifest()))
    ws.ingest()
    return ws


def test_judged_same_keeps_the_latest_word_on_pairs_inside_the_members(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    with ws:
        a, b, c, d, outsider = (("people", str(i)) for i in range(1, 6))
        ws.judge(a, b, "same", "rev")
        ws.judge(a, b, "different", "rev", "second look: twins")
        ws.judge(a, c, "different", "rev")
        ws.judge(a, c, "same", "rev", "same SSN after correction")
        ws.judge(c, d, "same", "rev")
        ws.judge(d, outsider, "same", "rev")
        with ws.engine.connect() as conn:
            rows = {
                r.source_key: r
                for r in (reads.current_record(conn, *k) for k in (a, b, c, d))
                if r is not None
            }
            got = reads.judged_same(conn, list(rows.values()))
        ids = {key: row.id for key, row in rows.items()}
        as_keys = {frozenset(k for k, i in ids.items() if i in pair) for pair in got}
        assert as_keys == {frozenset({"1", "3"}), frozenset({"3", "4"})}
