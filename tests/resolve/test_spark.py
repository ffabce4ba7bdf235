"""The Spark engine runs the same resolution as DuckDB and gets the same answer.

Runs on a local Spark session (one for the module: the JVM takes seconds to start). Skipped
when pyspark or Java is missing, unless ``LINKWISE_TEST_REQUIRE_SPARK=1`` (set by
``scripts/test.sh``) makes that an error.
"""

from __future__ import annotations

import csv
import importlib.util
import logging
import os
import random
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from splink import DuckDBAPI, Linker
from sqlalchemy import text
from typer.testing import CliRunner

from linkwise.cli.main import app
from linkwise.demo import generate_world
from linkwise.resolve import engines
from linkwise.resolve.name_order import splink_settings
from linkwise.resolve.pipeline import Resolution, resolve
from linkwise.resolve.prepare import prepare
from linkwise.store import resolution as store
from linkwise.workspace import Workspace

pytestmark = pytest.mark.slow

REQUIRE_SPARK = os.environ.get("LINKWISE_TEST_REQUIRE_SPARK") == "1"
PEOPLE = 150  # about 320 records: several duplicates per person, as in the demo world
F1_TOLERANCE = 0.002


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java").exists()):
        return "no Java runtime (java on PATH or JAVA_HOME)"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    reason = _spark_missing()
    if reason:
        if REQUIRE_SPARK:
            pytest.fail(f"LINKWISE_TEST_REQUIRE_SPARK=1 but {reason}")
        pytest.skip(reason)
    session = engines.spark_session(2)
    try:
        yield session
    finally:
        engines.stop_spark()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[str]]:
    """The demo world's records as resolution reads them, and each record's true person."""
    out = tmp_path_factory.mktemp("world")
    generate_world(out, PEOPLE, 5)
    with (out / "truth.csv").open(newline="") as fh:
        truth = {(r["source"], r["source_key"]): r["person_id"] for r in csv.DictReader(fh)}
    ws, _ = Workspace.init(out / "ws", f"sqlite:///{out / 'ws.db'}")
    try:
        for manifest in sorted(out.glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest()
        with ws.engine.connect() as conn:
            rows = store.current_person_rows(conn)
            names = {row.id: row.name for row in conn.execute(text("SELECT id, name FROM sources"))}
    finally:
        ws.close()
    # records of the world's sources of rows (mention records found in its reports are not
    # in truth.csv; their linking is scored by the documents benchmark)
    rows = [r for r in rows if (names[r["source_id"]], r["source_key"]) in truth]
    return rows, [truth[(names[r["source_id"]], r["source_key"])] for r in rows]


@pytest.fixture(scope="module")
def runs(
    spark: Any, world: tuple[list[dict[str, Any]], list[str]]
) -> dict[str, tuple[Resolution, float]]:
    rows, _ = world
    out: dict[str, tuple[Resolution, float]] = {}
    for engine in engines.ENGINES:
        start = time.perf_counter()
        resolution = resolve(rows, engine=engine)
        out[engine] = (resolution, time.perf_counter() - start)
    return out


def _pairwise_f1(entity_of: Mapping[Any, str], truth: Mapping[Any, str]) -> float:
    def pairs(groups: Mapping[Any, int]) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    predicted: dict[str, int] = defaultdict(int)
    actual: dict[str, int] = defaultdict(int)
    both: dict[tuple[str, str], int] = defaultdict(int)
    for key, entity in entity_of.items():
        predicted[entity] += 1
        actual[truth[key]] += 1
        both[(entity, truth[key])] += 1
    tp = pairs(both)
    precision, recall = tp / max(pairs(predicted), 1), tp / max(pairs(actual), 1)
    return 2 * precision * recall / (precision + recall) if tp else 0.0


def _entity_of(resolution: Resolution) -> dict[int, str]:
    return {
        rid: f"C{number}"
        for number, members in enumerate(resolution.clustering.clusters)
        for rid in members
    }


def test_spark_matches_duckdb(
    runs: dict[str, tuple[Resolution, float]], world: tuple[list[dict[str, Any]], list[str]]
) -> None:
    rows, people = world
    truth = {int(r["record_id"]): p for r, p in zip(rows, people, strict=True)}
    scores = {engine: _pairwise_f1(_entity_of(r), truth) for engine, (r, _) in runs.items()}
    entities = {engine: len(r.clustering.clusters) for engine, (r, _) in runs.items()}
    timings = {engine: round(t, 1) for engine, (_, t) in runs.items()}
    print(f"pairwise F1 {scores}, entities {entities}, seconds {timings}")
    assert scores["duckdb"] > 0.8, scores
    assert abs(scores["spark"] - scores["duckdb"]) <= F1_TOLERANCE, scores
    assert abs(entities["spark"] - entities["duckdb"]) <= max(2, entities["duckdb"] // 100)
    duck, spark_ = runs["duckdb"][0].linkage, runs["spark"][0].linkage
    assert spark_.comparisons == duck.comparisons
    assert [r.name for r in spark_.rules if r.kept] == [r.name for r in duck.rules if r.kept]
    assert len(spark_.pairs) == pytest.approx(len(duck.pairs), rel=0.02)


def test_spark_model_is_stored_in_duckdb_dialect(
    runs: dict[str, tuple[Resolution, float]], world: tuple[list[dict[str, Any]], list[str]]
) -> None:
    """Stored models are read back on DuckDB (real-time matching), whichever engine trained
    them: the Spark-trained model carries DuckDB's SQL and its own parameters."""
    duck = runs["duckdb"][0].linkage.model
    spark_ = runs["spark"][0].linkage.model
    assert spark_["sql_dialect"] == "duckdb"
    assert (
        spark_["blocking_rules_to_generate_predictions"]
        == duck["blocking_rules_to_generate_predictions"]
    )
    for ours, theirs in zip(spark_["comparisons"], duck["comparisons"], strict=True):
        levels = zip(ours["comparison_levels"], theirs["comparison_levels"], strict=True)
        for a, b in levels:
            assert a["sql_condition"] == b["sql_condition"]
            if "m_probability" in b and isinstance(b["m_probability"], float):
                assert a["m_probability"] == pytest.approx(b["m_probability"], abs=0.05)
    table = prepare(world[0]).table
    linker = Linker(DuckDBAPI().register(table), splink_settings(spark_), log_level=logging.ERROR)
    scored = linker.inference.predict(threshold_match_probability=0.5).as_pyarrow_table()
    assert len(scored) > len(table) // 4


def _dedupe_files(folder: Path) -> tuple[Path, Path]:
    """Two CSV files: 120 people, 80 of them in both with a typo, a nickname or a gap."""
    rng = random.Random(11)
    given = ["james", "mary", "robert", "linda", "william", "susan", "david", "karen", "anna"]
    family = ["smith", "nguyen", "okafor", "kowalski", "rossi", "tanaka", "haddad", "silva"]
    nick = {"william": "bill", "robert": "bob", "james": "jim"}
    people = [
        {
            "first_name": rng.choice(given),
            "surname": rng.choice(family),
            "dob": f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "zip": f"{rng.randint(10000, 99999)}",
            "phone": f"555{rng.randint(1000000, 9999999)}",
        }
        for _ in range(120)
    ]
    variants = []
    for p in people[:80]:
        v = dict(p)
        roll = rng.random()
        if roll < 0.3 and v["first_name"] in nick:
            v["first_name"] = nick[v["first_name"]]
        elif roll < 0.6:
            i = rng.randrange(1, len(v["surname"]))
            v["surname"] = v["surname"][:i] + v["surname"][i + 1 :]
        else:
            v["phone"] = ""
        variants.append(v)
    paths = folder / "a.csv", folder / "b.csv"
    for path, rows in zip(paths, (people, variants), strict=True):
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, ["first_name", "surname", "dob", "zip", "phone"])
            writer.writeheader()
            writer.writerows(rows)
    return paths


def test_dedupe_cli_on_spark(spark: Any, tmp_path: Path) -> None:
    a, b = _dedupe_files(tmp_path)
    outputs = {}
    for engine in engines.ENGINES:
        out = tmp_path / f"{engine}.csv"
        result = CliRunner().invoke(
            app, ["dedupe", str(a), str(b), "-o", str(out), "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        with out.open(newline="") as fh:
            outputs[engine] = list(csv.reader(fh))
    spark_rows, duck_rows = outputs["spark"], outputs["duckdb"]
    assert spark_rows[0] == ["file", "record_id", "entity_id", "confidence"]
    assert len(spark_rows) == 1 + 120 + 80
    assert [r[:2] for r in spark_rows] == [r[:2] for r in duck_rows]
    assert all(0.0 <= float(r[3]) <= 1.0 for r in spark_rows[1:])
    truth = {(r[0], r[1]): r[1] for r in spark_rows[1:]}  # row n of b.csv is row n of a.csv
    f1 = {
        engine: _pairwise_f1({(r[0], r[1]): r[2] for r in rows[1:]}, truth)
        for engine, rows in outputs.items()
    }
    print(f"dedupe pairwise F1 {f1}")
    assert abs(f1["spark"] - f1["duckdb"]) <= F1_TOLERANCE, f1


def test_a_workspace_resolved_on_spark_then_links_new_records_on_duckdb(
    spark: Any, tmp_path: Path
) -> None:
    """``linkwise resolve --full --engine spark`` end to end: entities stored and scored as
    the DuckDB run's are, the model recorded as Spark's, and the next ingestion linked
    incrementally with it on DuckDB, keeping the entities' ids."""
    generate_world(tmp_path / "w", PEOPLE, 5)
    truth = tmp_path / "w" / "truth.csv"
    late = "court_dispositions"
    ws, _ = Workspace.init(tmp_path / "ws")
    try:
        for manifest in sorted((tmp_path / "w").glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest([s.name for s in ws.sources() if s.name != late])
        duck = ws.resolve(full=True)
        duck_f1 = ws.evaluate(truth).pairwise.f1
        outcome = ws.resolve(full=True, engine="spark")
        report = ws.evaluate(truth)
        assert duck_f1 is not None
        assert report.pairwise.f1 is not None
        assert abs(report.pairwise.f1 - duck_f1) <= F1_TOLERANCE
        assert outcome.entities == pytest.approx(duck.entities, abs=max(2, duck.entities // 100))
        with ws.engine.connect() as conn:
            engine = conn.execute(
                text("SELECT engine FROM models WHERE run_id = :r"), {"r": outcome.run_id}
            ).scalar_one()
        assert engine == "spark"
        before = {ws.entity_of(s, k) for s, k in _refs(truth, exclude=late)}
        said: list[str] = []
        ws.ingest([late])
        later = ws.resolve(full=False, progress=said.append)
        assert later.records > 0
        assert later.model_version == outcome.model_version  # the Spark run's model
        assert not [m for m in said if m.startswith("resolving every record")]
        after = {ws.entity_of(s, k) for s, k in _refs(truth, exclude=late)}
        assert len(before & after) >= 0.9 * len(before)
    finally:
        ws.close()


def _refs(truth: Path, exclude: str) -> list[tuple[str, str]]:
    with truth.open(newline="") as fh:
        return [
            (r["source"], r["source_key"])
            for r in csv.DictReader(fh)
            if r["source"] not in (exclude, "incident_reports")
        ]
