"""The command line, end to end on the embedded default."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkwise.cli import common
from linkwise.cli.main import app
from tests.helpers import csv_text, manifest, person, write_manifest

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "width", 200)
    monkeypatch.setattr(common.err_console, "width", 200)


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def ws_dir(tmp_path: Path) -> Path:
    code, out = _run("init", str(tmp_path / "ws"))
    assert code == 0, out
    assert "Created" in out
    return tmp_path / "ws"


def _source(tmp_path: Path, rows: list[list[str]]) -> Path:
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    (folder / "people.csv").write_text(csv_text(rows), encoding="utf-8")
    return write_manifest(folder, manifest())


def test_init_add_ingest_quarantine(ws_dir: Path, tmp_path: Path) -> None:
    path = _source(tmp_path, [person(1), person(2, DOB="1987-13-01"), person(3)])
    w = ["--workspace", str(ws_dir)]
    assert _run("source", "add", str(path), *w) == (0, "added source people (Test source people)\n")
    code, out = _run("ingest", *w)
    assert code == 0, out
    assert "completed" in out
    code, out = _run("quarantine", "list", "--json", *w)
    assert code == 0
    (entry,) = [json.loads(line) for line in out.splitlines()]
    assert entry["locator"] == "people.csv:3"
    assert entry["key"] == "2"
    assert "date of birth" in entry["reason"]
    code, out = _run("source", "list", *w)
    assert code == 0
    assert "people" in out
    assert " 2 " in out
    code, out = _run("runs", *w)
    assert code == 0
    assert "completed" in out


def test_workspace_from_environment(ws_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKWISE_WORKSPACE", str(ws_dir))
    code, out = _run("source", "list")
    assert code == 0, out


def test_errors_are_clear_and_exit_non_zero(tmp_path: Path, ws_dir: Path) -> None:
    code, out = _run("source", "list", "--workspace", str(tmp_path / "nowhere"))
    assert code == 2
    assert "no linkwise workspace at" in out
    assert "linkwise init" in out

    bad = manifest(markings=["nope"])
    folder = tmp_path / "bad"
    folder.mkdir()
    path = write_manifest(folder, bad)
    code, out = _run("source", "add", str(path), "--workspace", str(ws_dir))
    assert code == 2
    assert "markings[0]" in out
    assert "bad/people.yaml" in out

    code, out = _run("ingest", "ghost", "--workspace", str(ws_dir))
    assert code == 2
    assert "no source named ghost" in out


def test_resolve_with_nothing_to_resolve_says_so(ws_dir: Path) -> None:
    code, out = _run("resolve", "--workspace", str(ws_dir))
    assert code == 2
    assert "error: the workspace holds fewer than two records: ingest sources first" in out
    assert "Traceback" not in out


def _truth_and_pred(folder: Path, in_truth: int, in_pred: int) -> tuple[Path, Path]:
    """A truth and a dedupe output of pairs of records, every pair one person."""
    truth, pred = folder / "truth.csv", folder / "pred.csv"
    rows = "".join(f"a.csv,{i},P{i // 2}\n" for i in range(in_truth))
    truth.write_text("file,record_id,true_id\n" + rows)
    rows = "".join(f"a.csv,{i},E{i // 2},0.9\n" for i in range(in_pred))
    pred.write_text("file,record_id,entity_id,confidence\n" + rows)
    return truth, pred


def test_evaluate_checks_its_outputs_first_and_says_what_it_scored(tmp_path: Path) -> None:
    truth, pred = _truth_and_pred(tmp_path, 8, 6)
    args = ["evaluate", "--truth", str(truth), "--pred", str(pred)]
    code, out = _run(*args, "--json", str(tmp_path / "nowhere" / "r.json"))
    assert code == 2
    assert f"--json {tmp_path / 'nowhere' / 'r.json'}: the folder" in out
    assert "resolution quality" not in out  # refused before any scoring
    code, out = _run(*args, "--html", str(tmp_path))
    assert code == 2
    assert "a folder; name a file in it" in out
    code, out = _run(*args)
    assert code == 0, out
    assert (
        "scored the 6 records in both: 2 of the truth's 8 are not in the prediction and 0 of "
        "the prediction's 6 are not in the truth"
    ) in " ".join(out.split())
    # a dedupe output has no fields and no scores: what that leaves out is said
    assert "not measured: no built-in groups" in " ".join(out.split())
    assert "not measured: no calibration" in " ".join(out.split())


def test_evaluate_never_writes_over_its_inputs_nor_leaves_half_a_report(tmp_path: Path) -> None:
    truth, pred = _truth_and_pred(tmp_path, 4, 4)
    before = truth.read_bytes()
    args = ["evaluate", "--truth", str(truth), "--pred", str(pred)]
    code, out = _run(*args, "--json", str(truth))
    assert code == 2
    assert f"--json {truth} is also --truth" in out
    assert truth.read_bytes() == before
    report = str(tmp_path / "r.out")
    code, out = _run(*args, "--json", report, "--html", report)
    assert code == 2
    assert "is also --html" in out
    code, out = _run(*args, "--tags", str(truth))
    assert code == 2
    assert "--tags adds tags to a workspace's records" in out
    code, out = _run(*args, "--json", str(tmp_path / "r.json"))
    assert code == 0, out
    assert json.loads((tmp_path / "r.json").read_text())["pairwise"]["f1"] == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pred.csv", "r.json", "truth.csv"]


def test_failed_source_makes_ingest_exit_non_zero(tmp_path: Path, ws_dir: Path) -> None:
    path = _source(tmp_path, [person(1)])
    w = ["--workspace", str(ws_dir)]
    assert _run("source", "add", str(path), *w)[0] == 0
    (tmp_path / "src" / "people.csv").unlink()
    code, out = _run("ingest", *w)
    assert code == 1
    assert "file not found" in out


def test_demo_resolves_and_prints_measured_error_rates(tmp_path: Path) -> None:
    code, out = _run(
        "demo", "--people", "300", "--seed", "3", "-w", str(tmp_path / "d"), "--no-serve"
    )
    assert code == 0, out
    demo_out = out
    assert "Resolved" in out
    assert "entities" in out
    assert "pairwise" in out
    assert "false merges" in out
    assert "by surname_frequency_decile" in out
    assert "by swapped_name_order" in out
    # the resolved workspace answers the other commands; person data only to a case worker
    w = ["-w", str(tmp_path / "d")]
    code, out = _run("review", "list", *w, "--limit", "3")
    assert code == 2
    assert "--as" in out
    # the demo made a user of each role, three cases and authorisations in every state
    for name in ("admin", "ana", "sam", "lee", "liv", "aud"):
        assert f"│ {name} " in demo_out
    password = (tmp_path / "d" / ".linkwise" / "demo-password").read_text().strip()
    assert f"password: {password}" in demo_out
    env = {"LINKWISE_PASSWORD": password}
    states = runner.invoke(
        app, ["authorisation", "list", *w, "--as", "ana", "--case", "1"], env=env
    ).output
    for state in ("active", "awaiting_approval", "revoked"):
        assert state in states
    expired = runner.invoke(
        app, ["authorisation", "list", *w, "--as", "ana", "--case", "2"], env=env
    ).output
    assert "expired" in expired
    assert "W-2026-0007" in expired
    # the whole queue: an uncertain pair with a redacted benefit record shows a marker for
    # its priority (worked out from the model's figure, which rests on redacted values)
    listed = runner.invoke(
        app, ["review", "list", *w, "--limit", "500", "--as", "ana", "--case", "1"], env=env
    )
    assert listed.exit_code == 0, listed.output
    assert "review queue" in listed.output
    assert re.search(r"uncertain_pair\s*│[^│]*│\s*\[redacted", listed.output)
    # a judgement from the command line is the acting user's, and audited in the case
    with (tmp_path / "d" / "world" / "truth.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    court = [r for r in rows if r["source"] == "court_dispositions"][:2]
    pair = [f"{r['source']}:{r['source_key']}" for r in court]
    unnamed = _run("judge", *pair, "different", *w)
    assert unnamed[0] == 2
    assert "--as" in unnamed[1]
    judged = runner.invoke(
        app,
        ["judge", *pair, "different", *w, "--as", "ana", "--case", "1", "--rationale", "t"],
        env=env,
    )
    assert judged.exit_code == 0, judged.output
    assert "recorded by ana" in judged.output
    with sqlite3.connect(tmp_path / "d" / "linkwise.db") as con:
        reviewer = con.execute(
            "SELECT reviewer FROM judgements ORDER BY id DESC LIMIT 1"
        ).fetchone()
        event = con.execute(
            "SELECT actor, case_id FROM audit_events WHERE action = 'review.judge' "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert reviewer == ("ana",)
    assert event == ("ana", 1)
    code, out = _run(
        "evaluate",
        "-w",
        str(tmp_path / "d"),
        "--truth",
        str(tmp_path / "d" / "world" / "truth.csv"),
        "--json",
        str(tmp_path / "e.json"),
    )
    assert code == 0, out
    report = json.loads((tmp_path / "e.json").read_text())
    assert report["pairwise"]["f1"] > 0.8
    assert report["calibration"]["n_pairs"] > 0
    rerun = _run("demo", "--people", "300", "--seed", "3", "-w", str(tmp_path / "d"), "--no-serve")
    assert rerun[0] == 0, rerun[1]
    assert "already has users; the demo added none" in rerun[1]
