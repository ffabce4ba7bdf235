"""Reading what resolution needs and writing what it decides.

Records are resolved in their current versions; judgements and entity membership are
remembered by each record's stable identity (source and source key), so a new version of a
row keeps its place in its entity and every judgement made about it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from linkwise.normalize import usable_for_matching
from linkwise.store import tables as t
from linkwise.store.bulk import bulk_insert, bulk_insert_columns
from linkwise.store.catalog import now

RecordKey = tuple[int, str]
"""A record's stable identity across versions: (source id, source key)."""

PERSON_COLUMNS = (
    "given_name",
    "middle_name",
    "family_name",
    "name_suffix",
    "dob",
    "sex",
    "address_line",
    "city",
    "postcode",
    "phone",
    "email",
)


class Judgement(NamedTuple):
    id: int
    left: RecordKey
    right: RecordKey
    decision: str
    reviewer: str
    rationale: str
    created_at: dt.datetime


ENTITIES = "entities"
"""The ``entity_generation`` row that resolution moves on."""


def current_person_rows(
    conn: Connection, *, ids: Sequence[int] | None = None, unresolved: bool = False
) -> list[dict[str, Any]]:
    """Current records as mappings ``prepare`` reads, with their identifiers: all of them,
    those named by ``ids``, or (``unresolved``) those in no entity yet."""
    r, m = t.records, t.entity_members
    cols = [r.c.id, r.c.source_id, r.c.source_key, *[r.c[c] for c in PERSON_COLUMNS]]
    query = select(*cols).where(r.c.is_current)
    if unresolved:
        query = query.outerjoin(m, m.c.record_id == r.c.id).where(m.c.record_id.is_(None))
    rows: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids) if ids is not None else [None]:
        q = query if chunk is None else query.where(r.c.id.in_(chunk))
        for row in conn.execute(q).mappings():
            rec = dict(row)
            rec["record_id"] = rec.pop("id")
            rec["source"] = str(rec["source_id"])
            rec["identifiers"] = {}
            rec["valid_identifiers"] = {}
            rows[rec["record_id"]] = rec
    if not rows:
        return []
    i = t.record_identifiers
    ident = (
        select(i.c.record_id, i.c.type, i.c.value, i.c.valid)
        .join(r, r.c.id == i.c.record_id)
        .where(r.c.is_current, i.c.value.is_not(None))
        .order_by(i.c.valid.desc(), i.c.id)
    )
    wanted = list(rows) if (ids is not None or unresolved) else None
    for chunk in _chunks(wanted) if wanted is not None else [None]:
        q = ident if chunk is None else ident.where(i.c.record_id.in_(chunk))
        for rid, kind, value, valid in conn.execute(q):
            if usable_for_matching(kind, value):
                rows[rid]["identifiers"].setdefault(kind, value)
            if valid:
                rows[rid]["valid_identifiers"].setdefault(kind, value)
    return list(rows.values())


def valid_identifiers(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Per record among ``ids``, its valid identifiers (type -> value), as
    ``current_person_rows`` gives them under ``valid_identifiers``, without the rest of the
    record (re-clustering reads nothing else of the records it already prepared)."""
    i = t.record_identifiers
    query = (
        select(i.c.record_id, i.c.type, i.c.value)
        .where(i.c.valid, i.c.value.is_not(None))
        .order_by(i.c.id)
    )
    out: dict[int, dict[str, str]] = {rid: {} for rid in ids}
    with _id_table(conn, ids) as wanted:
        query = query.where(i.c.record_id.in_(select(wanted.c.id).scalar_subquery()))
        for rid, kind, value in conn.execute(query):
            out[rid].setdefault(kind, value)
    return out


def iter_current_person_rows(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every current record as ``current_person_rows`` gives it, one at a time in record-id
    order: records and their identifiers are read as two ordered streams and merged, so a
    full run never holds a million records as Python objects at once."""
    r, i = t.records, t.record_identifiers
    names = ("record_id", "source_id", "source_key", *PERSON_COLUMNS)
    cols = [r.c.id, r.c.source_id, r.c.source_key, *[r.c[c] for c in PERSON_COLUMNS]]
    records = conn.execution_options(stream_results=True, yield_per=5000).execute(
        select(*cols).where(r.c.is_current).order_by(r.c.id)
    )
    identifiers = iter(
        conn.execution_options(stream_results=True, yield_per=5000).execute(
            select(i.c.record_id, i.c.type, i.c.value, i.c.valid)
            .join(r, r.c.id == i.c.record_id)
            .where(r.c.is_current, i.c.value.is_not(None))
            .order_by(i.c.record_id, i.c.valid.desc(), i.c.id)
        )
    )
    pending = next(identifiers, None)
    # rows as plain tuples zipped with the names: a mapping view per row cost a third more
    for row in records:
        rec = dict(zip(names, row, strict=True))
        rid = rec["record_id"]
        rec["source"] = str(rec["source_id"])
        found: dict[str, str] = {}
        valid_found: dict[str, str] = {}
        while pending is not None and pending[0] <= rid:
            if pending[0] == rid:
                _, kind, value, valid = pending
                if usable_for_matching(kind, value):
                    found.setdefault(kind, value)
                if valid:
                    valid_found.setdefault(kind, value)
            pending = next(identifiers, None)
        rec["identifiers"] = found
        rec["valid_identifiers"] = valid_found
        yield rec


def _chunks(ids: Sequence[Any], size: int = 5000) -> list[list[Any]]:
    items = list(ids)
    return [items[i : i + size] for i in range(0, len(items), size)]


def non_current_ids(conn: Connection) -> list[int]:
    """Ids of record versions a later version replaced. A version never becomes current
    again, so these are the rows a kept copy of earlier model input must leave out; they
    number the changed rows, not the records."""
    r = t.records
    return [row.id for row in conn.execute(select(r.c.id).where(r.c.is_current.is_(False)))]


def duplicate_free_sources(conn: Connection) -> set[str]:
    """Ids (as text, as records carry them) of sources whose manifest declares them free of
    duplicates."""
    return {
        str(row.id)
        for row in conn.execute(select(t.sources.c.id, t.sources.c.manifest))
        if (row.manifest or {}).get("duplicate_free")
    }


def record_keys(conn: Connection, ids: Sequence[int] | None = None) -> dict[int, RecordKey]:
    """Stable identity of every current record, or of the current ones among ``ids``."""
    r = t.records
    query = select(r.c.id, r.c.source_id, r.c.source_key).where(r.c.is_current)
    if ids is None:
        return {row.id: (row.source_id, row.source_key) for row in conn.execute(query)}
    with _id_table(conn, ids) as wanted:
        query = query.where(r.c.id.in_(select(wanted.c.id).scalar_subquery()))
        return {row.id: (row.source_id, row.source_key) for row in conn.execute(query)}


def current_ids_by_name(conn: Connection) -> dict[tuple[str, str], int]:
    """Every current record's id by (source name, source key), as truth and labels files
    name records."""
    r, s = t.records, t.sources
    query = select(r.c.id, s.c.name, r.c.source_key).join(s, s.c.id == r.c.source_id)
    return {
        (row.name, row.source_key): int(row.id) for row in conn.execute(query.where(r.c.is_current))
    }


def quarantined_keys(conn: Connection) -> set[tuple[str, str]]:
    """(source name, source key) of every row ingestion quarantined that had a key."""
    q, s = t.quarantine, t.sources
    query = select(s.c.name, q.c.source_key).join(s, s.c.id == q.c.source_id)
    return {
        (row.name, row.source_key) for row in conn.execute(query.where(q.c.source_key.is_not(None)))
    }


def current_record_id(conn: Connection, key: RecordKey) -> int | None:
    r = t.records
    row = conn.execute(
        select(r.c.id).where(r.c.source_id == key[0], r.c.source_key == key[1], r.c.is_current)
    ).first()
    return int(row.id) if row else None


def current_record_ids(conn: Connection, keys: Iterable[RecordKey]) -> dict[RecordKey, int]:
    """The current record of each of ``keys`` that has one."""
    r = t.records
    wanted = set(keys)
    found: dict[RecordKey, int] = {}
    for chunk in _chunks(sorted({key for _, key in wanted}), 500):
        query = select(r.c.id, r.c.source_id, r.c.source_key).where(
            r.c.is_current, r.c.source_key.in_(chunk)
        )
        for row in conn.execute(query):
            if (row.source_id, row.source_key) in wanted:
                found[(row.source_id, row.source_key)] = int(row.id)
    return found


def add_judgement(
    conn: Connection,
    left: RecordKey,
    right: RecordKey,
    decision: str,
    reviewer: str,
    rationale: str,
) -> int:
    """Append a judgement; pairs are stored in a canonical order (smaller key first)."""
    a, b = sorted((left, right))
    result = conn.execute(
        insert(t.judgements).values(
            left_source_id=a[0],
            left_key=a[1],
            right_source_id=b[0],
            right_key=b[1],
            decision=decision,
            reviewer=reviewer,
            rationale=rationale,
            created_at=now(),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def judgements(conn: Connection) -> list[Judgement]:
    j = t.judgements
    return [
        Judgement(
            row.id,
            (row.left_source_id, row.left_key),
            (row.right_source_id, row.right_key),
            row.decision,
            row.reviewer,
            row.rationale,
            row.created_at,
        )
        for row in conn.execute(select(j).order_by(j.c.id))
    ]


def latest_decisions(conn: Connection) -> dict[tuple[RecordKey, RecordKey], str]:
    """The latest judgement per pair (append-only log, last word wins)."""
    return decisions_of(judgements(conn))


def decisions_of(history: Iterable[Judgement]) -> dict[tuple[RecordKey, RecordKey], str]:
    """The latest decision per pair of ``history`` (``judgements``, in order)."""
    return {(jd.left, jd.right): jd.decision for jd in history}


def previous_entities(conn: Connection) -> dict[str, frozenset[RecordKey]]:
    """Current membership of active entities, by stable record identity."""
    m, r = t.entity_members, t.records
    found: dict[str, set[RecordKey]] = defaultdict(set)
    query = select(m.c.entity_id, r.c.source_id, r.c.source_key).join(r, r.c.id == m.c.record_id)
    for eid, sid, key in conn.execute(query):
        found[eid].add((sid, key))
    return {k: frozenset(v) for k, v in found.items()}


def start_run(conn: Connection, mode: str, threshold: float, floor: float) -> int:
    result = conn.execute(
        insert(t.resolution_runs).values(
            mode=mode,
            status="running",
            started_at=now(),
            threshold=threshold,
            floor=floor,
            records=0,
            links=0,
            entities=0,
            stats={},
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def fail_run(conn: Connection, run_id: int, error: str) -> None:
    """Mark a run that is still running as failed (a completed run stays completed: its
    results are stored, whatever error its caller met after the commit)."""
    rr = t.resolution_runs
    conn.execute(
        update(rr)
        .where(rr.c.id == run_id, rr.c.status == "running")
        .values(status="failed", finished_at=now(), error=error)
    )


def save_model(
    conn: Connection, version: str, run_id: int, engine: str, settings: Mapping[str, Any]
) -> None:
    exists = conn.execute(select(t.models.c.version).where(t.models.c.version == version)).first()
    if not exists:
        prior = settings.get("probability_two_random_records_match")
        conn.execute(
            insert(t.models).values(
                version=version,
                created_at=now(),
                run_id=run_id,
                engine=engine,
                settings=settings,
                prior=float(prior) if isinstance(prior, int | float) else None,
            )
        )


def latest_model(conn: Connection) -> tuple[str, dict[str, Any]] | None:
    row = conn.execute(select(t.models).order_by(t.models.c.created_at.desc()).limit(1)).first()
    return (row.version, dict(row.settings)) if row else None


class EntityRow(NamedTuple):
    id: str
    members: Sequence[int]
    confidence: float
    via: Mapping[int, int | None]
    """Per member record, the index in the run's link list of the link that joined it."""


class LinkBatch(NamedTuple):
    """Links of one model as columns, the i-th value of each column being the i-th link's:
    a million links stored this way run no Python code per link (``bulk_insert_columns``)."""

    record_l: Sequence[int]
    record_r: Sequence[int]
    match_probability: Sequence[float]
    match_weight: Sequence[float]
    match_key: Sequence[str | None]
    contributions: Sequence[Any]
    """JSON of {comparison: [level, weight, tf adjustment]}: dicts, or ``JsonText``."""
    model_version: str


def replace_results(
    conn: Connection,
    run_id: int,
    *,
    links: Iterable[LinkBatch],
    entity_rows: Sequence[EntityRow],
    redirects: Iterable[tuple[str, str | None, str, int]],
    review: Sequence[dict[str, Any]],
    generic: Sequence[dict[str, Any]],
    stats: Mapping[str, Any],
    model_version: str,
) -> None:
    """Write a full run's results in one transaction (the caller's): links and membership
    are replaced, entities not in the new result are retired (their redirects say where
    their records went), history (runs, redirects, judgements) is kept."""
    with _indexed_after(conn, t.links, t.entity_members):
        conn.execute(delete(t.entity_members))
        conn.execute(delete(t.links))
        n_links = _insert_links(conn, run_id, links)
        link_ids = [
            row.id
            for row in conn.execute(
                select(t.links.c.id).where(t.links.c.run_id == run_id).order_by(t.links.c.id)
            )
        ]
        existing = {row.id for row in conn.execute(select(t.entities.c.id))}
        live = {e.id for e in entity_rows}
        _write_entities(
            conn,
            run_id,
            entity_rows=entity_rows,
            existing=existing,
            retired=sorted(existing - live),
            link_ids=link_ids,
            redirects=redirects,
            review=review,
        )
    bulk_insert(conn, t.generic_values, [{**row, "run_id": run_id} for row in generic])
    conn.execute(
        update(t.resolution_runs)
        .where(t.resolution_runs.c.id == run_id)
        .values(
            status="completed",
            finished_at=now(),
            model_version=model_version,
            records=sum(len(e.members) for e in entity_rows),
            links=n_links,
            entities=len(entity_rows),
            stats=dict(stats),
        )
    )


def redirects(conn: Connection) -> dict[str, list[tuple[str | None, str]]]:
    """old id → [(new id, kind)], oldest first."""
    d = t.entity_redirects
    out: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    for row in conn.execute(select(d.c.old_id, d.c.new_id, d.c.kind).order_by(d.c.id)):
        out[row.old_id].append((row.new_id, row.kind))
    return dict(out)


def entity_of_record(conn: Connection, record_id: int) -> str | None:
    m = t.entity_members
    row = conn.execute(select(m.c.entity_id).where(m.c.record_id == record_id)).first()
    return str(row.entity_id) if row else None


def active_entity_ids(conn: Connection) -> set[str]:
    e = t.entities
    return {row.id for row in conn.execute(select(e.c.id).where(e.c.status == "active"))}


def entity_of_records(conn: Connection, ids: Sequence[int] | None = None) -> dict[int, str]:
    """Entity of every member record, or of the members among ``ids``."""
    m = t.entity_members
    query = select(m.c.record_id, m.c.entity_id)
    if ids is None:
        return {row.record_id: row.entity_id for row in conn.execute(query)}
    with _id_table(conn, ids) as wanted:
        query = query.where(m.c.record_id.in_(select(wanted.c.id).scalar_subquery()))
        return {row.record_id: row.entity_id for row in conn.execute(query)}


def entity_exists(conn: Connection, entity_id: str) -> str | None:
    row = conn.execute(select(t.entities.c.status).where(t.entities.c.id == entity_id)).first()
    return row.status if row else None


def entity_records(conn: Connection, entity_id: str) -> list[dict[str, Any]]:
    m, r, s = t.entity_members, t.records, t.sources
    query = (
        select(
            r.c.id,
            s.c.name.label("source"),
            r.c.source_key,
            *[r.c[c] for c in PERSON_COLUMNS],
            m.c.via_link,
        )
        .join(m, m.c.record_id == r.c.id)
        .join(s, s.c.id == r.c.source_id)
        .where(m.c.entity_id == entity_id)
        .order_by(s.c.name, r.c.source_key)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


class LinkScores(NamedTuple):
    """Stored links as the clustering reads them: one array per column."""

    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    level: npt.NDArray[np.int64] | None
    """Level of the ``level_of`` comparison (0 where a link has none), when asked for."""


def links_among(
    conn: Connection, record_ids: Sequence[int], level_of: str | None = None
) -> LinkScores:
    """Stored links with both records among ``record_ids``, in the order they were stored:
    ids and match weight, and the level of one comparison (``level_of``) read out of the
    contributions by the database.

    Re-clustering needs nothing else. Reading whole links and parsing their contributions
    in Python cost more than the rest of an incremental run, and so did reading every link
    of the records to keep those whose other end is among them too: the ids go into a
    temporary table, so the database matches both ends through the link indexes."""
    lk = t.links
    cols: list[Any] = [lk.c.record_l, lk.c.record_r, lk.c.match_weight]
    if level_of is not None:
        cols.append(func.coalesce(lk.c.contributions[(level_of, 0)].as_integer(), 0))
    with _id_table(conn, record_ids) as ids:
        inside = select(ids.c.id).scalar_subquery()
        query = (
            select(*cols)
            .where(lk.c.record_l.in_(inside), lk.c.record_r.in_(inside))
            .order_by(lk.c.id)
        )
        rows = [tuple(row) for row in conn.execute(query)]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
    return LinkScores(
        np.asarray(columns[0], dtype=np.int64),
        np.asarray(columns[1], dtype=np.int64),
        np.asarray(columns[2], dtype=np.float64),
        np.asarray(columns[3], dtype=np.int64) if level_of is not None else None,
    )


@contextmanager
def _indexed_after(conn: Connection, *tables: Table) -> Iterator[None]:
    """On SQLite, the secondary indexes of ``tables`` are dropped for the block and built
    again after it, in the caller's transaction: a full run deletes and writes millions of
    links, and keeping the links' three indexes current row by row took about three times
    as long as writing the rows and building the indexes once (in an ad hoc timing of 3.2
    million links, 18.2 s against 6.1 s). Readers do not notice: in SQLite's write-ahead
    log they read the last committed state, indexes included, until the run commits.

    The caller's transaction must be the outermost one and must end in a rollback if the
    block fails: the rollback is what restores the indexes (a savepoint that a caller
    caught and released would leave them dropped), so a nested transaction is refused. On
    PostgreSQL dropping an index would lock every reader of the table out until the run
    commits, so there the indexes stay."""
    if conn.dialect.name != "sqlite":
        yield
        return
    if conn.in_nested_transaction():
        raise RuntimeError("indexes are dropped only in an outermost transaction")
    if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        # pysqlite opens its transaction only before a write: a DROP INDEX issued first
        # would run on its own and commit at once, outside the run's transaction
        conn.exec_driver_sql("BEGIN")
    indexes = sorted((ix for table in tables for ix in table.indexes), key=lambda ix: ix.name or "")
    for ix in indexes:
        ix.drop(conn)
    yield
    for ix in indexes:
        ix.create(conn)


@contextmanager
def _id_table(conn: Connection, ids: Iterable[int]) -> Iterator[Table]:
    """A temporary table of ``ids`` for the length of a query or two on ``conn``."""
    table = Table(
        f"lw_ids_{uuid.uuid4().hex[:12]}",
        MetaData(),
        Column("id", t.Id, primary_key=True, autoincrement=False),
        prefixes=["TEMPORARY"],
    )
    table.create(conn)
    try:
        rows = [{"id": int(i)} for i in sorted(set(ids))]
        if rows:
            conn.execute(insert(table), rows)
        yield table
    finally:
        table.drop(conn)


def members_of(conn: Connection, entity_ids: Sequence[str]) -> dict[str, list[int]]:
    m = t.entity_members
    out: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(list(entity_ids)):
        query = select(m.c.entity_id, m.c.record_id).where(m.c.entity_id.in_(chunk))
        for eid, rid in conn.execute(query):
            out[eid].append(rid)
    return dict(out)


def drop_stale_members(conn: Connection) -> int:
    """Forget membership of record versions that are no longer current (their new
    versions are resolved as new records). Returns how many were dropped."""
    m, r = t.entity_members, t.records
    stale = select(r.c.id).where(r.c.is_current.is_(False))
    result = conn.execute(delete(m).where(m.c.record_id.in_(stale)))
    return int(result.rowcount or 0)


def update_results(
    conn: Connection,
    run_id: int,
    *,
    records: Sequence[int],
    links: Iterable[LinkBatch],
    entity_rows: Sequence[EntityRow],
    previous_ids: Sequence[str],
    redirects: Iterable[tuple[str, str | None, str, int]],
    review: Sequence[dict[str, Any]],
    stats: Mapping[str, Any],
    model_version: str,
) -> None:
    """Write an incremental run: the membership of ``records`` (the new records and the
    entities they touched) is replaced, new links are added, entities among
    ``previous_ids`` that no longer name a cluster are retired."""
    m = t.entity_members
    for chunk in _chunks(records):
        conn.execute(delete(m).where(m.c.record_id.in_(chunk)))
    _drop_reflagged(conn, run_id, set(records))
    n_links = _insert_links(conn, run_id, links)
    link_ids = [
        row.id
        for row in conn.execute(
            select(t.links.c.id).where(t.links.c.run_id == run_id).order_by(t.links.c.id)
        )
    ]
    existing = {
        row.id
        for chunk in _chunks([e.id for e in entity_rows])
        for row in conn.execute(select(t.entities.c.id).where(t.entities.c.id.in_(chunk)))
    }
    _write_entities(
        conn,
        run_id,
        entity_rows=entity_rows,
        existing=existing,
        retired=sorted(set(previous_ids) - {e.id for e in entity_rows}),
        link_ids=link_ids,
        redirects=redirects,
        review=review,
    )
    totals = conn.execute(
        select(func.count(), func.count(func.distinct(m.c.entity_id))).select_from(m)
    ).one()
    conn.execute(
        update(t.resolution_runs)
        .where(t.resolution_runs.c.id == run_id)
        .values(
            status="completed",
            finished_at=now(),
            model_version=model_version,
            records=int(totals[0]),
            links=n_links,
            entities=int(totals[1]),
            stats=dict(stats),
        )
    )


def _drop_reflagged(conn: Connection, run_id: int, records: set[int]) -> None:
    """Remove the flags of earlier runs (since the last full one) all of whose records an
    incremental run clusters again: it raises again whichever still holds, so the queue
    lists none twice, nor one that no longer holds. Uncertain links are kept: the run
    scores only new pairs."""
    rv = t.review_items
    query = select(rv.c.id, rv.c.record_ids).where(
        rv.c.run_id >= _last_full_run(), rv.c.run_id < run_id, rv.c.kind != "uncertain_pair"
    )
    stale = [row.id for row in conn.execute(query) if records.issuperset(row.record_ids)]
    for chunk in _chunks(stale):
        conn.execute(delete(rv).where(rv.c.id.in_(chunk)))


def _write_entities(
    conn: Connection,
    run_id: int,
    *,
    entity_rows: Sequence[EntityRow],
    existing: set[str],
    retired: Sequence[str],
    link_ids: Sequence[int],
    redirects: Iterable[tuple[str, str | None, str, int]],
    review: Sequence[dict[str, Any]],
) -> None:
    """Entities (new ones inserted, ``existing`` ones updated, ``retired`` ones retired),
    their members with the link that attached each, redirects and review items; and the
    entity generation moved on (``entity_generation``), in the same transaction."""
    stamp = now()
    _next_generation(conn, run_id)
    bulk_insert(
        conn,
        t.entities,
        [
            {
                "id": e.id,
                "status": "active",
                "created_run": run_id,
                "updated_run": run_id,
                "size": len(e.members),
                "confidence": e.confidence,
            }
            for e in entity_rows
            if e.id not in existing
        ],
    )
    changed = [
        {"eid": e.id, "n": len(e.members), "p": e.confidence}
        for e in entity_rows
        if e.id in existing
    ]
    if changed:
        # one statement for all (executemany): one each cost a second per 5,000 entities
        conn.execute(
            update(t.entities)
            .where(t.entities.c.id == bindparam("eid"))
            .values(
                status="active",
                updated_run=run_id,
                size=bindparam("n"),
                confidence=bindparam("p"),
            ),
            changed,
        )
    for chunk in _chunks(retired):
        conn.execute(
            update(t.entities)
            .where(t.entities.c.id.in_(chunk), t.entities.c.status == "active")
            .values(status="retired", updated_run=run_id)
        )
    bulk_insert(
        conn,
        t.entity_members,
        [
            {
                "record_id": rid,
                "entity_id": e.id,
                "run_id": run_id,
                "via_link": link_ids[via] if (via := e.via.get(rid)) is not None else None,
            }
            for e in entity_rows
            for rid in e.members
        ],
    )
    bulk_insert(
        conn,
        t.entity_redirects,
        [
            {
                "run_id": run_id,
                "old_id": old,
                "new_id": new,
                "kind": kind,
                "records": moved,
                "created_at": stamp,
            }
            for old, new, kind, moved in redirects
        ],
    )
    bulk_insert(conn, t.review_items, [{**row, "run_id": run_id} for row in review])


def _next_generation(conn: Connection, run_id: int) -> None:
    """Add one to the entity generation. Its row is there from migration 0012 on; one lost
    is made again above any value the count can have had (it counts completed runs, so it
    never exceeded the id of the newest run), so no reader mistakes it for an old one."""
    g = t.entity_generation
    moved = conn.execute(
        update(g).where(g.c.name == ENTITIES).values(generation=g.c.generation + 1)
    )
    if moved.rowcount == 0:
        conn.execute(insert(g).values(name=ENTITIES, generation=run_id + 1))


def _last_full_run() -> Any:
    rr = t.resolution_runs
    return (
        select(func.max(rr.c.id))
        .where(rr.c.status == "completed", rr.c.mode == "full")
        .scalar_subquery()
    )


def _insert_links(conn: Connection, run_id: int, batches: Iterable[LinkBatch]) -> int:
    """Insert links a batch at a time (a run can score millions of pairs); return how many."""
    total = 0
    for batch in batches:
        columns = batch._asdict()
        version = columns.pop("model_version")
        total += bulk_insert_columns(
            conn, t.links, columns, {"run_id": run_id, "model_version": version}
        )
    return total


def last_full_run_stats(conn: Connection) -> dict[str, Any] | None:
    """The statistics (rules, comparisons, timings, ...) of the last completed full run."""
    rr = t.resolution_runs
    row = conn.execute(select(rr.c.stats).where(rr.c.id == _last_full_run())).first()
    return None if row is None else dict(row[0] or {})


def last_full_run_threshold(conn: Connection) -> float | None:
    """The threshold the last completed full run clustered at (None before any)."""
    rr = t.resolution_runs
    row = conn.execute(select(rr.c.threshold).where(rr.c.id == _last_full_run())).first()
    return None if row is None else float(row[0])


def completed_runs(conn: Connection, run_ids: Sequence[int]) -> set[int]:
    """Those of ``run_ids`` that completed (failed and unfinished runs are left out)."""
    rr = t.resolution_runs
    return {
        row.id
        for chunk in _chunks(run_ids)
        for row in conn.execute(
            select(rr.c.id).where(rr.c.id.in_(chunk), rr.c.status == "completed")
        )
    }


def has_full_run(conn: Connection) -> bool:
    return conn.execute(select(_last_full_run())).scalar() is not None


def review_queue(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """Review items of the last full run and of the incremental runs after it."""
    rv = t.review_items
    query = (
        select(rv).where(rv.c.run_id >= _last_full_run()).order_by(rv.c.priority.desc(), rv.c.id)
    )
    return [dict(row) for row in conn.execute(query.limit(limit)).mappings()]


def generic_list(conn: Connection) -> list[dict[str, Any]]:
    g = t.generic_values
    query = select(g.c.field, g.c.value, g.c.records, g.c.people).where(
        g.c.run_id == _last_full_run()
    )
    return [
        dict(row) for row in conn.execute(query.order_by(g.c.field, g.c.people.desc())).mappings()
    ]


def last_completed_start(conn: Connection) -> dt.datetime | None:
    """When the most recent completed run started (as stored: compare it with other stored
    times, such as a judgement's ``created_at``)."""
    rr = t.resolution_runs
    found = conn.execute(
        select(rr.c.started_at).where(rr.c.status == "completed").order_by(rr.c.id.desc())
    ).first()
    return None if found is None else found.started_at


def last_run(conn: Connection) -> dict[str, Any] | None:
    rr = t.resolution_runs
    row = conn.execute(select(rr).order_by(rr.c.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None
