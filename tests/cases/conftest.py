"""A small resolved world per backend for case-work tests: the demo world's sources
ingested and resolved, on SQLite and (marked ``postgres``) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkwise.demo import generate_world
from linkwise.workspace import Workspace
from tests.helpers import workspace_on

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="package")
def case_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("case_world")
    generate_world(out, 150, 5)
    return out


def resolved_workspace(backend: str, root: Path, world: Path) -> Iterator[Workspace]:
    """A workspace holding ``world``, ingested and resolved, closed (and its PostgreSQL
    database dropped) afterwards."""
    with workspace_on(backend, root) as ws:
        for manifest in sorted(world.glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest()
        ws.resolve(full=True)
        yield ws


@pytest.fixture(scope="module", params=BACKENDS)
def resolved(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, case_world: Path
) -> Iterator[Workspace]:
    """A resolved world shared by a module's tests (they make their own users and cases)."""
    yield from resolved_workspace(request.param, tmp_path_factory.mktemp("cases"), case_world)
