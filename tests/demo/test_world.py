"""The entry point's contract: summary, files, progress, config and arguments."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest

from linkwise.demo import WorldConfig, generate_world

from .conftest import World


def test_summary_lists_files_that_exist(world: World) -> None:
    summary = world.summary
    assert summary.people == 4000
    assert summary.seed == 11
    for name in summary.files:
        assert (world.path / name).exists(), name
    assert {"truth.csv", "record_tags.csv", "people.csv", "world.json"} <= set(summary.files)
    assert {s.manifest for s in summary.sources} <= set(summary.files)
    assert summary.records == sum(summary.record_counts.values())
    assert "court_dispositions" in summary.describe()
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.people = 1  # type: ignore[misc]


def test_world_json_records_config_and_counts(world: World) -> None:
    info = world.info()
    assert info["people"] == 4000
    assert info["seed"] == 11
    assert info["config"] == json.loads(json.dumps(dataclasses.asdict(WorldConfig())))
    assert info["population"] == dict(world.summary.population)
    population = world.summary.population
    for key in ("twin_pairs", "jr_sr_pairs", "shelter_people", "movers", "households"):
        assert population[key] > 0, key


def test_progress_is_reported_per_step(world: World) -> None:
    steps = {label for label, _, _ in world.progress}
    assert {"people", "records", "people.csv"} <= steps
    for label in steps:
        calls = [(d, t) for s, d, t in world.progress if s == label]
        assert all(0 <= d <= t for d, t in calls)
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)
        assert calls[-1][0] == calls[-1][1]


def test_config_changes_the_world(tmp_path: Path) -> None:
    calm = dataclasses.replace(WorldConfig(), typo=0.0, ocr=1.0, generic_ssn=0.0)
    summary = generate_world(tmp_path, 500, 3, config=calm)
    assert "typo" not in summary.difficulties
    assert "generic_ssn" not in summary.difficulties
    assert summary.difficulties["ocr"] == summary.record_counts["court_dispositions"]
    info = json.loads((tmp_path / "world.json").read_text(encoding="utf-8"))
    assert info["config"]["typo"] == 0.0


def test_tiny_world_still_has_every_file(tmp_path: Path) -> None:
    summary = generate_world(tmp_path, 1, 1)
    assert summary.people == 1
    with (tmp_path / "truth.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["source", "source_key", "person_id"]
    for name in summary.files:
        assert (tmp_path / name).exists(), name


def test_rejects_an_empty_world(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_world(tmp_path, 0, 1)
