"""Documents of ``format: documents`` sources: their versions, mentions and search terms.

The caller (``linkwise.workspace.documents``) writes one document's rows (the document, its
attachments, their mentions and terms, and its mention records) in one transaction, so a
crash leaves a document either whole or absent, never half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from linkwise.store.bulk import bulk_insert
from linkwise.store.records import Current
from linkwise.store.tables import (
    document_terms,
    mentions,
    records,
    source_documents,
    sources,
)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    source: str
    source_id: int
    path: str
    version: int
    parent_id: int | None
    type: str
    sha256: str
    size: int
    status: str
    error: str | None
    seconds: float
    ingested_at: dt.datetime


def current_hashes(conn: Connection, source_id: int) -> dict[str, tuple[int, str, int]]:
    """Path to (id, SHA-256, version) of each current document of the source."""
    query = select(
        source_documents.c.path,
        source_documents.c.id,
        source_documents.c.sha256,
        source_documents.c.version,
    ).where(source_documents.c.source_id == source_id, source_documents.c.is_current)
    return {row.path: (row.id, row.sha256, row.version) for row in conn.execute(query)}


def with_attachments(conn: Connection, document_ids: Sequence[int]) -> list[int]:
    """The documents and, at any depth, the attachments they carry."""
    found = set(document_ids)
    frontier = set(document_ids)
    while frontier:
        query = select(source_documents.c.id).where(source_documents.c.parent_id.in_(frontier))
        frontier = {row.id for row in conn.execute(query)} - found
        found |= frontier
    return sorted(found)


def retire(conn: Connection, document_ids: Sequence[int]) -> None:
    """Mark documents as replaced by a newer version (never deleted)."""
    if document_ids:
        conn.execute(
            update(source_documents)
            .where(source_documents.c.id.in_(list(document_ids)))
            .values(is_current=False)
        )


def add_document(conn: Connection, row: dict[str, Any]) -> int:
    """Insert one document version; returns its id."""
    return int(
        conn.execute(insert(source_documents).returning(source_documents.c.id), row).scalar_one()
    )


def add_mentions(conn: Connection, document_id: int, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        bulk_insert(conn, mentions, [{**r, "document_id": document_id} for r in rows])


def add_terms(conn: Connection, document_id: int, terms: Iterable[str]) -> None:
    rows = [{"term": t, "document_id": document_id} for t in sorted(set(terms))]
    if rows:
        bulk_insert(conn, document_terms, rows)


def record_keys_of(conn: Connection, document_ids: Sequence[int]) -> set[str]:
    """Mention record keys of the given documents."""
    if not document_ids:
        return set()
    query = select(mentions.c.record_key).where(
        mentions.c.document_id.in_(list(document_ids)), mentions.c.record_key.is_not(None)
    )
    return {row.record_key for row in conn.execute(query)}


def retire_records(conn: Connection, source_id: int, keys: Iterable[str]) -> None:
    """Clear ``is_current`` on mention records a new version of their document no longer
    has (the person is no longer mentioned): resolution then leaves them out."""
    keys = list(keys)
    if keys:
        conn.execute(
            update(records)
            .where(records.c.source_id == source_id, records.c.source_key.in_(keys))
            .values(is_current=False)
        )


def _stored(row: Any) -> StoredDocument:
    return StoredDocument(
        id=row.id,
        source=row.source,
        source_id=row.source_id,
        path=row.path,
        version=row.version,
        parent_id=row.parent_id,
        type=row.type,
        sha256=row.sha256,
        size=row.size,
        status=row.status,
        error=row.error,
        seconds=row.seconds,
        ingested_at=row.ingested_at,
    )


def _documents_query() -> Any:
    return select(
        source_documents.c.id,
        sources.c.name.label("source"),
        source_documents.c.source_id,
        source_documents.c.path,
        source_documents.c.version,
        source_documents.c.parent_id,
        source_documents.c.type,
        source_documents.c.sha256,
        source_documents.c.size,
        source_documents.c.status,
        source_documents.c.error,
        source_documents.c.seconds,
        source_documents.c.ingested_at,
    ).join(sources, sources.c.id == source_documents.c.source_id)


def list_documents(
    conn: Connection,
    *,
    source: str | None = None,
    status: str | None = None,
    limit: int | None = 100,
) -> list[StoredDocument]:
    """Current documents (file metadata, status and error; never their text), by path."""
    query = _documents_query().where(source_documents.c.is_current)
    if source is not None:
        query = query.where(sources.c.name == source)
    if status is not None:
        query = query.where(source_documents.c.status == status)
    query = query.order_by(sources.c.name, source_documents.c.path)
    if limit is not None:
        query = query.limit(limit)
    return [_stored(row) for row in conn.execute(query)]


def status_counts(conn: Connection, source_id: int) -> dict[str, int]:
    query = (
        select(source_documents.c.status, func.count())
        .where(source_documents.c.source_id == source_id, source_documents.c.is_current)
        .group_by(source_documents.c.status)
    )
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def current_document(
    conn: Connection, source: str, path: str
) -> tuple[StoredDocument, str | None] | None:
    """The current version of a document and its text."""
    query = (
        _documents_query()
        .add_columns(source_documents.c.text)
        .where(
            sources.c.name == source,
            source_documents.c.path == path,
            source_documents.c.is_current,
        )
    )
    row = conn.execute(query).first()
    return None if row is None else (_stored(row), row.text)


def documents_by_id(
    conn: Connection, ids: Iterable[int]
) -> dict[int, tuple[StoredDocument, str | None]]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    query = (
        _documents_query()
        .add_columns(source_documents.c.text)
        .where(source_documents.c.id.in_(bindparam("ids", expanding=True)))
    )
    return {row.id: (_stored(row), row.text) for row in conn.execute(query, {"ids": ids})}


def mentions_of(conn: Connection, document_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Mentions of the documents, by document and position."""
    ids = sorted(set(document_ids))
    if not ids:
        return []
    query = (
        select(mentions)
        .where(mentions.c.document_id.in_(bindparam("ids", expanding=True)))
        .order_by(mentions.c.document_id, mentions.c.n)
    )
    return [dict(row) for row in conn.execute(query, {"ids": ids}).mappings()]


def mentions_of_records(conn: Connection, keys: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    """Mentions behind mention records (source id, source key), in current documents."""
    if not keys:
        return []
    by_source: dict[int, list[str]] = {}
    for source_id, key in keys:
        by_source.setdefault(source_id, []).append(key)
    out: list[dict[str, Any]] = []
    for source_id, names in by_source.items():
        query = (
            select(mentions)
            .join(source_documents, source_documents.c.id == mentions.c.document_id)
            .where(
                source_documents.c.source_id == source_id,
                source_documents.c.is_current,
                mentions.c.record_key.in_(bindparam("keys", expanding=True)),
            )
            .order_by(mentions.c.document_id, mentions.c.n)
        )
        out += [dict(row) for row in conn.execute(query, {"keys": sorted(names)}).mappings()]
    return out


def search_terms(conn: Connection, terms: Sequence[str], limit: int) -> list[int]:
    """Current documents holding every one of ``terms``, newest first (by id)."""
    if not terms:
        return []
    query = (
        select(document_terms.c.document_id)
        .join(
            source_documents,
            and_(
                source_documents.c.id == document_terms.c.document_id,
                source_documents.c.is_current,
            ),
        )
        .where(document_terms.c.term.in_(bindparam("terms", expanding=True)))
        .group_by(document_terms.c.document_id)
        .having(func.count() == len(set(terms)))
        .order_by(document_terms.c.document_id.desc())
        .limit(limit)
    )
    return [int(row[0]) for row in conn.execute(query, {"terms": sorted(set(terms))})]


def record_ids(conn: Connection, source_id: int, keys: Iterable[str]) -> dict[str, int]:
    """Ids of the current mention records with these keys."""
    names = sorted(set(keys))
    if not names:
        return {}
    query = select(records.c.source_key, records.c.id).where(
        records.c.source_id == source_id,
        records.c.is_current,
        records.c.source_key.in_(bindparam("keys", expanding=True)),
    )
    return {row.source_key: int(row.id) for row in conn.execute(query, {"keys": names})}


def latest_versions(conn: Connection, source_id: int, keys: Sequence[str]) -> dict[str, Current]:
    """The newest version of each mention record key, current or not. One that is no longer
    current (its person dropped out of an earlier version of the document) comes with an
    empty hash, so a document that names the person again gets a new current version rather
    than a clash with the old version number or an "unchanged" that leaves it retired."""
    names = sorted(set(keys))
    if not names:
        return {}
    query = select(
        records.c.source_key,
        records.c.id,
        records.c.version,
        records.c.content_hash,
        records.c.is_current,
    ).where(
        records.c.source_id == source_id,
        records.c.source_key.in_(bindparam("keys", expanding=True)),
    )
    found: dict[str, Current] = {}
    for row in conn.execute(query, {"keys": names}):
        held = found.get(row.source_key)
        if held is None or row.version > held.version:
            digest = row.content_hash if row.is_current else ""
            found[row.source_key] = Current(row.id, row.version, digest)
    return found
