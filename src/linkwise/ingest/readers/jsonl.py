"""JSON Lines: one JSON object per line; nested objects are read as dotted columns."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.readers.base import Keep, RawRow, batched, source_path, wanted_columns
from linkwise.model.manifest import Manifest

FORMATS = ("jsonl",)
_PROBE_LINES = 1000


def open_reader(manifest: Manifest, base_dir: Path) -> JsonLinesReader:
    return JsonLinesReader(source_path(manifest, base_dir), manifest)


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


class JsonLinesReader:
    encoding: str | None = "utf-8"

    def __init__(self, path: Path, manifest: Manifest) -> None:
        if not path.is_file():
            raise SourceFileError(f"{path}: file not found")
        self.path = path
        self.location = str(path)
        self.counters: Counter[str] = Counter()
        self._wanted = wanted_columns(manifest)
        self.columns = self._probe()

    def _probe(self) -> list[str]:
        seen: dict[str, None] = {}
        parsed = 0
        first = ""
        with self.path.open("rb") as fh:
            for n, raw in enumerate(fh):
                if n >= _PROBE_LINES:
                    break
                line = raw.decode("utf-8-sig" if n == 0 else "utf-8", errors="replace").strip()
                if not line:
                    continue
                first = first or line
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    parsed += 1
                    seen.update(dict.fromkeys(flatten(obj)))
        if not first:
            raise SourceFileError(f"{self.path}: the file is empty")
        if parsed == 0:
            hint = (
                "it looks like one JSON array; convert it to one object per line"
                if first.startswith("[")
                else "no line in the first 1000 is a JSON object"
            )
            raise SourceFileError(f"{self.path}: not JSON Lines: {hint}")
        return list(seen)

    def batches(self, size: int, keep: Keep | None = None) -> Iterator[list[RawRow]]:
        name = self.path.name

        def build(item: tuple[int, bytes]) -> RawRow:
            n, raw = item
            text = raw.decode("utf-8-sig" if n == 1 else "utf-8", errors="replace").strip()
            return self._row(text, f"{name}:{n}", n)

        with self.path.open("rb") as fh:
            lines = ((n, raw) for n, raw in enumerate(fh, start=1) if raw.strip())
            yield from batched(lines, build, size, keep)

    def _row(self, text: str, locator: str, line: int) -> RawRow:
        try:
            obj = json.loads(text)
        except ValueError as exc:
            return RawRow(locator, line, {"_line": text[:500]}, f"invalid JSON: {exc}", True)
        if not isinstance(obj, dict):
            kind = type(obj).__name__
            return RawRow(
                locator, line, {"_line": text[:500]}, f"expected an object, got {kind}", True
            )
        values = {k: v for k, v in flatten(obj).items() if k in self._wanted}
        return RawRow(locator, line, values)

    def close(self) -> None:
        return None
