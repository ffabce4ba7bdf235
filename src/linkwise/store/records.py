"""Versioned records: look up what is stored, and write a batch as one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from linkwise.model.fields import RECORD_COLUMNS
from linkwise.model.records import QuarantineEntry, Rejection, StorableRecord
from linkwise.store.bulk import bulk_insert
from linkwise.store.catalog import now
from linkwise.store.tables import ingestion_runs, quarantine, record_identifiers, records, sources


@dataclass(frozen=True, slots=True)
class Current:
    id: int
    version: int
    content_hash: str


@dataclass(frozen=True, slots=True)
class BatchResult:
    inserted: int
    new_versions: int
    unchanged: int


_CHUNK = 5000


def current_versions(conn: Connection, source_id: int, keys: Sequence[str]) -> dict[str, Current]:
    """The current version of each key that the store already holds."""
    found: dict[str, Current] = {}
    query = select(
        records.c.source_key, records.c.id, records.c.version, records.c.content_hash
    ).where(
        records.c.source_id == source_id,
        records.c.is_current,
        records.c.source_key.in_(bindparam("keys", expanding=True)),
    )
    for start in range(0, len(keys), _CHUNK):
        for row in conn.execute(query, {"keys": list(keys[start : start + _CHUNK])}):
            found[row.source_key] = Current(row.id, row.version, row.content_hash)
    return found


def has_records(conn: Connection, source_id: int) -> bool:
    query = select(records.c.id).where(records.c.source_id == source_id).limit(1)
    return conn.execute(query).first() is not None


def write_batch(
    conn: Connection,
    source_id: int,
    run_id: int,
    batch: Sequence[StorableRecord],
    known: dict[str, Current],
) -> BatchResult:
    """Insert new rows and new versions of changed rows; skip unchanged ones.

    The caller runs this inside the batch's transaction, together with the quarantine rows
    and the run counters, so a crash leaves either all of a batch or none of it.
    """
    to_insert: list[tuple[StorableRecord, int]] = []
    superseded: list[int] = []
    unchanged = 0
    for rec in batch:
        cur = known.get(rec.source_key)
        if cur is None:
            to_insert.append((rec, 1))
        elif cur.content_hash == rec.content_hash:
            unchanged += 1
        else:
            to_insert.append((rec, cur.version + 1))
            superseded.append(cur.id)
    if superseded:
        conn.execute(
            update(records).where(records.c.id == bindparam("rid")).values(is_current=False),
            [{"rid": rid} for rid in superseded],
        )
    if to_insert:
        stamp = now()
        rows = [_record_row(rec, version, source_id, run_id, stamp) for rec, version in to_insert]
        bulk_insert(conn, records, rows)
        if any(rec.identifiers for rec, _ in to_insert):
            ids = _new_ids(conn, source_id, [(r.source_key, v) for r, v in to_insert])
            idents = [
                {
                    "record_id": ids[(rec.source_key, version)],
                    "type": ident.type,
                    "value": ident.value,
                    "raw": ident.raw,
                    "valid": ident.valid,
                    "issue": ident.issue,
                }
                for rec, version in to_insert
                for ident in rec.identifiers
            ]
            bulk_insert(conn, record_identifiers, idents)
    return BatchResult(
        inserted=len(to_insert) - len(superseded),
        new_versions=len(superseded),
        unchanged=unchanged,
    )


def _new_ids(
    conn: Connection, source_id: int, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """Ids of rows just inserted, found by their natural key (portable, unlike RETURNING
    on executemany, and one query per batch)."""
    query = select(records.c.source_key, records.c.version, records.c.id).where(
        records.c.source_id == source_id,
        records.c.source_key.in_(bindparam("keys", expanding=True)),
    )
    found: dict[tuple[str, int], int] = {}
    wanted = set(keys)
    names = sorted({k for k, _ in keys})
    for start in range(0, len(names), _CHUNK):
        for row in conn.execute(query, {"keys": names[start : start + _CHUNK]}):
            if (row.source_key, row.version) in wanted:
                found[(row.source_key, row.version)] = row.id
    return found


def _record_row(
    rec: StorableRecord, version: int, source_id: int, run_id: int, stamp: Any
) -> dict[str, Any]:
    row: dict[str, Any] = dict(zip(RECORD_COLUMNS, rec.columns, strict=True))
    row.update(
        source_id=source_id,
        source_key=rec.source_key,
        version=version,
        is_current=True,
        run_id=run_id,
        locator=rec.locator,
        content_hash=rec.content_hash,
        raw=rec.raw,
        notes=rec.notes,
        facts=rec.facts,
        ingested_at=stamp,
    )
    return row


def write_rejections(
    conn: Connection, source_id: int, run_id: int, rejected: Iterable[Rejection]
) -> int:
    stamp = now()
    rows = [
        {
            "run_id": run_id,
            "source_id": source_id,
            "locator": r.locator,
            "line": r.line,
            "source_key": r.source_key,
            "column": r.column,
            "reason": r.reason,
            "raw": r.raw,
            "created_at": stamp,
        }
        for r in rejected
    ]
    if rows:
        conn.execute(insert(quarantine), rows)
    return len(rows)


def list_quarantine(
    conn: Connection,
    source: str | None = None,
    run_id: int | None = None,
    limit: int | None = 100,
) -> list[QuarantineEntry]:
    """Quarantined rows of the given run, or else of each source's latest run."""
    query = (
        select(quarantine, sources.c.name.label("source_name"))
        .join(sources, sources.c.id == quarantine.c.source_id)
        .order_by(quarantine.c.id)
    )
    if source is not None:
        query = query.where(sources.c.name == source)
    if run_id is not None:
        query = query.where(quarantine.c.run_id == run_id)
    else:
        latest = (
            select(func.max(ingestion_runs.c.id))
            .group_by(ingestion_runs.c.source_id)
            .scalar_subquery()
        )
        query = query.where(quarantine.c.run_id.in_(latest))
    if limit is not None:
        query = query.limit(limit)
    return [
        QuarantineEntry(
            id=row.id,
            run_id=row.run_id,
            source=row.source_name,
            locator=row.locator,
            line=row.line,
            source_key=row.source_key,
            column=row.column,
            reason=row.reason,
            raw=dict(row.raw),
            created_at=row.created_at,
        )
        for row in conn.execute(query)
    ]


def record_versions(conn: Connection, source: str, source_key: str) -> list[dict[str, Any]]:
    """Every stored version of one source row, oldest first, with its identifiers and the
    manifest of the run that stored it."""
    rows = conn.execute(
        select(records, ingestion_runs.c.manifest.label("run_manifest"))
        .join(sources, sources.c.id == records.c.source_id)
        .join(ingestion_runs, ingestion_runs.c.id == records.c.run_id)
        .where(sources.c.name == source, records.c.source_key == source_key)
        .order_by(records.c.version)
    ).mappings()
    out = []
    for row in rows:
        item = dict(row)
        item["identifiers"] = [
            dict(i)
            for i in conn.execute(
                select(record_identifiers).where(record_identifiers.c.record_id == row["id"])
            ).mappings()
        ]
        out.append(item)
    return out
