"""Search keys made aside: a worker process makes the keys of the records the index lacks
while a run resolves, and the index it leaves holds exactly the keys the run's own refresh
would have written, when records were replaced or retired while the worker read or after
it finished; a worker that fails costs nothing but time."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select

from linkwise.demo import generate_world
from linkwise.search import index
from linkwise.store import tables as t
from linkwise.store.engine import make_engine
from linkwise.store.source_documents import retire_records
from linkwise.workspace import Workspace
from tests.helpers import csv_text, manifest, person, workspace_on, write_manifest

PEOPLE = [
    person(1, "William", "Quenneville", SSN="201-45-1001"),
    person(2, "Muhammad", "Alzahrani"),
    person(3, "Aleksandr", "Voronkov"),
    person(4, "Maria", "Etxeberria"),
]

Rows = tuple[list[tuple[str, str, str, int]], list[tuple[str, str]]]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    with workspace_on(request.param, tmp_path) as ws:
        _ingest(ws, tmp_path, PEOPLE)
        yield ws


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 60, 3)
    return out


@pytest.fixture
def resolvable(ws: Workspace, world: Path) -> Workspace:
    """``ws`` with a small demo world beside the people: enough to train a model on."""
    for path in sorted(world.glob("*.yaml")):
        ws.add_source(path)
    ws.ingest()
    return ws


@pytest.fixture
def aside_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "ASIDE_FROM", 1)


def _ingest(ws: Workspace, root: Path, people: list[list[str]]) -> None:
    folder = root / "people"
    folder.mkdir(exist_ok=True)
    (folder / "people.csv").write_text(csv_text(people), encoding="utf-8")
    if not (folder / "people.yaml").exists():
        ws.add_source(write_manifest(folder, manifest("people"), "people.yaml"))
    ws.ingest(["people"])


@contextmanager
def _made(ws: Workspace, folder: Path) -> Iterator[tuple[index.KeysAside, index.MadeKeys]]:
    """A worker's finished keys; the worker's folder is removed afterwards."""
    aside = index.KeysAside.start(ws.engine, folder)
    assert aside is not None
    try:
        made = aside.made()
        assert made is not None, aside.failure()
        yield aside, made
    finally:
        aside.close()


def _rows(ws: Workspace) -> Rows:
    k, terms = t.search_keys, t.search_terms
    with ws.engine.connect() as conn:
        keys = [
            (str(kind), str(a), str(b), int(r))
            for kind, a, b, r in conn.execute(
                select(k.c.kind, k.c.a, k.c.b, k.c.record_id).order_by(*k.c)
            )
        ]
        words = [
            (str(v), str(w))
            for v, w in conn.execute(select(terms.c.variant, terms.c.term).order_by(*terms.c))
        ]
    return keys, words


def _built_here(ws: Workspace) -> tuple[Rows, index.Refreshed]:
    """The index as a refresh in this process builds it from nothing."""
    with ws.engine.begin() as conn:
        conn.execute(t.search_keys.delete())
        conn.execute(t.search_terms.delete())
        done = index.refresh(conn, complete=True)
    return _rows(ws), done


def _refresh(ws: Workspace, made: index.MadeKeys, *, complete: bool) -> tuple[Rows, list[str]]:
    said: list[str] = []
    with ws.engine.begin() as conn:
        index.refresh(conn, complete=complete, made=made, progress=said.append)
    return _rows(ws), said


@pytest.mark.usefixtures("aside_always")
def test_keys_made_aside_are_the_keys_a_refresh_makes(ws: Workspace, tmp_path: Path) -> None:
    with _made(ws, tmp_path / "aside") as (aside, made):
        assert (made.after, made.upto) == (0, 4)
        said: list[str] = []
        with ws.engine.begin() as conn:
            done = index.refresh(conn, complete=True, made=made, progress=said.append)
        assert said == ["indexing records for search (keys made while resolving)"]
        aside_rows = _rows(ws)
    assert not aside.folder.exists()
    here, done_here = _built_here(ws)
    assert aside_rows == here
    assert ("n", "quenneville", "william", 1) in here[0]
    assert ("i", "201451001", "ssn", 1) in here[0]
    assert done.indexed == done_here.indexed == 4


@pytest.mark.usefixtures("aside_always")
def test_records_changed_after_the_keys_were_made_are_indexed_as_they_now_stand(
    ws: Workspace, tmp_path: Path
) -> None:
    with _made(ws, tmp_path / "aside") as (_aside, made):
        # a new version of record 1 (record 1 is no longer current) and a new person
        changed = [person(1, "William", "Oyelaran"), *PEOPLE[1:], person(5, "Nana", "Ouyang")]
        _ingest(ws, tmp_path, changed)
        aside_rows, said = _refresh(ws, made, complete=False)
    assert said[0] == "indexing records for search (keys made while resolving)"
    assert all(key[1] != "quenneville" for key in aside_rows[0])  # the replaced version
    assert ("n", "oyelaran", "william", 5) in aside_rows[0]  # the new one (id 5)
    assert ("n", "ouyang", "nana", 6) in aside_rows[0]
    here = _built_here(ws)[0]
    assert aside_rows[0] == here[0]
    # the vocabulary only grows (as with refreshes in this process): it keeps the words of
    # the replaced version, and nothing else beyond what a build from nothing holds
    assert {w for _v, w in set(aside_rows[1]) - set(here[1])} == {"quenneville"}
    assert set(here[1]) <= set(aside_rows[1])


@pytest.mark.usefixtures("aside_always")
def test_keys_made_for_new_versions_drop_the_versions_they_replace(
    ws: Workspace, tmp_path: Path
) -> None:
    with ws.engine.begin() as conn:
        index.refresh(conn)  # records 1-4 indexed
    _ingest(ws, tmp_path, [person(1, "William", "Oyelaran"), *PEOPLE[1:]])
    with _made(ws, tmp_path / "aside") as (_aside, made):
        assert (made.after, made.upto, made.older) == (4, 5, [1])
        aside_rows, said = _refresh(ws, made, complete=False)
    assert said == ["indexing records for search (keys made while resolving)"]
    assert all(key[1] != "quenneville" for key in aside_rows[0])
    assert ("n", "oyelaran", "william", 5) in aside_rows[0]
    assert aside_rows[0] == _built_here(ws)[0][0]


@pytest.mark.usefixtures("aside_always")
def test_keys_made_from_another_starting_point_are_not_used(ws: Workspace, tmp_path: Path) -> None:
    with _made(ws, tmp_path / "aside") as (_aside, made):
        with ws.engine.begin() as conn:
            index.refresh(conn)  # the index moved on without the worker's keys
        _ingest(ws, tmp_path, [*PEOPLE, person(5, "Nana", "Ouyang")])
        aside_rows, said = _refresh(ws, made, complete=True)
    assert said == [
        "the search index moved while its keys were made: indexing here instead",
        "indexing records for search",  # the records above the index's mark
    ]
    assert aside_rows == _built_here(ws)[0]


@pytest.mark.usefixtures("aside_always")
def test_a_record_retired_after_its_keys_were_made_gets_none(ws: Workspace, tmp_path: Path) -> None:
    with _made(ws, tmp_path / "aside") as (_aside, made):
        with ws.engine.begin() as conn:  # as a document's new version retires a mention
            source_id = conn.execute(select(t.sources.c.id)).scalar_one()
            retire_records(conn, source_id, ["2"])
        aside_rows, _said = _refresh(ws, made, complete=False)
    assert all(key[3] != 2 for key in aside_rows[0])
    assert ("n", "voronkov", "aleksandr", 3) in aside_rows[0]
    assert aside_rows[0] == _built_here(ws)[0][0]


def test_a_record_replaced_while_the_worker_reads_gets_none_of_its_keys(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the worker run here, one record a batch, with a new version of record 1 ingested
    # once it has read record 1: the new version (id 5) is the last record it reads
    monkeypatch.setattr(index, "BATCH", 1)
    records_after = index.store.records_after
    read: list[int] = []

    def reading(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
        batch = records_after(conn, after, limit)
        read.extend(int(r["id"]) for r in batch)
        if read == [1]:
            _ingest(ws, tmp_path, [person(1, "William", "Oyelaran"), *PEOPLE[1:]])
        return batch

    monkeypatch.setattr(index.store, "records_after", reading)
    folder = tmp_path / "aside"
    folder.mkdir()
    index._make_keys(ws.engine.url.render_as_string(hide_password=False), folder, os.getppid())
    monkeypatch.undo()
    meta = json.loads((folder / "keys.json").read_text(encoding="utf-8"))
    made = index.MadeKeys(folder, meta["after"], meta["upto"], meta["older"], meta["words"])
    assert (read, made.upto, made.older) == ([1, 2, 3, 4, 5], 5, [1])
    assert any(k.as_py() == "quenneville" for b in made.batches() for k in b.column("a"))
    aside_rows, _said = _refresh(ws, made, complete=False)
    assert all(key[1] != "quenneville" for key in aside_rows[0])
    assert ("n", "oyelaran", "william", 5) in aside_rows[0]
    assert aside_rows[0] == _built_here(ws)[0][0]


def test_a_run_indexes_through_the_worker_and_removes_its_files(
    resolvable: Workspace, aside_always: None
) -> None:
    ws = resolvable
    said: list[str] = []
    outcome = ws.resolve(full=True, progress=said.append)
    assert "waiting for the search keys made meanwhile" in said
    assert "indexing records for search (keys made while resolving)" in said
    assert not any(m.startswith("making search keys here") for m in said)
    assert "keys_wait" in outcome.timings
    assert not list((ws.root / ".linkwise").glob("search-keys-*"))
    stored = _rows(ws)
    assert stored == _built_here(ws)[0]
    assert ("n", "alzahrani", "muhammad", 2) in stored[0]


def test_a_failed_worker_leaves_the_run_to_index_in_its_own_process(
    resolvable: Workspace, aside_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = resolvable
    start = index.KeysAside.start

    def stopped(*args: object, **kwargs: object) -> index.KeysAside | None:
        aside = start(*args, **kwargs)  # type: ignore[arg-type]
        assert aside is not None
        aside._process.kill()  # the worker dies before it has written anything
        return aside

    monkeypatch.setattr(index.KeysAside, "start", stopped)
    said: list[str] = []
    ws.resolve(full=True, progress=said.append)
    failed = [m for m in said if m.startswith("making search keys here instead")]
    assert failed, said
    assert "exit code -9" in failed[0]
    assert not list((ws.root / ".linkwise").glob("search-keys-*"))
    stored = _rows(ws)
    assert ("n", "voronkov", "aleksandr", 3) in stored[0]
    assert stored == _built_here(ws)[0]


def test_a_worker_is_started_only_for_enough_records(ws: Workspace, tmp_path: Path) -> None:
    assert len(PEOPLE) < index.ASIDE_FROM
    assert index.KeysAside.start(ws.engine, tmp_path / "aside") is None
    assert not (tmp_path / "aside").exists()


@pytest.mark.usefixtures("aside_always")
def test_no_worker_reads_an_in_memory_database(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    assert index.KeysAside.start(engine, tmp_path / "aside") is None


@pytest.mark.usefixtures("aside_always")
def test_a_worker_that_reports_an_error_is_not_used_and_says_why(
    ws: Workspace, tmp_path: Path
) -> None:
    with _made(ws, tmp_path / "aside") as (aside, _made_keys):
        # as the worker leaves things when it fails: a traceback and no keys.json
        (aside.folder / "keys.json").unlink()
        report = "Traceback (most recent call last):\n  ...\nOSError: disk full\n"
        (aside.folder / "failed.txt").write_text(report, encoding="utf-8")
        assert aside.made() is None
        assert aside.failure() == "OSError: disk full"
