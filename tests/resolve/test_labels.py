"""Training from a labels file (`linkwise resolve --labels`): the model learns m from the
labelled pairs as well, the run records what it trained on, the labels constrain nothing,
and a file that cannot be used is refused before the run starts."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from linkwise.cli import common
from linkwise.cli.main import app
from linkwise.resolve import pipeline
from linkwise.resolve.linkage import MIN_LABELS_FOR_TRAINING
from linkwise.store import tables as t
from linkwise.workspace import Workspace, labels
from linkwise.workspace.resolution import ResolveError
from tests.helpers import world_workspace


@pytest.fixture
def ws(tmp_path: Path, world: Path) -> Iterator[Workspace]:
    with world_workspace(tmp_path / "ws", world) as workspace:
        yield workspace


def _truth_rows(world: Path) -> list[dict[str, str]]:
    with (world / "truth.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _labels(path: Path, rows: list[dict[str, str]], *, unspaced: bool = False) -> tuple[Path, int]:
    """A labels file in evaluate's truth format (file,record_id,true_id) holding ``rows``
    of the world's truth, and the number of pairs its people make. ``unspaced`` writes a
    key of several columns without the spaces ingestion puts in its list."""
    people: dict[str, int] = defaultdict(int)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "record_id", "true_id"])
        for row in rows:
            key = row["source_key"].replace(", ", ",") if unspaced else row["source_key"]
            writer.writerow([row["source"], key, row["person_id"]])
            people[row["person_id"]] += 1
    return path, sum(n * (n - 1) // 2 for n in people.values())


def _enough(world: Path) -> list[dict[str, str]]:
    """The truth rows of the first people who make at least the pairs training needs."""
    by_person: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _truth_rows(world):
        if row["source"] != "incident_reports":  # mentions in documents are not ingested here
            by_person[row["person_id"]].append(row)
    rows: list[dict[str, str]] = []
    pairs = 0
    for person in sorted(by_person):
        rows += by_person[person]
        n = len(by_person[person])
        pairs += n * (n - 1) // 2
        if pairs >= MIN_LABELS_FOR_TRAINING + 20:
            return rows
    raise AssertionError("the world is too small for a labels file")


def _runs(ws: Workspace) -> list[tuple[int, str, dict[str, object] | None]]:
    rr = t.resolution_runs
    with ws.engine.connect() as conn:
        return [
            (int(row.id), str(row.status), row.stats)
            for row in conn.execute(select(rr.c.id, rr.c.status, rr.c.stats).order_by(rr.c.id))
        ]


def _current(ws: Workspace) -> list[Any]:
    r, src = t.records, t.sources
    query = select(r.c.id, src.c.name.label("source"), r.c.source_key).join(
        src, src.c.id == r.c.source_id
    )
    with ws.engine.connect() as conn:
        return list(conn.execute(query.where(r.c.is_current)))


def _m(ws: Workspace) -> list[list[float | None]]:
    """The m probabilities of the latest model, per comparison and level."""
    with ws.engine.connect() as conn:
        settings = conn.execute(
            select(t.models.c.settings).order_by(t.models.c.created_at.desc()).limit(1)
        ).scalar_one()
    if isinstance(settings, str):
        settings = json.loads(settings)
    return [
        [level.get("m_probability") for level in comparison["comparison_levels"]]
        for comparison in settings["comparisons"]
    ]


def _alike(a: list[list[float | None]], b: list[list[float | None]]) -> bool:
    """The same m probabilities up to the last digits, which DuckDB's parallel sums vary."""
    return len(a) == len(b) and all(
        len(x) == len(y)
        and all(
            p == q or (p is not None and q is not None and abs(p - q) < 1e-6)
            for p, q in zip(x, y, strict=True)
        )
        for x, y in zip(a, b, strict=True)
    )


def test_labels_train_the_model_and_the_run_records_them(
    ws: Workspace, world: Path, tmp_path: Path
) -> None:
    ws.resolve(full=True)
    without = _m(ws)
    ws.resolve(full=True)
    assert _alike(_m(ws), without)  # training repeats, so a difference below is the labels'
    path, pairs = _labels(tmp_path / "labels.csv", _enough(world))
    outcome = ws.resolve(full=True, labels=path)
    assert outcome.labelled_pairs == pairs >= MIN_LABELS_FOR_TRAINING
    stats = _runs(ws)[-1][2]
    assert stats is not None
    recorded = stats["labels"]
    assert isinstance(recorded, dict)
    assert recorded["file"] == "labels.csv"
    assert recorded["pairs"] == pairs
    assert recorded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert recorded["records"] == len(_enough(world))
    # m was estimated from the labelled pairs too, so the saved model differs
    assert not _alike(_m(ws), without)
    # a run without labels records none
    ws.resolve(full=True)
    last = _runs(ws)[-1][2]
    assert last is not None
    assert "labels" not in last


def test_labelled_records_that_ingestion_quarantined_are_left_out(
    ws: Workspace, world: Path, tmp_path: Path
) -> None:
    rows = _enough(world)
    source = rows[0]["source"]
    with ws.engine.begin() as conn:  # a row of the source refused at ingestion, with its key
        source_id, run_id = conn.execute(
            select(t.sources.c.id, func.max(t.ingestion_runs.c.id))
            .join(t.ingestion_runs, t.ingestion_runs.c.source_id == t.sources.c.id)
            .where(t.sources.c.name == source)
            .group_by(t.sources.c.id)
        ).one()
        conn.execute(
            t.quarantine.insert().values(
                run_id=run_id,
                source_id=source_id,
                locator="x.csv",
                line=7,
                source_key="QUARANTINED-1",
                reason="date of birth '1990-02-31' is not a date",
                raw={},
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    refused = dict(rows[0], source_key="QUARANTINED-1")
    _, pairs = _labels(tmp_path / "labels.csv", rows)
    with_refused, _ = _labels(tmp_path / "with.csv", [*rows, refused])
    said: list[str] = []
    outcome = ws.resolve(full=True, labels=with_refused, progress=said.append)
    assert outcome.labelled_pairs == pairs  # as if the refused row were not named
    assert "1 labelled record(s) were quarantined at ingestion and are left out" in said
    recorded = _runs(ws)[-1][2]
    assert recorded is not None
    assert recorded["labels"] == {
        "file": "with.csv",
        "sha256": hashlib.sha256(with_refused.read_bytes()).hexdigest(),
        "records": len(rows),
        "pairs": pairs,
        "quarantined": 1,
        "judged_different": 0,
    }
    # a file naming quarantined rows only is refused as too few, not with a crash
    only, _ = _labels(tmp_path / "only.csv", [refused])
    with pytest.raises(ResolveError, match=r"its 0 records make 0 labelled pairs"):
        ws.resolve(full=True, labels=only)


def test_labels_constrain_nothing(ws: Workspace, world: Path, tmp_path: Path) -> None:
    rows = _enough(world)
    people = {r["person_id"] for r in rows}
    # two records of two people outside the sample, labelled as one person
    others: dict[str, dict[str, str]] = {}
    for row in _truth_rows(world):
        if row["person_id"] not in people and row["source"] != "incident_reports":
            others.setdefault(row["person_id"], row)
    a, b = itertools.islice(others.values(), 2)
    wrong = [{**a, "person_id": "X"}, {**b, "person_id": "X"}]
    path, _ = _labels(tmp_path / "labels.csv", rows + wrong)
    ws.resolve(full=True, labels=path)
    assert ws.entity_of(a["source"], a["source_key"]) != ws.entity_of(b["source"], b["source_key"])


def test_unusable_labels_are_refused_before_the_run(
    ws: Workspace, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _enough(world)
    assert len(rows) - 40 > 50  # the placeholder below is over the cap
    few, pairs = _labels(tmp_path / "few.csv", rows[:6])
    with pytest.raises(ResolveError, match=rf"make {pairs} labelled pairs.*at least 100"):
        ws.resolve(full=True, labels=few)
    stranger = dict(rows[0], source_key="no-such-key")
    unknown, _ = _labels(tmp_path / "unknown.csv", [*rows, stranger])
    with pytest.raises(ResolveError, match=rf"the first is {rows[0]['source']}:no-such-key"):
        ws.resolve(full=True, labels=unknown)
    headless = tmp_path / "headless.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ResolveError, match=r"headless\.csv"):
        ws.resolve(full=True, labels=headless)
    with pytest.raises(ResolveError, match="cannot read it"):
        ws.resolve(full=True, labels=tmp_path / "missing.csv")
    vehicle = next(r for r in rows if r["source_key"].startswith('["'))
    twice = tmp_path / "twice.csv"
    _labels(twice, rows)
    with twice.open("a", newline="", encoding="utf-8") as fh:
        unspaced = vehicle["source_key"].replace(", ", ",")
        csv.writer(fh).writerow([vehicle["source"], unspaced, "someone else"])
    with pytest.raises(ResolveError, match="are one record"):
        ws.resolve(full=True, labels=twice)
    monkeypatch.setattr(labels, "MAX_RECORDS_PER_PERSON", 50)  # the world is small
    placeholder, _ = _labels(
        tmp_path / "placeholder.csv",
        [*rows[:40], *({**r, "person_id": "unknown"} for r in rows[40:])],
    )
    with pytest.raises(ResolveError, match=rf"'unknown' names {len(rows) - 40} records"):
        ws.resolve(full=True, labels=placeholder)
    assert _runs(ws) == []  # nothing started, nothing stored
    # once resolved, a plain run is incremental, which does not train: refused
    ws.resolve(full=True)
    good, _ = _labels(tmp_path / "good.csv", rows)
    with pytest.raises(ResolveError, match=r"ask for a full run \(--full\)"):
        ws.resolve(full=False, labels=good)
    assert len(_runs(ws)) == 1


def test_cli_trains_on_labels_and_says_so(
    ws: Workspace, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.console, "width", 200)
    monkeypatch.setattr(common.err_console, "width", 200)
    rows = _enough(world)
    assert any(r["source_key"].startswith('["') for r in rows)  # vehicles: plate and state
    path, pairs = _labels(tmp_path / "labels.csv", rows, unspaced=True)
    where = ["--workspace", str(ws.root)]
    result = CliRunner().invoke(app, ["resolve", "--full", "--labels", str(path), *where])
    assert result.exit_code == 0, result.output
    assert f"labelled pairs from the file │ {pairs}" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["resolve", "--labels", str(path), *where])
    assert result.exit_code != 0
    assert "ask for a full run (--full)" in " ".join(result.output.split())


def test_evaluate_finds_keys_of_several_columns_however_spaced(
    ws: Workspace, world: Path, tmp_path: Path
) -> None:
    # the truth format is the labels format: both find a vehicle's ["NJ", "X1"] key typed
    # ["NJ","X1"]; before, evaluate counted such records as missing from the prediction
    ws.resolve(full=True)
    rows = [r for r in _truth_rows(world) if r["source"] != "incident_reports"]
    assert any(r["source_key"].startswith('["') for r in rows)
    spaced, _ = _labels(tmp_path / "spaced.csv", rows)
    unspaced, _ = _labels(tmp_path / "unspaced.csv", rows, unspaced=True)
    as_stored, as_typed = ws.evaluate(spaced), ws.evaluate(unspaced)
    assert as_typed.counts == as_stored.counts
    assert as_typed.counts.missing_from_prediction == 0
    assert as_typed.pairwise == as_stored.pairwise


def test_a_labelled_pair_judged_different_does_not_train(
    ws: Workspace, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _enough(world)
    by_person: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_person[row["person_id"]].append(row)
    a, b = next(p for p in by_person.values() if len(p) >= 2)[:2]
    ws.judge((a["source"], a["source_key"]), (b["source"], b["source_key"]), "different", "rev")
    trained: list[list[tuple[int, int]]] = []
    real_link = pipeline.link

    def link(*args: Any, **kwargs: Any) -> Any:
        trained.append(list(kwargs["labels"]))
        return real_link(*args, **kwargs)

    monkeypatch.setattr(pipeline, "link", link)
    path, pairs = _labels(tmp_path / "labels.csv", rows)
    outcome = ws.resolve(full=True, labels=path)
    assert outcome.labelled_pairs == pairs
    stats = _runs(ws)[-1][2]
    assert stats is not None
    assert stats["labels"]["judged_different"] == 1  # type: ignore[index]
    ids = {(r.source, r.source_key): r.id for r in _current(ws)}
    judged = tuple(
        sorted((ids[(a["source"], a["source_key"])], ids[(b["source"], b["source_key"])]))
    )
    (labels_given,) = trained
    assert judged not in labels_given
    assert len(labels_given) == pairs - 1


def _pairs_of(rows: list[dict[str, str]]) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Each person's records of ``rows`` as (source, key) pairs, every pair once."""
    by_person: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_person[row["person_id"]].append((row["source"], row["source_key"]))
    return [pair for refs in by_person.values() for pair in itertools.combinations(refs, 2)]


def test_enough_same_judgements_train_the_model_and_fewer_do_not(
    ws: Workspace, world: Path
) -> None:
    ws.resolve(full=True)
    without = _m(ws)
    pairs = _pairs_of(_enough(world))
    assert len(pairs) >= MIN_LABELS_FOR_TRAINING
    few = pairs[: MIN_LABELS_FOR_TRAINING // 10]
    for left, right in few:
        ws.judge(left, right, "same", "rev")
    ws.resolve(full=True)
    assert _alike(_m(ws), without)  # too few to estimate m from: EM's alone
    for left, right in pairs[len(few) :]:
        ws.judge(left, right, "same", "rev")
    ws.resolve(full=True)
    assert not _alike(_m(ws), without)
