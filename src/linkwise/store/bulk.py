"""Bulk inserts without per-row statement overhead.

SQLAlchemy's executemany path builds each row's parameters through its generic machinery,
which cost more than the database itself when storing a million records. Here the INSERT
is compiled once for the connection's dialect, each column's own bind processor (the same
conversion SQLAlchemy applies: JSON text, SQLite timestamps, booleans) is looked up once,
and rows go straight to the driver's ``executemany``.

Rows come either as dicts (``bulk_insert``) or as columns (``bulk_insert_columns``): a
column list is converted with one comprehension per column and zipped into the driver's
tuples, with no Python code run per row, which is what millions of links need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert

_Processor = Callable[[Any], Any]


def _prepared(
    conn: Connection, table: Table, keys: Sequence[str]
) -> tuple[str, bool, list[str], dict[str, _Processor | None]]:
    """The INSERT of ``keys`` into ``table`` compiled for the connection: its text, whether
    its parameters are positional, their names in order, and each column's bind processor."""
    dialect = conn.dialect
    unknown = [k for k in keys if k not in table.columns]
    if unknown:
        raise ValueError(f"table {table.name!r} has no column {unknown[0]!r}")
    columns = [table.columns[k] for k in keys]
    compiled = insert(table).inline().compile(dialect=dialect, column_keys=list(keys))
    processors: dict[str, _Processor | None] = {
        c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns
    }
    names = list(compiled.positiontup or []) if compiled.positional else list(processors)
    return compiled.string, bool(compiled.positional), names, processors


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the keys of the first) into ``table``."""
    if not rows:
        return
    keys = [c.name for c in table.columns if c.name in rows[0]]
    statement, positional, names, processors = _prepared(conn, table, keys)
    getter = itemgetter(*names)
    convert = [(i, p) for i, name in enumerate(names) if (p := processors[name]) is not None]
    params: list[Any] = []
    for row in rows:
        values = getter(row) if len(names) > 1 else (row[names[0]],)
        if convert:
            values = list(values)
            for i, proc in convert:
                values[i] = proc(values[i])
        params.append(tuple(values) if positional else dict(zip(names, values, strict=True)))
    conn.exec_driver_sql(statement, params)


def bulk_insert_columns(
    conn: Connection,
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Insert rows given column by column (equal-length sequences) into ``table``, with the
    values of ``constants`` in every row; return how many rows."""
    constants = dict(constants or {})
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of unequal length for table {table.name!r}: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    if not n:
        return 0
    statement, positional, names, processors = _prepared(conn, table, [*columns, *constants])
    filled: dict[str, Any] = {}
    for name, values in columns.items():
        proc = processors[name]
        filled[name] = values if proc is None else [proc(v) for v in values]
    for name, value in constants.items():
        proc = processors[name]
        filled[name] = repeat(value if proc is None else proc(value), n)
    rows = zip(*(filled[name] for name in names), strict=True)
    params = list(rows) if positional else [dict(zip(names, row, strict=True)) for row in rows]
    conn.exec_driver_sql(statement, params)
    return n
