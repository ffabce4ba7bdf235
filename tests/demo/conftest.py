"""A demo world generated once per session, and its files read back the way a reader would.

The files are read with the standard library and pyarrow only (not ``linkwise.ingest``), so
these tests check the generator's own promises independently of the ingester.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from linkwise.demo import WorldSummary, generate_world
from linkwise.model.manifest import Manifest

PEOPLE = 4000
SEED = 11
DELIMITERS = {"court_dispositions": ",", "civil_case_parties": ";", "public_records": "|"}


@dataclass
class World:
    path: Path
    summary: WorldSummary
    progress: list[tuple[str, int, int]] = field(default_factory=list)

    def manifests(self) -> dict[str, Manifest]:
        out = {}
        for file in sorted(self.path.glob("*.yaml")):
            manifest = Manifest.model_validate(yaml.safe_load(file.read_text(encoding="utf-8")))
            out[manifest.name] = manifest
        return out

    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "world.json").read_text(encoding="utf-8"))
        return data


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    path = tmp_path_factory.mktemp("world")
    calls: list[tuple[str, int, int]] = []
    summary = generate_world(path, PEOPLE, SEED, lambda *a: calls.append(a))
    return World(path, summary, calls)


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def read_csv(path: Path, encoding: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader)
        return header, list(reader)


def source_rows(world: World, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows as dicts) of one structured source, in file order."""
    manifest = world.manifests()[name]
    info = world.info()["sources"][name]
    if manifest.format == "csv":
        assert manifest.path is not None
        columns, raw = read_csv(world.path / manifest.path, info["encoding"], DELIMITERS[name])
        return columns, [dict(zip(columns, r, strict=False)) for r in raw]
    if manifest.format == "jsonl":
        assert manifest.path is not None
        rows = [
            flatten(json.loads(line))
            for line in (world.path / manifest.path).read_text(encoding="utf-8").splitlines()
        ]
        columns = list(dict.fromkeys(c for r in rows for c in r))
        return columns, rows
    if manifest.format == "parquet":
        assert manifest.path is not None
        table = pq.read_table(world.path / manifest.path)
        return table.column_names, table.to_pylist()
    assert manifest.format == "sql"
    assert manifest.url is not None
    db = world.path / manifest.url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        cursor = conn.execute(f"SELECT * FROM {manifest.table}")
        columns = [d[0] for d in cursor.description]
        return columns, [dict(r) for r in cursor]


def source_key(manifest: Manifest, row: dict[str, Any]) -> str:
    """The key as the ingester spells it: the value as text, or a JSON array of texts."""
    parts = [str(row[c]) for c in manifest.key]
    return parts[0] if len(parts) == 1 else json.dumps(parts, ensure_ascii=False)


@dataclass
class Source:
    manifest: Manifest
    columns: list[str]
    rows: list[dict[str, Any]]

    @property
    def keys(self) -> list[str]:
        return [source_key(self.manifest, r) for r in self.rows]


@pytest.fixture(scope="session")
def sources(world: World) -> dict[str, Source]:
    """Every structured source of the session world, read back."""
    out = {}
    for name, manifest in world.manifests().items():
        if manifest.format != "documents":
            columns, rows = source_rows(world, name)
            out[name] = Source(manifest, columns, rows)
    return out


def _read(world: World, name: str) -> list[dict[str, str]]:
    with (world.path / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def truth(world: World) -> list[dict[str, str]]:
    return _read(world, "truth.csv")


@pytest.fixture(scope="session")
def record_tags(world: World) -> list[dict[str, str]]:
    return _read(world, "record_tags.csv")


@pytest.fixture(scope="session")
def people(world: World) -> dict[str, dict[str, str]]:
    return {p["person_id"]: p for p in _read(world, "people.csv")}
