"""The demo, end to end: synthesise a world, create a workspace, register and ingest it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from linkwise.demo import generate_world
from linkwise.ingest.runner import Progress
from linkwise.workspace.workspace import IngestOutcome, Workspace

WORLD_DIR = "world"


@dataclass(frozen=True, slots=True)
class DemoBuild:
    workspace: Workspace
    world: Path
    generated: bool
    outcomes: list[IngestOutcome]


def build_demo(
    root: Path,
    people: int,
    seed: int,
    generate_progress: Callable[[str, int, int], None] | None = None,
    ingest_progress: Callable[[str], Progress | None] | None = None,
) -> DemoBuild:
    """Build (or rebuild) the demo in ``root``. A world already generated there with the
    same size and seed is reused; ingestion is idempotent, so a rerun adds nothing."""
    world = root / WORLD_DIR
    generated = not _same_world(world, people, seed)
    if generated:
        generate_world(world, people, seed, generate_progress)
    ws, _ = Workspace.init(root)
    for manifest in sorted(world.glob("*.yaml")):
        ws.add_source(manifest)
    outcomes = ws.ingest(progress=ingest_progress)
    return DemoBuild(ws, world, generated, outcomes)


def _same_world(world: Path, people: int, seed: int) -> bool:
    info = world / "world.json"
    if not info.is_file():
        return False
    try:
        meta = json.loads(info.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return bool(meta.get("people") == people and meta.get("seed") == seed)
