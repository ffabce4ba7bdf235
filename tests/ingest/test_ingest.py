"""Ingestion into the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.runner import IngestOptions
from linkwise.model.records import RunInfo
from linkwise.workspace import Workspace
from tests.helpers import (
    PEOPLE_HEADER,
    csv_text,
    manifest,
    person,
    stored_versions,
    write_manifest,
)


def _setup(ws: Workspace, folder: Path, rows: list[list[str]], **extra: object) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "people.csv").write_text(csv_text(rows), encoding="utf-8")
    path = write_manifest(folder, manifest(**extra))
    ws.add_source(path)
    return folder / "people.csv"


def _ingest(ws: Workspace, **opts: int) -> RunInfo:
    (outcome,) = ws.ingest(["people"], IngestOptions(**opts))
    assert outcome.error is None, outcome.error
    assert outcome.run is not None
    return outcome.run


def _records(ws: Workspace) -> int:
    return next(s.records for s in ws.sources() if s.name == "people")


def test_rows_are_stored_with_provenance_and_bad_rows_quarantined(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [
        person(1, "José", "García"),
        person(2, DOB="1987-02-30"),
        person(3, CLASS="treason"),
        person(4),
    ]
    _setup(workspace, tmp_path / "src", rows)
    run = _ingest(workspace)
    assert (run.rows_read, run.inserted, run.quarantined) == (4, 2, 2)
    assert run.status == "completed"

    bad = {q.source_key: q for q in workspace.quarantine("people")}
    assert set(bad) == {"2", "3"}
    assert bad["2"].locator == "people.csv:3"
    assert bad["2"].line == 3
    assert bad["2"].column == "DOB"
    assert "date of birth" in bad["2"].reason
    assert "1987-02-30" in bad["2"].reason or "day" in bad["2"].reason
    assert bad["3"].column == "CLASS"
    assert "'treason' is not one of felony, misdemeanor, infraction" in bad["3"].reason
    assert bad["3"].raw["CLASS"] == "treason"

    (rec,) = stored_versions(workspace, "people", "1")
    assert rec["run_id"] == run.id
    assert rec["locator"] == "people.csv:2"
    assert rec["given_name"] == "jose"
    assert rec["family_name"] == "garcia"
    given = rec["origins"]["given_name"]
    assert (given.raw, given.columns, given.note) == ("José", ("FIRST",), None)
    assert rec["origins"]["family_name"].raw == "García"
    assert rec["origins"]["dob"].columns == ("DOB",)
    assert rec["raw"]["DOB"] == rows[0][3]
    assert rec["dob"] == rows[0][3]
    assert rec["facts"] == {"offense_class": "felony"}
    assert rec["phone"] == "+1217555" + "0001"
    (ssn,) = rec["identifiers"]
    assert (ssn["type"], ssn["value"], ssn["raw"], ssn["valid"]) == (
        "ssn",
        "201451001",
        "201-45-1001",
        True,
    )


def test_reingesting_unchanged_data_adds_nothing(workspace: Workspace, tmp_path: Path) -> None:
    _setup(workspace, tmp_path / "src", [person(i) for i in range(1, 21)])
    first = _ingest(workspace, batch_size=7)
    second = _ingest(workspace, batch_size=7)
    assert first.inserted == 20
    assert (second.inserted, second.new_versions, second.unchanged) == (0, 0, 20)
    assert _records(workspace) == 20


def test_a_changed_row_adds_a_version_and_keeps_the_old(
    workspace: Workspace, tmp_path: Path
) -> None:
    csv = _setup(workspace, tmp_path / "src", [person(1), person(2)])
    _ingest(workspace)
    csv.write_text(csv_text([person(1), person(2, ADDR="9 Elm Street")]), encoding="utf-8")
    run = _ingest(workspace)
    assert (run.inserted, run.new_versions, run.unchanged) == (0, 1, 1)
    old, new = stored_versions(workspace, "people", "2")
    assert (old["version"], old["is_current"]) == (1, False)
    assert (new["version"], new["is_current"]) == (2, True)
    assert old["raw"]["ADDR"] == "2 Main St"
    assert new["raw"]["ADDR"] == "9 Elm Street"
    assert new["run_id"] == run.id
    assert _records(workspace) == 2


def test_a_bad_file_stops_and_leaves_the_store_unchanged(
    workspace: Workspace, tmp_path: Path
) -> None:
    csv = _setup(workspace, tmp_path / "src", [person(1)])
    _ingest(workspace)
    runs_before = workspace.runs()
    header = ["CASE", *PEOPLE_HEADER[1:]]
    csv.write_text(csv_text([person(2)], header=header), encoding="utf-8")
    (outcome,) = workspace.ingest(["people"])
    assert outcome.run is None
    assert outcome.error is not None
    assert "key column(s) ID not found" in outcome.error
    assert "people.csv" in outcome.error
    assert workspace.runs() == runs_before
    assert _records(workspace) == 1


def test_source_add_refuses_a_file_without_the_key_column(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    header = ["CASE", *PEOPLE_HEADER[1:]]
    (folder / "people.csv").write_text(csv_text([person(1)], header=header), encoding="utf-8")
    with pytest.raises(SourceFileError, match="key column"):
        workspace.add_source(write_manifest(folder, manifest()))
    assert workspace.sources() == []


def test_duplicate_keys_and_empty_rows_are_quarantined(
    workspace: Workspace, tmp_path: Path
) -> None:
    blank = ["5", "", "", "", "", "", "", "", ""]
    _setup(workspace, tmp_path / "src", [person(1), person(1, "Jane"), person(2, ID=""), blank])
    run = _ingest(workspace)
    assert (run.inserted, run.quarantined) == (1, 3)
    reasons = sorted(q.reason for q in workspace.quarantine("people"))
    assert any("key '1' already appeared earlier" in r for r in reasons)
    assert any("key column 'ID' is empty" in r for r in reasons)
    assert any("no value in any mapped column" in r for r in reasons)


def test_unmapped_prohibited_columns_are_noted_and_never_stored(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    header = [*PEOPLE_HEADER, "RELIGION"]
    (folder / "people.csv").write_text(
        csv_text([[*person(1), "secret"]], header=header), encoding="utf-8"
    )
    workspace.add_source(write_manifest(folder, manifest()))
    run = _ingest(workspace)
    assert any("'RELIGION'" in n and "prohibited" in n for n in run.notes)
    (rec,) = stored_versions(workspace, "people", "1")
    assert "RELIGION" not in rec["raw"]
    assert "secret" not in str(rec)


def test_identifier_validity_is_flagged_not_dropped(workspace: Workspace, tmp_path: Path) -> None:
    _setup(workspace, tmp_path / "src", [person(1, SSN="666-12-3456")])
    _ingest(workspace)
    (rec,) = stored_versions(workspace, "people", "1")
    (ssn,) = rec["identifiers"]
    assert ssn["valid"] is False
    assert "666" in ssn["issue"]
    assert rec["notes"]["ssn"] == ssn["issue"]
    assert rec["origins"]["ssn"].note == ssn["issue"]
    assert rec["origins"]["ssn"].raw == "666-12-3456"


def test_worker_processes_give_the_same_records(workspace: Workspace, tmp_path: Path) -> None:
    rows = [person(i, ["Ann", "Bob", "José"][i % 3]) for i in range(1, 40)]
    rows.append(person(40, DOB="not a date"))
    _setup(workspace, tmp_path / "src", rows)
    pooled = _ingest(workspace, workers=2, batch_size=8)
    assert (pooled.inserted, pooled.quarantined) == (39, 1)
    in_process = [stored_versions(workspace, "people", str(i))[0] for i in (1, 2, 3)]
    other = tmp_path / "other"
    with Workspace.init(other)[0] as ws2:
        _setup(ws2, tmp_path / "src2", rows)
        _ingest(ws2, workers=0)
        for rec in in_process:
            (same,) = stored_versions(ws2, "people", rec["source_key"])
            assert same["content_hash"] == rec["content_hash"]


def test_parallel_workers_add_up_reader_notes(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    _setup(workspace, folder, [person(i) for i in range(1, 30)])
    lines = (folder / "people.csv").read_text(encoding="utf-8").splitlines()
    short = [line.rsplit(",", 1)[0] for line in lines[1:4]]
    (folder / "people.csv").write_text("\n".join([lines[0], *short, *lines[4:]]) + "\n", "utf-8")
    run = _ingest(workspace, workers=2, batch_size=4)
    assert run.rows_read == 29
    assert run.inserted == 29
    assert any(n.startswith("3 row(s) had fewer fields") for n in run.notes), run.notes
