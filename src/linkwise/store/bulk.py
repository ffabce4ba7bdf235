"""Bulk inserts without per-row statement overhead.

SQLAlchemy's executemany path builds each row's parameters through its generic machinery,
which cost more than the database itself when storing a million records. Here the INSERT
is compiled once for the connection's dialect, each column's own bind processor (the same
conversion SQLAlchemy applies: JSON text, SQLite timestamps, booleans) is looked up once
and applied a column at a time, and the rows go straight to the driver's ``executemany``.

Rows come either as columns (``bulk_insert_columns``), which is what millions of links
need: the columns are zipped into the driver's tuples, with no Python loop over the rows
beyond the bind processors themselves; or as dicts (``bulk_insert``), each turned into the
driver's tuple directly. Both take the statement's parameter names to be the column names,
which holds for every column of the store (a name SQLAlchemy would escape, with a space or
a dot, would not be found).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert

_Processor = Callable[[Any], Any]


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the keys of the first) into ``table``. Each row becomes
    the driver's tuple directly: turning a million dicts into columns first, to share
    ``bulk_insert_columns``, cost 20-60% more of this Python part (ad hoc timing)."""
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
    values of ``constants`` in every row and a column's own scalar default where neither
    gives it; return how many rows."""
    constants = dict(constants or {})
    both = sorted(columns.keys() & constants.keys())
    if both:
        raise ValueError(f"column {both[0]!r} of table {table.name!r} given twice")
    unknown = [k for k in (*columns, *constants) if k not in table.columns]
    if unknown:
        raise ValueError(f"table {table.name!r} has no column {unknown[0]!r}")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of unequal length for table {table.name!r}: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    if not n:
        return 0
    statement, positional, names, processors = _prepared(conn, table, [*columns, *constants])
    filled: dict[str, Any] = {}
    for name in names:
        proc = processors[name]
        if name in columns:
            values = columns[name]
            filled[name] = values if proc is None else [proc(v) for v in values]
            continue
        filled[name] = repeat(_constant(table, name, constants, proc), n)
    rows = zip(*(filled[name] for name in names), strict=True)
    params = list(rows) if positional else [dict(zip(names, row, strict=True)) for row in rows]
    conn.exec_driver_sql(statement, params)
    return n


def _prepared(
    conn: Connection, table: Table, keys: Sequence[str]
) -> tuple[str, bool, list[str], dict[str, _Processor | None]]:
    """The INSERT of ``keys`` into ``table`` compiled for the connection: its text, whether
    its parameters are positional, their names in order (a column with a default may be
    among them unasked), and each one's bind processor."""
    dialect = conn.dialect
    compiled = insert(table).inline().compile(dialect=dialect, column_keys=list(keys))
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)
    processors: dict[str, _Processor | None] = {
        name: table.columns[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in names
    }
    return compiled.string, bool(compiled.positional), names, processors


def _constant(
    table: Table, name: str, constants: Mapping[str, Any], proc: _Processor | None
) -> Any:
    """The value of column ``name`` in every row: from ``constants``, else the column's own
    scalar default; converted by its bind processor."""
    column = table.columns[name]
    if name in constants:
        value = constants[name]
    elif column.default is not None and column.default.is_scalar:
        value = column.default.arg  # type: ignore[attr-defined]
    else:
        raise ValueError(f"no value for column {name!r} of table {table.name!r}")
    return value if proc is None else proc(value)
