"""The generated demo world the workspace-level resolution tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkwise.demo import generate_world
from tests.helpers import WORLD_PEOPLE


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated once per test run; tests read it and never write into it."""
    out = tmp_path_factory.mktemp("world")
    generate_world(out, WORLD_PEOPLE, 5)
    return out
