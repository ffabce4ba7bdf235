"""The people-search index tables (``search_keys``, ``search_terms``): what needs indexing,
writing keys, and the lookups a query makes. Which keys a record has, and what a query
asks for, is ``linkwise.search``'s business; nothing here decides what a reader may see."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from linkwise.store import tables as t

Key = tuple[str, str, str]
_CHUNK = 2000
_k, _terms, _r = t.search_keys, t.search_terms, t.records
_MARKED = select(func.max(_k.c.record_id)).where(_k.c.kind == "r", _k.c.a == "", _k.c.b == "")
_LATEST = select(func.max(_r.c.id))


def indexed_up_to(conn: Connection) -> int:
    """The highest record id the index holds (0 when empty)."""
    return int(conn.execute(_MARKED).scalar() or 0)


def latest_record(conn: Connection) -> int:
    return int(conn.execute(_LATEST).scalar() or 0)


def records_after(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` records (any version) with ids above ``after``, oldest first, with
    what keys are made of (see ``records``)."""
    query = select(*_columns()).where(_r.c.id > after).order_by(_r.c.id).limit(limit)
    return _with_identifiers(conn, [dict(row) for row in conn.execute(query).mappings()])


def records(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The named records: id, source and key, version, whether current, the canonical
    columns keys are made of, and ``identifiers`` as (type, value) pairs."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        query = select(*_columns()).where(_r.c.id.in_(chunk))
        rows.extend(dict(row) for row in conn.execute(query).mappings())
    return _with_identifiers(conn, rows)


def current_ids_between(conn: Connection, low: int, high: int) -> list[int]:
    """Ids of the current records with ids in (``low``, ``high``]."""
    query = select(_r.c.id).where(_r.c.id > low, _r.c.id <= high, _r.c.is_current)
    return [int(i) for i in conn.execute(query).scalars()]


def unindexed_current(conn: Connection) -> list[int]:
    """Current records the index does not hold (a full resolution's check that nothing
    slipped past: on PostgreSQL a batch can commit after a later one did)."""
    marked = select(_k.c.record_id).where(_k.c.kind == "r", _k.c.a == "", _k.c.b == "")
    query = select(_r.c.id).where(_r.c.is_current, _r.c.id.not_in(marked)).order_by(_r.c.id)
    return [int(i) for i in conn.execute(query).scalars()]


def indexed_not_current(conn: Connection) -> list[int]:
    """Indexed records that a newer version has replaced."""
    query = (
        select(_k.c.record_id)
        .join(_r, _r.c.id == _k.c.record_id)
        .where(_k.c.kind == "r", _k.c.a == "", _k.c.b == "", _r.c.is_current.is_(False))
    )
    return [int(i) for i in conn.execute(query).scalars()]


def older_versions(conn: Connection, rows: Iterable[dict[str, Any]]) -> list[int]:
    """Ids of the earlier versions of these records (same source and key, lower version)."""
    keys = sorted({(r["source_id"], r["source_key"]) for r in rows if r["version"] > 1})
    found: list[int] = []
    for chunk in _chunks(keys):
        query = select(_r.c.id).where(
            tuple_(_r.c.source_id, _r.c.source_key).in_(chunk), _r.c.is_current.is_(False)
        )
        found.extend(int(i) for i in conn.execute(query).scalars())
    return found


def add_keys(conn: Connection, rows: Sequence[tuple[str, str, str, int]]) -> None:
    """Insert (kind, a, b, record_id) rows; rows already there are left as they are."""
    _insert_ignoring(conn, _k, ("kind", "a", "b", "record_id"), rows)


def add_terms(conn: Connection, rows: Sequence[tuple[str, str]]) -> None:
    """Insert (variant, term) rows of the name vocabulary; known ones are left alone."""
    _insert_ignoring(conn, _terms, ("variant", "term"), rows)


def drop_keys(conn: Connection, rows: Sequence[tuple[str, str, str, int]]) -> None:
    """Delete these (kind, a, b, record_id) rows (each is its primary key)."""
    statement = _k.delete().where(
        _k.c.kind == bindparam("k"),
        _k.c.a == bindparam("x"),
        _k.c.b == bindparam("y"),
        _k.c.record_id == bindparam("rid"),
    )
    if rows:
        conn.execute(statement, [{"k": k, "x": a, "y": b, "rid": r} for k, a, b, r in rows])


def terms_near(conn: Connection, variants: Iterable[str]) -> set[str]:
    """Vocabulary words sharing one of ``variants`` (a query word's deletions)."""
    wanted = sorted(set(variants))
    if not wanted:
        return set()
    query = select(_terms.c.term).where(_terms.c.variant.in_(wanted))
    return set(conn.execute(query).scalars())


def lookup(
    conn: Connection,
    kind: str,
    a_values: Iterable[str],
    b_values: Iterable[str] | None,
    limit: int,
) -> list[int]:
    """Ids of records with a ``kind`` key whose ``a`` is one of ``a_values`` and whose ``b``
    is one of ``b_values`` (any ``b`` when None), at most ``limit``."""
    a_list = sorted(set(a_values))
    if not a_list:
        return []
    query = select(_k.c.record_id).where(_k.c.kind == kind, _k.c.a.in_(a_list))
    if b_values is not None:
        b_list = sorted(set(b_values))
        if not b_list:
            return []
        query = query.where(_k.c.b.in_(b_list))
    return [int(i) for i in conn.execute(query.limit(limit)).scalars()]


def lookup_range(conn: Connection, kind: str, a: str, b_prefix: str, limit: int) -> list[int]:
    """Ids of records under ``kind``/``a`` whose ``b`` starts with ``b_prefix`` (a birth
    year, or year and month)."""
    query = select(_k.c.record_id).where(_k.c.kind == kind, _k.c.a == a)
    if b_prefix:
        query = query.where(_k.c.b >= b_prefix, _k.c.b < b_prefix + "~")
    return [int(i) for i in conn.execute(query.limit(limit)).scalars()]


def candidates(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The current records among ``ids`` that are in an entity, with their source name,
    entity, canonical columns and identifiers (what scoring and display read)."""
    s, m = t.sources, t.entity_members
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        query = (
            select(*_columns(), s.c.name.label("source"), m.c.entity_id)
            .join(s, s.c.id == _r.c.source_id)
            .join(m, m.c.record_id == _r.c.id)
            .where(_r.c.id.in_(chunk), _r.c.is_current)
        )
        rows.extend(dict(row) for row in conn.execute(query).mappings())
    return _with_identifiers(conn, rows)


def _columns() -> list[Any]:
    return [
        _r.c.id,
        _r.c.source_id,
        _r.c.source_key,
        _r.c.version,
        _r.c.is_current,
        _r.c.given_name,
        _r.c.middle_name,
        _r.c.family_name,
        _r.c.full_name,
        _r.c.dob,
        _r.c.phone,
        _r.c.email,
        _r.c.address_line,
        _r.c.postcode,
    ]


def _with_identifiers(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    i = t.record_identifiers
    by_id = {int(r["id"]): r for r in rows}
    for r in rows:
        r["identifiers"] = []
    for chunk in _chunks(sorted(by_id)):
        query = (
            select(i.c.record_id, i.c.type, i.c.value, i.c.raw)
            .where(i.c.record_id.in_(chunk))
            .order_by(i.c.record_id, i.c.id)
        )
        for rid, kind, value, raw in conn.execute(query):
            by_id[int(rid)]["identifiers"].append((kind, value or raw))
    return rows


def _insert_ignoring(
    conn: Connection, table: Any, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    dialect = conn.dialect
    module: Any = postgresql if dialect.name == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_nothing()
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    if compiled.positional:
        order = [names.index(n) for n in compiled.positiontup or []]
        params: list[Any] = (
            list(rows)  # already in the statement's order: the keys as they are
            if order == list(range(len(names)))
            else [tuple(row[j] for j in order) for row in rows]
        )
    else:
        params = [dict(zip(names, row, strict=True)) for row in rows]
    for start in range(0, len(params), 50_000):
        conn.exec_driver_sql(compiled.string, params[start : start + 50_000])


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
