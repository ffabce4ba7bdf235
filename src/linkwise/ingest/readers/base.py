"""What every reader provides: the columns it sees and the rows, streamed in batches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from linkwise.model.manifest import Manifest


class RawRow(NamedTuple):
    locator: str
    """Human-readable place of the row in its source, e.g. ``court.csv:17``."""
    line: int | None
    values: dict[str, Any]
    problem: str | None = None
    """A reader-level defect (ragged row, broken JSON) that sends the row to quarantine."""


class Reader(Protocol):
    columns: list[str]
    encoding: str | None
    location: str
    notes: list[str]

    def batches(self, size: int) -> Iterator[list[RawRow]]: ...

    def close(self) -> None: ...


def wanted_columns(manifest: Manifest) -> set[str]:
    """Columns a reader must deliver; readers skip the rest so unmapped data never enters."""
    return set(manifest.mapped_columns())


def source_path(manifest: Manifest, base_dir: Path) -> Path:
    assert manifest.path is not None
    path = Path(manifest.path)
    return path if path.is_absolute() else base_dir / path
