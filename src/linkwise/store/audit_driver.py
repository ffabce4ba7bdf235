"""Fixed statements of every governed read, run on the database driver's own cursor.

Every governed read re-reads what it stands on (``linkwise.store.standing``) and appends an
event: a lock, a read of the chain's head, the event and its subjects. Through SQLAlchemy
each statement costs about 20 µs of Python (an execution context, a result object) against 4
µs on the driver's cursor, which is a tenth of a small read. So the statements are still
written as SQLAlchemy constructs (``linkwise.store.audit``), compiled once per dialect to
the driver's SQL and parameter style, and their values go through the same bind processors
SQLAlchemy would apply (a time as SQLite stores it, JSON as the column type serialises it):
the rows stored are the rows ``conn.execute`` would store.

The cursor belongs to the connection's own driver connection, so the statements run in the
caller's transaction and commit or roll back with it. A driver error is raised as
SQLAlchemy's (``sqlalchemy.exc.IntegrityError`` and so on), as ``conn.execute`` raises it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class DriverStatement:
    """One statement compiled for a dialect: its SQL text and how to pass it a row."""

    def __init__(
        self,
        statement: ClauseElement,
        dialect: Dialect,
        table: Table | None = None,
        *,
        bound: bool = False,
    ) -> None:
        compiled = statement.compile(
            dialect=dialect, compile_kwargs={"literal_binds": table is None and not bound}
        )
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        self._names = tuple(compiled.positiontup or ()) if compiled.positional else None
        processors: dict[str, Callable[[Any], Any]] = {}
        for column in () if table is None else table.columns:
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[column.name] = process
        self._processors = processors
        self._results: tuple[Callable[[Any], Any] | None, ...] = ()
        if isinstance(statement, Select):
            self._results = tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, None)
                for c in statement.selected_columns
            )

    def decode(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """A row as the driver gave it, with each column's value as SQLAlchemy would give it
        (a time parsed from SQLite's text, a flag as a bool)."""
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(self._results, row, strict=True)
        )

    def params(self, row: Mapping[str, Any]) -> Any:
        """``row`` (column name to value) as the driver takes it: processed, and in order
        for a positional parameter style."""
        values = {
            name: value if (process := self._processors.get(name)) is None else process(value)
            for name, value in row.items()
        }
        return values if self._names is None else tuple(values[n] for n in self._names)


class Driver:
    """Statements run on the driver cursor of one connection, inside its transaction."""

    def __init__(self, conn: Connection) -> None:
        self._dbapi = conn.dialect.loaded_dbapi
        self._cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *_: object) -> None:
        self._cursor.close()

    def one(self, statement: DriverStatement, row: Mapping[str, Any] | None = None) -> Any:
        """Run ``statement``; its first row, if it returns one."""
        params = () if row is None else statement.params(row)
        try:
            self._cursor.execute(statement.sql, params)
            return self._cursor.fetchone() if self._cursor.description else None
        except self._dbapi.Error as exc:
            raise DBAPIError.instance(statement.sql, params, exc, self._dbapi.Error) from exc

    def all(
        self, statement: DriverStatement, row: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run ``statement``; every row as the driver gives it (``DriverStatement.decode``
        turns one into what SQLAlchemy would give)."""
        params = () if row is None else statement.params(row)
        try:
            self._cursor.execute(statement.sql, params)
            return [tuple(r) for r in self._cursor.fetchall()]
        except self._dbapi.Error as exc:
            raise DBAPIError.instance(statement.sql, params, exc, self._dbapi.Error) from exc

    def many(self, statement: DriverStatement, rows: Sequence[Mapping[str, Any]]) -> None:
        params = [statement.params(row) for row in rows]
        try:
            self._cursor.executemany(statement.sql, params)
        except self._dbapi.Error as exc:
            raise DBAPIError.instance(statement.sql, params, exc, self._dbapi.Error) from exc


@functools.lru_cache(maxsize=16)
def compiled_for(
    dialect: Dialect, statements: tuple[tuple[ClauseElement, Table | None], ...]
) -> tuple[DriverStatement, ...]:
    """``statements`` (each with the table whose columns its values fill, or None for one
    without parameters) compiled for ``dialect``, once per dialect."""
    return tuple(DriverStatement(s, dialect, table) for s, table in statements)


@functools.lru_cache(maxsize=16)
def compiled_select(dialect: Dialect, statement: Select[Any]) -> DriverStatement:
    """A query with bound parameters (plain values that need no processing, such as ids)
    compiled for ``dialect``, once per dialect."""
    return DriverStatement(statement, dialect, bound=True)
