"""What every reader provides: the columns it sees and the rows, streamed in batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

from linkwise.model.manifest import Manifest


class RawRow(NamedTuple):
    locator: str
    """Human-readable place of the row in its source, e.g. ``court.csv:17``."""
    line: int | None
    values: dict[str, Any]
    problem: str | None = None
    """A reader-level defect (ragged row, broken JSON) that sends the row to quarantine."""
    unsafe: bool = False
    """The problem leaves no value of the row trustworthy (its fields cannot be assigned to
    columns), rather than one value being damaged."""


Keep = Callable[[int], bool]
"""Which batches (by index) a reader should build; the others come out empty. Parallel
ingestion gives each worker process its own reader and its own share of the batches."""


class Reader(Protocol):
    columns: list[str]
    encoding: str | None
    location: str
    counters: Counter[str]
    """Tallies of tolerated defects in the batches built so far (see ``COUNTER_NOTES``)."""

    def batches(self, size: int, keep: Keep | None = None) -> Iterator[list[RawRow]]: ...

    def close(self) -> None: ...


T = TypeVar("T")


def batched(
    items: Iterable[T], build: Callable[[T], RawRow], size: int, keep: Keep | None
) -> Iterator[list[RawRow]]:
    """Cut a stream of row sources into batches of ``size``, building rows only for kept
    batches (a skipped batch comes out empty, so batch indices agree across readers)."""
    batch: list[RawRow] = []
    index, count = 0, 0
    building = keep is None or keep(0)
    for item in items:
        if building:
            batch.append(build(item))
        count += 1
        if count >= size:
            yield batch
            batch, count, index = [], 0, index + 1
            building = keep is None or keep(index)
    if count:
        yield batch


def wanted_columns(manifest: Manifest) -> set[str]:
    """Columns a reader must deliver; readers skip the rest so unmapped data never enters."""
    return set(manifest.mapped_columns())


def source_path(manifest: Manifest, base_dir: Path) -> Path:
    assert manifest.path is not None
    path = Path(manifest.path)
    return path if path.is_absolute() else base_dir / path


COUNTER_NOTES = {
    "short_rows": "{n} row(s) had fewer fields than the header; "
    "the missing trailing fields were read as empty",
    "trailing_fields": "{n} row(s) had empty extra fields after the last column (ignored)",
}


def counter_notes(counters: Counter[str]) -> list[str]:
    return [COUNTER_NOTES[k].format(n=n) for k, n in sorted(counters.items()) if n]
