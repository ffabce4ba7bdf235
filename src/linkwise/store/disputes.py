"""Dispute rows, and the corrected record version a confirmed dispute writes.

A correction is a new version of the source row, like a re-ingested change: the old version
stays (``is_current`` false), the new one copies it with one canonical value changed and a
note naming the dispute, and belongs to an ingestion run of its own (location
``dispute #N``) so that its provenance says where the value came from. It keeps the content
hash of the version it corrects, which is the hash of what the source says: re-ingesting an
unchanged source therefore finds the row unchanged and keeps the correction, while a later
change at the source stores a new version over it, as any change does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from linkwise.model.disputes import OPEN, Dispute
from linkwise.model.fields import RECORD_COLUMNS
from linkwise.store.tables import (
    disputes,
    documents,
    ingestion_runs,
    record_identifiers,
    records,
)
from linkwise.store.users import utc


def insert_dispute(
    conn: Connection,
    *,
    kind: str,
    record_id: int,
    other_record_id: int | None,
    field: str | None,
    claimed_value: str | None,
    case_id: int | None,
    raised_by: int,
    raised_at: dt.datetime,
    on_behalf_of: str | None,
    evidence: str,
) -> Dispute:
    key = conn.execute(
        insert(disputes).values(
            kind=kind,
            record_id=record_id,
            other_record_id=other_record_id,
            field=field,
            claimed_value=claimed_value,
            case_id=case_id,
            raised_by=raised_by,
            raised_at=utc(raised_at),
            on_behalf_of=on_behalf_of,
            evidence=evidence,
            status=OPEN,
        )
    ).inserted_primary_key
    assert key is not None
    found = dispute_by_id(conn, int(key[0]))
    assert found is not None
    return found


def dispute_by_id(conn: Connection, dispute_id: int, *, for_update: bool = False) -> Dispute | None:
    query = select(disputes).where(disputes.c.id == dispute_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return None if row is None else _dispute(row)


def list_disputes(
    conn: Connection, *, status: str | None = None, record_ids: list[int] | None = None
) -> list[Dispute]:
    query = select(disputes).order_by(disputes.c.id)
    if status is not None:
        query = query.where(disputes.c.status == status)
    if record_ids is not None:
        query = query.where(
            disputes.c.record_id.in_(record_ids) | disputes.c.other_record_id.in_(record_ids)
        )
    return [_dispute(row) for row in conn.execute(query)]


def set_resolution(
    conn: Connection,
    dispute_id: int,
    *,
    status: str,
    resolved_by: int,
    resolved_at: dt.datetime,
    resolution: str,
    correction: dict[str, Any] | None,
) -> None:
    """Close an open dispute; a dispute already resolved is left as it is (the caller
    checked, under a row lock where the database has them)."""
    conn.execute(
        update(disputes)
        .where(disputes.c.id == dispute_id, disputes.c.status == OPEN)
        .values(
            status=status,
            resolved_by=resolved_by,
            resolved_at=utc(resolved_at),
            resolution=resolution,
            correction=correction,
        )
    )


def write_corrected_version(
    conn: Connection,
    record_id: int,
    *,
    column: str,
    value: str | None,
    dispute_id: int,
    at: dt.datetime,
    derived: Mapping[str, str | None] | None = None,
) -> int:
    """A new current version of the record with ``column`` set to ``value``, and each column
    of ``derived`` (one made from the corrected one: the full name from its parts) set to its
    value, each noted; returns its id. ``record_id`` must be the current version (the caller
    checked)."""
    if column not in RECORD_COLUMNS:
        raise ValueError(f"{column!r} is not a record column")
    old = conn.execute(select(records).where(records.c.id == record_id)).mappings().one()
    run = conn.execute(select(ingestion_runs).where(ingestion_runs.c.id == old["run_id"]))
    source_run = run.mappings().one()
    when = utc(at)
    run_key = conn.execute(
        insert(ingestion_runs).values(
            source_id=old["source_id"],
            status="completed",
            started_at=when,
            finished_at=when,
            manifest=source_run["manifest"],
            manifest_hash=source_run["manifest_hash"],
            location=f"dispute #{dispute_id}",
            encoding=None,
            batches=1,
            rows_read=0,
            inserted=0,
            new_versions=1,
            unchanged=0,
            quarantined=0,
            notes={"correction": {"dispute_id": dispute_id, "record_id": record_id}},
        )
    ).inserted_primary_key
    assert run_key is not None
    notes = dict(old["notes"] or {})
    notes[column] = (
        f"corrected by dispute #{dispute_id}; the source gave {old[column]!r}"
        if old[column] is not None
        else f"added by dispute #{dispute_id}; the source gave no value"
    )
    for name, made in (derived or {}).items():
        if name not in RECORD_COLUMNS:
            raise ValueError(f"{name!r} is not a record column")
        if made != old[name]:
            notes[name] = (
                f"rewritten from the {column} corrected by dispute #{dispute_id}; "
                f"the source gave {old[name]!r}"
            )
    row = {k: v for k, v in old.items() if k != "id"}
    row.update(derived or {})
    row.update(
        version=int(old["version"]) + 1,
        is_current=True,
        run_id=int(run_key[0]),
        notes=notes,
        ingested_at=when,
    )
    row[column] = value
    conn.execute(update(records).where(records.c.id == record_id).values(is_current=False))
    new_key = conn.execute(insert(records).values(**row)).inserted_primary_key
    assert new_key is not None
    new_id = int(new_key[0])
    idents = conn.execute(
        select(record_identifiers).where(record_identifiers.c.record_id == record_id)
    ).mappings()
    copies = [{**{k: v for k, v in i.items() if k != "id"}, "record_id": new_id} for i in idents]
    if copies:
        conn.execute(insert(record_identifiers), copies)
    return new_id


def documents_by_ids(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """id, case, kind, version and status of each document (no content)."""
    if not ids:
        return []
    query = (
        select(
            documents.c.id,
            documents.c.case_id,
            documents.c.kind,
            documents.c.version,
            documents.c.status,
        )
        .where(documents.c.id.in_(ids))
        .order_by(documents.c.id)
    )
    return [
        {
            "id": int(r.id),
            "case_id": int(r.case_id),
            "kind": r.kind,
            "version": int(r.version),
            "status": r.status,
        }
        for r in conn.execute(query)
    ]


def _dispute(row: Row[Any]) -> Dispute:
    return Dispute(
        id=int(row.id),
        kind=row.kind,
        record_id=int(row.record_id),
        other_record_id=None if row.other_record_id is None else int(row.other_record_id),
        field=row.field,
        claimed_value=row.claimed_value,
        case_id=None if row.case_id is None else int(row.case_id),
        raised_by=int(row.raised_by),
        raised_at=utc(row.raised_at),
        on_behalf_of=row.on_behalf_of,
        evidence=row.evidence,
        status=row.status,
        resolved_by=None if row.resolved_by is None else int(row.resolved_by),
        resolved_at=None if row.resolved_at is None else utc(row.resolved_at),
        resolution=row.resolution,
        correction=None if row.correction is None else dict(row.correction),
    )
