"""Sources and ingestion runs: what is registered and what each run did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from linkwise.model.records import RunInfo, SourceInfo
from linkwise.store.tables import ingestion_runs, records, sources


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def upsert_source(
    conn: Connection, manifest: dict[str, Any], manifest_path: str, manifest_hash: str
) -> tuple[int, bool]:
    """Register a source or replace its manifest. Returns (id, created)."""
    values = {
        "title": manifest["title"],
        "kind": manifest["kind"],
        "jurisdiction": manifest["jurisdiction"],
        "owner": manifest.get("owner"),
        "markings": manifest.get("markings", []),
        "retention_days": manifest.get("retention_days"),
        "manifest": manifest,
        "manifest_path": manifest_path,
        "manifest_hash": manifest_hash,
        "updated_at": now(),
    }
    existing = conn.execute(
        select(sources.c.id).where(sources.c.name == manifest["name"])
    ).scalar_one_or_none()
    if existing is not None:
        conn.execute(update(sources).where(sources.c.id == existing).values(**values))
        return int(existing), False
    new_id = conn.execute(
        insert(sources).values(name=manifest["name"], created_at=values["updated_at"], **values)
    ).inserted_primary_key
    assert new_id is not None
    return int(new_id[0]), True


def source_row(conn: Connection, name: str) -> Row[Any] | None:
    return conn.execute(select(sources).where(sources.c.name == name)).first()


def source_markings(conn: Connection) -> dict[str, list[str]]:
    """Each registered source's name and markings (nothing counted)."""
    return {
        str(row.name): list(row.markings or [])
        for row in conn.execute(select(sources.c.name, sources.c.markings))
    }


def list_sources(conn: Connection) -> list[SourceInfo]:
    counts: dict[int, int] = {
        row[0]: row[1]
        for row in conn.execute(
            select(records.c.source_id, func.count())
            .where(records.c.is_current)
            .group_by(records.c.source_id)
        )
    }
    last = _last_runs(conn)
    return [
        SourceInfo(
            id=row.id,
            name=row.name,
            title=row.title,
            kind=row.kind,
            jurisdiction=row.jurisdiction,
            markings=list(row.markings),
            manifest_path=row.manifest_path,
            manifest_hash=row.manifest_hash,
            records=int(counts.get(row.id, 0)),
            last_run=last.get(row.id),
        )
        for row in conn.execute(select(sources).order_by(sources.c.name))
    ]


def _last_runs(conn: Connection) -> dict[int, RunInfo]:
    latest = (
        select(func.max(ingestion_runs.c.id)).group_by(ingestion_runs.c.source_id).scalar_subquery()
    )
    rows = conn.execute(_run_query().where(ingestion_runs.c.id.in_(latest))).all()
    return {row.source_id: _run_info(row) for row in rows}


def _run_query() -> Any:
    return select(ingestion_runs, sources.c.name.label("source_name")).join(
        sources, sources.c.id == ingestion_runs.c.source_id
    )


def _run_info(row: Row[Any]) -> RunInfo:
    return RunInfo(
        id=row.id,
        source=row.source_name,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        location=row.location,
        encoding=row.encoding,
        batches=row.batches,
        rows_read=row.rows_read,
        inserted=row.inserted,
        new_versions=row.new_versions,
        unchanged=row.unchanged,
        quarantined=row.quarantined,
        notes=list(row.notes),
        error=row.error,
    )


def start_run(
    conn: Connection,
    source_id: int,
    manifest: dict[str, Any],
    manifest_hash: str,
    location: str,
    encoding: str | None,
    notes: Sequence[str],
) -> int:
    """Open a run; any earlier run of this source still marked running died without closing."""
    conn.execute(
        update(ingestion_runs)
        .where(ingestion_runs.c.source_id == source_id, ingestion_runs.c.status == "running")
        .values(status="interrupted", error="the process stopped before the run finished")
    )
    run_id = conn.execute(
        insert(ingestion_runs).values(
            source_id=source_id,
            status="running",
            started_at=now(),
            manifest=manifest,
            manifest_hash=manifest_hash,
            location=location,
            encoding=encoding,
            batches=0,
            rows_read=0,
            inserted=0,
            new_versions=0,
            unchanged=0,
            quarantined=0,
            notes=list(notes),
        )
    ).inserted_primary_key
    assert run_id is not None
    return int(run_id[0])


def add_batch_counts(
    conn: Connection,
    run_id: int,
    *,
    rows_read: int,
    inserted: int,
    new_versions: int,
    unchanged: int,
    quarantined: int,
) -> None:
    """Counters move in the same transaction as the batch, so they never disagree with it."""
    c = ingestion_runs.c
    conn.execute(
        update(ingestion_runs)
        .where(c.id == run_id)
        .values(
            batches=c.batches + 1,
            rows_read=c.rows_read + rows_read,
            inserted=c.inserted + inserted,
            new_versions=c.new_versions + new_versions,
            unchanged=c.unchanged + unchanged,
            quarantined=c.quarantined + quarantined,
        )
    )


def finish_run(
    conn: Connection, run_id: int, status: str, error: str | None, notes: Sequence[str]
) -> None:
    conn.execute(
        update(ingestion_runs)
        .where(ingestion_runs.c.id == run_id)
        .values(status=status, finished_at=now(), error=error, notes=list(notes))
    )


def get_run(conn: Connection, run_id: int) -> RunInfo | None:
    row = conn.execute(_run_query().where(ingestion_runs.c.id == run_id)).first()
    return _run_info(row) if row is not None else None


def list_runs(conn: Connection, source: str | None = None, limit: int = 50) -> list[RunInfo]:
    query = _run_query().order_by(ingestion_runs.c.id.desc()).limit(limit)
    if source is not None:
        query = query.where(sources.c.name == source)
    return [_run_info(row) for row in conn.execute(query)]
