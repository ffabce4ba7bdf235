"""The queries behind the governed session (``linkwise.govern.session``): which record a key
names and which entity holds it, an entity's members and the links and judgements between
them, the sources' markings, and where a retired entity id went. Nothing here decides what
may be shown; every row read here passes the session's policy before anyone sees it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    tuple_,
    union_all,
)

from linkwise.model.fields import RECORD_COLUMNS
from linkwise.store import tables as t
from linkwise.store.resolution import ENTITIES, RecordKey

DEFAULT_THRESHOLD = 0.8
"""The clustering threshold assumed before any resolution run has completed."""
_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class SourceFacts:
    id: int
    name: str
    markings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordRow:
    """Where a record sits: its source, key, whether it is the current version, and the
    entity holding it (None when it is in none); with its source's markings as stored now
    (read with the row, so a read needs no separate look at the sources; None for a row
    made by hand, whose markings nobody read)."""

    id: int
    source_id: int
    source: str
    source_key: str
    is_current: bool
    entity_id: str | None
    markings: tuple[str, ...] | None = None


def sources(conn: Connection) -> dict[str, SourceFacts]:
    return {
        row.name: SourceFacts(int(row.id), row.name, tuple(row.markings or ()))
        for row in conn.execute(_SOURCES)
    }


def _record_query() -> Any:
    r, s, m = t.records, t.sources, t.entity_members
    return (
        select(
            r.c.id,
            r.c.source_id,
            s.c.name.label("source"),
            r.c.source_key,
            r.c.is_current,
            m.c.entity_id,
            s.c.markings,
        )
        .join(s, s.c.id == r.c.source_id)
        .outerjoin(m, m.c.record_id == r.c.id)
    )


def _record_row(row: Any) -> RecordRow:
    return RecordRow(
        int(row.id),
        int(row.source_id),
        str(row.source),
        str(row.source_key),
        bool(row.is_current),
        None if row.entity_id is None else str(row.entity_id),
        tuple(row.markings or ()),
    )


# Hot statements are built once: a governed read runs a dozen of them, and building a
# statement each time cost more than running it (SQLAlchemy caches the compiled SQL, not the
# Python construction). Lists go in as expanding parameters.
_r, _s, _m, _e, _lk = t.records, t.sources, t.entity_members, t.entities, t.links
_ids: BindParameter[Any] = bindparam("ids", expanding=True)
_SOURCES = select(_s.c.id, _s.c.name, _s.c.markings)
_RECORD_ROWS = _record_query().where(_r.c.id.in_(_ids))
_CURRENT_RECORD = _record_query().where(
    _s.c.name == bindparam("source"), _r.c.source_key == bindparam("key"), _r.c.is_current
)
_PERSON_VALUES = select(_r.c.id, _r.c.facts, *[_r.c[c] for c in RECORD_COLUMNS]).where(
    _r.c.id.in_(_ids)
)
_IDENTIFIERS = (
    select(
        t.record_identifiers.c.record_id,
        t.record_identifiers.c.type,
        t.record_identifiers.c.value,
        t.record_identifiers.c.raw,
        t.record_identifiers.c.valid,
        t.record_identifiers.c.issue,
    )
    .where(t.record_identifiers.c.record_id.in_(_ids))
    .order_by(t.record_identifiers.c.record_id, t.record_identifiers.c.id)
)
_ENTITY_STATUS = select(_e.c.status).where(_e.c.id == bindparam("id"))
_MEMBER_ROWS = (
    _record_query()
    .add_columns(_m.c.via_link)
    .where(_m.c.entity_id == bindparam("id"))
    .order_by(_s.c.name, _r.c.source_key)
)
_LINKS_AMONG = select(_lk).where(
    _lk.c.record_l.in_(_ids), _lk.c.record_r.in_(bindparam("inside", expanding=True))
)
_rr, _gen = t.resolution_runs, t.entity_generation
# Values as SQL text and no LIMIT (whose count would be a parameter): the standing statement
# (``linkwise.store.standing``), run on the driver's cursor and handed ids only, holds both.
_LATEST_RUN = select(func.max(_rr.c.id)).where(_rr.c.status == literal_column("'completed'"))
THRESHOLD = select(_rr.c.threshold).where(_rr.c.id == _LATEST_RUN.scalar_subquery())
"""The clustering threshold of the latest completed resolution run (no row before one)."""
GENERATION = select(_gen.c.generation).where(_gen.c.name == literal_column(f"'{ENTITIES}'"))
"""The entity generation (``tables.entity_generation``; no row if it was lost)."""
_JUDGED = (
    select(
        t.judgements.c.left_source_id,
        t.judgements.c.left_key,
        t.judgements.c.right_source_id,
        t.judgements.c.right_key,
        t.judgements.c.decision,
    )
    .where(
        tuple_(t.judgements.c.left_source_id, t.judgements.c.left_key).in_(
            bindparam("keys", expanding=True)
        )
    )
    .order_by(t.judgements.c.id)
)
_PRIOR = select(t.models.c.prior).order_by(t.models.c.created_at.desc()).limit(1)
_PRIOR_OF = select(t.models.c.prior).where(t.models.c.version == bindparam("version"))

# Folded statements for the governed entity view (``linkwise.govern.evidence``): each saves
# the read a round trip it would otherwise make on every entity.
_j = t.judgements
_members_of = (
    _record_query()
    .add_columns(
        _e.c.status.label("entity_status"),
        _m.c.via_link,
        select(literal(1))
        .where(_j.c.left_source_id == _r.c.source_id, _j.c.left_key == _r.c.source_key)
        .exists()
        .label("judged"),
    )
    .join(_e, _e.c.id == _m.c.entity_id)
    .order_by(_s.c.name, _r.c.source_key)
)
_EVIDENCE_MEMBERS = _members_of.where(_m.c.entity_id == bindparam("id"))
_EVIDENCE_MEMBERS_OF = _members_of.where(_m.c.entity_id.in_(_ids))
_WALK = union_all(
    select(
        t.entity_redirects.c.old_id.label("id"),
        t.entity_redirects.c.new_id.label("to"),
        t.entity_redirects.c.run_id.label("run"),
    ).where(t.entity_redirects.c.old_id.in_(_ids), t.entity_redirects.c.new_id.is_not(None)),
    select(_e.c.id, cast(null(), String).label("to"), cast(null(), Integer).label("run")).where(
        _e.c.id.in_(_ids), _e.c.status == "active"
    ),
)


def record_rows(conn: Connection, ids: Iterable[int]) -> dict[int, RecordRow]:
    found: dict[int, RecordRow] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in conn.execute(_RECORD_ROWS, {"ids": chunk}):
            found[int(row.id)] = _record_row(row)
    return found


def current_record(conn: Connection, source: str, source_key: str) -> RecordRow | None:
    row = conn.execute(_CURRENT_RECORD, {"source": source, "key": source_key}).first()
    return None if row is None else _record_row(row)


def person_values(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Every canonical column of each record, its facts, and its identifiers as a list of
    ``{type, value, raw, valid, issue}``."""
    out: dict[int, dict[str, Any]] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in conn.execute(_PERSON_VALUES, {"ids": chunk}).mappings():
            item = dict(row)
            out[int(item.pop("id"))] = {**item, "identifiers": []}
        for row in conn.execute(_IDENTIFIERS, {"ids": chunk}).mappings():
            item = dict(row)
            out[int(item.pop("record_id"))]["identifiers"].append(item)
    return out


def entity_status(conn: Connection, entity_id: str) -> str | None:
    row = conn.execute(_ENTITY_STATUS, {"id": entity_id}).first()
    return None if row is None else str(row.status)


def entity_member_rows(conn: Connection, entity_id: str) -> list[tuple[RecordRow, int | None]]:
    """The entity's records, by source and key, each with the link that attached it."""
    return [
        (_record_row(row), None if row.via_link is None else int(row.via_link))
        for row in conn.execute(_MEMBER_ROWS, {"id": entity_id})
    ]


def links_among(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Stored links with both records among ``ids``."""
    found = {int(row.id): dict(row._mapping) for row in _inside(conn, _LINKS_AMONG, ids)}
    return [found[k] for k in sorted(found)]


def _inside(conn: Connection, statement: Select[Any], ids: Sequence[int]) -> Iterator[Row[Any]]:
    """The rows of a links ``statement`` with both ends among ``ids``: the database leaves
    out links that lead elsewhere, chunk by chunk on both sides, so a link between two
    chunks is found too."""
    wanted = sorted(set(ids))
    if len(wanted) < 2:  # a link joins two records: one record has none among its own
        return
    chunks = [wanted[start : start + _CHUNK] for start in range(0, len(wanted), _CHUNK)]
    for left in chunks:
        for right in chunks:
            yield from conn.execute(statement, {"ids": left, "inside": right})


def evidence_members(
    conn: Connection, entity_id: str
) -> tuple[str | None, list[tuple[RecordRow, int | None]], bool]:
    """``entity_status`` and ``entity_member_rows`` in one statement, and whether any member
    is the left side of a reviewer's judgement (else ``judged_same`` need not be asked).
    The status is None when the entity has no members (ask ``entity_status`` then: a
    retired entity has none)."""
    rows = conn.execute(_EVIDENCE_MEMBERS, {"id": entity_id}).all()
    if not rows:
        return None, [], False
    return _evidence_members(rows)


def evidence_members_of(
    conn: Connection, entity_ids: Iterable[str]
) -> dict[str, tuple[str, list[tuple[RecordRow, int | None]], bool]]:
    """``evidence_members`` for many entities in one statement per chunk (a search weighs
    a dozen entities at once); an entity without members is left out."""
    rows: dict[str, list[Any]] = defaultdict(list)
    wanted = sorted(set(entity_ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in conn.execute(_EVIDENCE_MEMBERS_OF, {"ids": chunk}):
            rows[str(row.entity_id)].append(row)
    return {entity_id: _evidence_members(found) for entity_id, found in rows.items()}


def _evidence_members(rows: Sequence[Any]) -> tuple[str, list[tuple[RecordRow, int | None]], bool]:
    members = [
        (_record_row(row), None if row.via_link is None else int(row.via_link)) for row in rows
    ]
    return str(rows[0].entity_status), members, any(row.judged for row in rows)


def redirects_and_active(
    conn: Connection, ids: Iterable[str]
) -> tuple[list[tuple[str, str, int]], set[str]]:
    """One step of following retired entity ids, in one statement per chunk: the
    redirects (merges and splits) out of ``ids`` as (old id, new id, run id), and those
    of ``ids`` that are active."""
    moves: list[tuple[str, str, int]] = []
    active: set[str] = set()
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in conn.execute(_WALK, {"ids": chunk}):
            if row.to is None:
                active.add(str(row.id))
            else:
                moves.append((str(row.id), str(row.to), int(row.run)))
    return moves, active


def links_touching(conn: Connection, record_id: int) -> list[dict[str, Any]]:
    lk = t.links
    query = select(lk).where((lk.c.record_l == record_id) | (lk.c.record_r == record_id))
    return [dict(row) for row in conn.execute(query.order_by(lk.c.id)).mappings()]


def link_between(conn: Connection, a: int, b: int) -> dict[str, Any] | None:
    return links_between(conn, [(a, b)]).get(frozenset((a, b)))


def links_between(
    conn: Connection, pairs: Iterable[tuple[int, int]]
) -> dict[frozenset[int], dict[str, Any]]:
    """The stored link between each pair of records (either way round), by the pair, in one
    statement per chunk; a pair with no link is left out."""
    wanted = sorted({(min(a, b), max(a, b)) for a, b in pairs})
    both = [*wanted, *((b, a) for a, b in wanted)]
    lk = t.links
    out: dict[frozenset[int], dict[str, Any]] = {}
    for start in range(0, len(both), _CHUNK):
        chunk = both[start : start + _CHUNK]
        query = select(lk).where(tuple_(lk.c.record_l, lk.c.record_r).in_(chunk))
        for row in conn.execute(query).mappings():
            out[frozenset((int(row["record_l"]), int(row["record_r"])))] = dict(row)
    return out


def model_settings(conn: Connection, version: str | None = None) -> dict[str, Any] | None:
    """The saved model of ``version``, or the newest one."""
    models = t.models
    query = select(models.c.settings)
    if version is not None:
        query = query.where(models.c.version == version)
    else:
        query = query.order_by(models.c.created_at.desc()).limit(1)
    row = conn.execute(query).first()
    return None if row is None else dict(row.settings)


def model_prior(conn: Connection, version: str | None = None) -> float | None:
    """The saved model's prior, the chance that two records picked at random are one
    person (``probability_two_random_records_match``), of ``version`` or the newest model,
    read from its own column (``save_model``), not out of the settings."""
    if version is None:
        row = conn.execute(_PRIOR).first()
    else:
        row = conn.execute(_PRIOR_OF, {"version": version}).first()
    return None if row is None or row.prior is None else float(row.prior)


def entity_generation(conn: Connection) -> int | None:
    """The entity generation now (``tables.entity_generation``); None when its row is
    missing."""
    found = conn.execute(GENERATION).scalar()
    return None if found is None else int(found)


def clustering_threshold(conn: Connection) -> float:
    """The match probability at which the latest completed run let records join."""
    row = conn.execute(THRESHOLD).first()
    return DEFAULT_THRESHOLD if row is None else float(row.threshold)


def judged_same(conn: Connection, members: Sequence[RecordRow]) -> list[tuple[int, int]]:
    """Pairs of ``members`` (record ids) whose latest judgement is "same": one indexed lookup
    per chunk of members, not a read of every judgement."""
    by_key = {(m.source_id, m.source_key): m.id for m in members}
    keys = sorted(by_key)
    latest: dict[tuple[RecordKey, RecordKey], str] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        for row in conn.execute(_JUDGED, {"keys": chunk}):
            pair = ((row.left_source_id, row.left_key), (row.right_source_id, row.right_key))
            latest[pair] = row.decision
    return [
        (by_key[a], by_key[b])
        for (a, b), decision in latest.items()
        if decision == "same" and b in by_key
    ]


def review_items(conn: Connection, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Review items of the last full run and the incremental runs after it, most
    consequential first."""
    rv, rr = t.review_items, t.resolution_runs
    last_full = (
        select(func.max(rr.c.id))
        .where(rr.c.status == "completed", rr.c.mode == "full")
        .scalar_subquery()
    )
    query = (
        select(rv)
        .where(rv.c.run_id >= last_full)
        .order_by(rv.c.priority.desc(), rv.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def version_ids(conn: Connection, rows: Iterable[RecordRow]) -> dict[int, list[int]]:
    """For each record, the ids of every version of it (same source and key), oldest first:
    an earlier version disclosed before a correction is still a use of that record."""
    r = t.records
    by_key = {(row.source_id, row.source_key): row.id for row in rows}
    out: dict[int, list[int]] = {rid: [] for rid in by_key.values()}
    keys = sorted(by_key)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = (
            select(r.c.id, r.c.source_id, r.c.source_key)
            .where(tuple_(r.c.source_id, r.c.source_key).in_(chunk))
            .order_by(r.c.version)
        )
        for row in conn.execute(query):
            out[by_key[(row.source_id, row.source_key)]].append(int(row.id))
    return out


def broadest_entity(conn: Connection, *, required_source: str) -> str | None:
    """The active entity with records from the most distinct sources, one of them
    ``required_source`` (ties: the smallest id); None when no entity has such a record."""
    m, r, s, e = t.entity_members, t.records, t.sources, t.entities
    spread = func.count(func.distinct(r.c.source_id))
    has_required = (
        select(m.c.entity_id)
        .join(r, r.c.id == m.c.record_id)
        .join(s, s.c.id == r.c.source_id)
        .where(s.c.name == required_source)
    )
    query = (
        select(m.c.entity_id)
        .join(r, r.c.id == m.c.record_id)
        .join(e, e.c.id == m.c.entity_id)
        .where(e.c.status == "active", m.c.entity_id.in_(has_required))
        .group_by(m.c.entity_id)
        .order_by(spread.desc(), m.c.entity_id)
        .limit(1)
    )
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


def record_provenance(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Where each record came from: its version, ingestion run and time, and locator in the
    source (the provenance an entity page lists beside its values)."""
    r = t.records
    out: dict[int, dict[str, Any]] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(r.c.id, r.c.version, r.c.run_id, r.c.ingested_at, r.c.locator).where(
            r.c.id.in_(chunk)
        )
        for row in conn.execute(query).mappings():
            item = dict(row)
            out[int(item.pop("id"))] = item
    return out


def flags_on(conn: Connection, record_id: int) -> list[tuple[str, list[int], str | None]]:
    """The clustering's flags (refused merges: conflict, household, ambiguous and the like;
    not uncertain pairs) since the last full run that name ``record_id``: each flag's kind,
    its records and its sentence, in the order they were stored."""
    rv, rr = t.review_items, t.resolution_runs
    last_full = (
        select(func.max(rr.c.id))
        .where(rr.c.status == "completed", rr.c.mode == "full")
        .scalar_subquery()
    )
    query = (
        select(rv.c.kind, rv.c.record_ids, rv.c.reason)
        .where(rv.c.run_id >= last_full, rv.c.kind != "uncertain_pair")
        .order_by(rv.c.id)
    )
    found: list[tuple[str, list[int], str | None]] = []
    for row in conn.execute(query):
        ids = [int(r) for r in row.record_ids]
        if record_id in ids:
            found.append((str(row.kind), ids, None if row.reason is None else str(row.reason)))
    return found
