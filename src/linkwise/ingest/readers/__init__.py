"""Readers, one module per format. Each module declares ``FORMATS`` and ``open_reader``;
adding a format is adding a module and listing it here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.readers import delimited, jsonl, parquet, sql
from linkwise.ingest.readers.base import RawRow, Reader
from linkwise.model.manifest import Manifest

_MODULES = (delimited, jsonl, parquet, sql)
_BY_FORMAT: dict[str, Callable[[Manifest, Path], Reader]] = {
    fmt: module.open_reader for module in _MODULES for fmt in module.FORMATS
}

__all__ = ["RawRow", "Reader", "open_reader", "supported_formats"]


def supported_formats() -> list[str]:
    return sorted(_BY_FORMAT)


def open_reader(manifest: Manifest, base_dir: Path) -> Reader:
    fmt = manifest.resolved_format()
    if fmt is None:
        raise SourceFileError(
            f"{manifest.path}: cannot tell the format from the file name; "
            f"declare `format:` ({', '.join(supported_formats())})"
        )
    opener = _BY_FORMAT.get(fmt)
    if opener is None:
        raise SourceFileError(f"format {fmt!r} has no reader yet")
    return opener(manifest, base_dir)
