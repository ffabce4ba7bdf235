"""Parquet, read one row group slice at a time; struct columns become dotted columns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.readers.base import Keep, RawRow, source_path, wanted_columns
from linkwise.model.manifest import Manifest

FORMATS = ("parquet",)


def open_reader(manifest: Manifest, base_dir: Path) -> ParquetReader:
    return ParquetReader(source_path(manifest, base_dir), manifest)


def _flat_names(field: pa.Field, prefix: str = "") -> list[str]:
    name = f"{prefix}{field.name}"
    if pa.types.is_struct(field.type):
        return [n for child in field.type for n in _flat_names(child, f"{name}.")]
    return [name]


class ParquetReader:
    encoding: str | None = None

    def __init__(self, path: Path, manifest: Manifest) -> None:
        if not path.is_file():
            raise SourceFileError(f"{path}: file not found")
        self.path = path
        self.location = str(path)
        self.counters: Counter[str] = Counter()
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise SourceFileError(f"{path}: not a readable Parquet file: {exc}") from exc
        schema = self._file.schema_arrow
        self.columns = [n for f in schema for n in _flat_names(f)]
        self.total_rows = self._file.metadata.num_rows
        wanted = wanted_columns(manifest)
        self._top = [f.name for f in schema if any(n in wanted for n in _flat_names(f))]
        self._wanted = wanted

    def batches(self, size: int, keep: Keep | None = None) -> Iterator[list[RawRow]]:
        name = self.path.name
        row = 0
        try:
            for index, rb in enumerate(self._file.iter_batches(batch_size=size, columns=self._top)):
                if keep is not None and not keep(index):
                    row += rb.num_rows
                    yield []
                    continue
                table = pa.Table.from_batches([rb])
                while any(pa.types.is_struct(f.type) for f in table.schema):
                    table = table.flatten()
                keep_cols = [c for c in table.column_names if c in self._wanted]
                batch = []
                for values in table.select(keep_cols).to_pylist():
                    row += 1
                    batch.append(RawRow(f"{name}:row {row}", row, values))
                yield batch
        except pa.ArrowException as exc:
            raise SourceFileError(f"{self.path}: unreadable after row {row}: {exc}") from exc

    def close(self) -> None:
        self._file.close()
