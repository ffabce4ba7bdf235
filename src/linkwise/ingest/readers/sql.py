"""A table or a query over any SQLAlchemy URL, streamed with a server-side cursor."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.readers.base import Keep, RawRow, wanted_columns
from linkwise.model.manifest import Manifest

FORMATS = ("sql",)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def open_reader(manifest: Manifest, base_dir: Path) -> SqlReader:
    return SqlReader(manifest, base_dir)


def resolve_url(url: str, base_dir: Path) -> str:
    """Expand ``${VAR}`` from the environment (so secrets stay out of manifests) and read a
    relative SQLite path as relative to the manifest, not to the current folder."""

    def var(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise SourceFileError(f"url: environment variable {name} is not set")
        return os.environ[name]

    expanded = _VAR.sub(var, url)
    try:
        parsed = make_url(expanded)
    except ArgumentError as exc:
        raise SourceFileError(f"url: not a database URL: {exc}") from exc
    db = parsed.database
    if parsed.get_backend_name() == "sqlite" and db and db != ":memory:":
        path = Path(db)
        if not path.is_absolute():
            parsed = parsed.set(database=str(base_dir / path))
        if not Path(parsed.database or "").is_file():
            raise SourceFileError(f"{parsed.database}: SQLite database file not found")
    return parsed.render_as_string(hide_password=False)


class SqlReader:
    encoding: str | None = None

    def __init__(self, manifest: Manifest, base_dir: Path) -> None:
        assert manifest.url is not None
        url = resolve_url(manifest.url, base_dir)
        self.location = make_url(url).render_as_string(hide_password=True)
        self.counters: Counter[str] = Counter()
        self._wanted = wanted_columns(manifest)
        try:
            self._engine: Engine = create_engine(url)
            with self._engine.connect() as conn:
                if manifest.table is not None:
                    self._query: Any = self._table_query(manifest.table)
                    self._label = manifest.table
                else:
                    self._query = text(manifest.query or "")
                    self._label = "query"
                probe = select(text("*")).select_from(self._query_subquery()).limit(0)
                self.columns = list(conn.execute(probe).keys())
        except (SQLAlchemyError, NoSuchModuleError) as exc:
            raise SourceFileError(f"{self.location}: {_first_line(exc)}") from exc

    def _table_query(self, name: str) -> Any:
        schema, _, table = name.rpartition(".")
        insp = inspect(self._engine)
        if not insp.has_table(table, schema=schema or None):
            available = ", ".join(insp.get_table_names(schema=schema or None)) or "none"
            raise SourceFileError(
                f"{self.location}: table {name!r} not found (tables: {available})"
            )
        return select(Table(table, MetaData(), schema=schema or None, autoload_with=self._engine))

    def _query_subquery(self) -> Any:
        if isinstance(self._query, type(text(""))):
            return self._query.columns().subquery("q")
        return self._query.subquery("q")

    def batches(self, size: int, keep: Keep | None = None) -> Iterator[list[RawRow]]:
        row = 0
        try:
            with self._engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=size).execute(
                    self._query
                )
                for index, part in enumerate(result.mappings().partitions(size)):
                    if keep is not None and not keep(index):
                        row += len(part)
                        yield []
                        continue
                    batch = []
                    for mapping in part:
                        row += 1
                        values = {k: v for k, v in mapping.items() if k in self._wanted}
                        batch.append(RawRow(f"{self._label}:row {row}", row, values))
                    yield batch
        except SQLAlchemyError as exc:
            raise SourceFileError(
                f"{self.location}: failed after row {row}: {_first_line(exc)}"
            ) from exc

    def close(self) -> None:
        self._engine.dispose()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
