"""Bulk inserts without per-row statement overhead.

SQLAlchemy's executemany path builds each row's parameters through its generic machinery,
which cost more than the database itself when storing a million records. Here the INSERT
is compiled once for the connection's dialect, each column's own bind processor (the same
conversion SQLAlchemy applies: JSON text, SQLite timestamps, booleans) is looked up once,
and rows go straight to the driver's ``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = conn.dialect
    columns = [c for c in table.columns if c.name in rows[0]]
    keys = [c.name for c in columns]
    compiled = insert(table).inline().compile(dialect=dialect, column_keys=keys)
    processors: dict[str, Callable[[Any], Any] | None] = {
        c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns
    }
    names = list(compiled.positiontup or []) if compiled.positional else list(processors)
    getter = itemgetter(*names)
    convert = [(i, p) for i, name in enumerate(names) if (p := processors[name]) is not None]
    params: list[Any] = []
    for row in rows:
        values = getter(row) if len(names) > 1 else (row[names[0]],)
        if convert:
            values = list(values)
            for i, proc in convert:
                values[i] = proc(values[i])
        params.append(
            tuple(values) if compiled.positional else dict(zip(names, values, strict=True))
        )
    conn.exec_driver_sql(compiled.string, params)
