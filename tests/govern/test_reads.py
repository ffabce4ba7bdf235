"""The store readers the governed session relies on (``linkwise.store.reads``), where their
answer is not already pinned down by a read path's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select

from linkwise.store import reads
from linkwise.store import resolution as rs
from linkwise.store import standing as standing_store
from linkwise.store import tables as t
from linkwise.workspace import Workspace
from tests.govern.test_session import ON_NAME_ALONE, ON_NAME_AND_SSN, craft, ws
from tests.helpers import csv_text, manifest, person, seed_case, write_manifest

__all__ = ["ws"]  # the session tests' world, used as a fixture here


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


@pytest.mark.parametrize("chunk", [5000, 2])
def test_links_among_reads_the_links_among_the_records(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Only links with both ends among the records, whatever chunks the ids are read in
    (a link may join records of two chunks)."""
    craft(
        ws,
        {"E1": ["court:1", "irs:1", "court:30"], "E2": ["court:2", "irs:2", "dmv:30"]},
        [
            ("court:1", "irs:1", 0.99, ON_NAME_AND_SSN),
            ("irs:1", "court:30", 0.95, ON_NAME_AND_SSN),
            ("court:1", "court:2", 0.4, ON_NAME_ALONE),
            ("court:2", "irs:2", 0.97, ON_NAME_ALONE),
        ],
    )
    monkeypatch.setattr(reads, "_CHUNK", chunk)
    with ws.engine.connect() as conn:
        for entity_id, expected in (("E1", 2), ("E2", 1)):
            ids = [row.id for row, _ in reads.entity_member_rows(conn, entity_id)]
            links = reads.links_among(conn, ids)
            assert len(links) == expected
            assert all({lk["record_l"], lk["record_r"]} <= set(ids) for lk in links)
            assert len({lk["id"] for lk in links}) == expected
        alone = [reads.entity_member_rows(conn, "E2")[0][0].id]
        assert reads.links_among(conn, alone) == []


def test_the_standing_rows_carry_the_entity_generation_and_the_latest_threshold(
    ws: Workspace,
) -> None:
    """What a governed read keys the redirect walk on and groups links by: the generation
    moves with each run that completes and with nothing else (a failed run or one still
    running wrote no entities; a completed run stays completed whatever its caller met
    after), and the threshold is the latest completed run's, as
    ``reads.clustering_threshold`` says, handed to the read."""
    user, case = seed_case(ws)

    def standing() -> tuple[int | None, float | None, float]:
        with ws.engine.connect() as conn:
            found = standing_store.standing(conn, user.id, case.id)
            assert found is not None
            return found.generation, found.threshold, reads.clustering_threshold(conn)

    assert standing() == (0, None, reads.DEFAULT_THRESHOLD)
    craft(ws, {"E1": ["court:1"]}, [])
    assert standing() == (1, 0.8, 0.8)
    with ws.engine.begin() as conn:
        rs.fail_run(conn, rs.start_run(conn, "full", 0.6, 0.01), "stopped")
        rs.start_run(conn, "incremental", 0.7, 0.01)
        rr = t.resolution_runs
        completed = conn.execute(select(rr.c.id).where(rr.c.status == "completed")).scalar_one()
        rs.fail_run(conn, completed, "an error after the commit")
    assert standing() == (1, 0.8, 0.8)
    craft(ws, {"E1": ["court:1"]}, [], threshold=0.65)
    assert standing() == (2, 0.65, 0.65)
    with ws.session(user, case.id) as session, session.reading("test.threshold") as read:
        assert read.threshold() == 0.65
    with ws.engine.begin() as conn:  # a lost row: no generation, so no walk is kept
        conn.execute(delete(t.entity_generation))
    assert standing() == (None, 0.65, 0.65)
    craft(ws, {"E1": ["court:1"]}, [])  # made again above any count it can have had
    generation, _, _ = standing()
    assert generation is not None
    assert generation > 2
