"""Drafted document rows (``documents`` table, migration 0005).

One row per version. A draft row is written whole (content, both renderings and their
hashes) and changed only once more, by signing it; a signed row is never changed again, and
every update here is guarded on the row still being a draft, so a signed document cannot be
altered through this module even by a caller that skipped the checks above it. A new version
of a document is a new row whose ``supersedes_id`` names the row it replaces.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from linkwise.model.documents import DRAFT, SIGNED, Document
from linkwise.store.tables import documents
from linkwise.store.users import utc

__all__ = [
    "SignedDocumentError",
    "document_by_id",
    "document_files",
    "documents_of_case",
    "insert_document",
    "latest_of_kind",
    "sign_document",
    "successor_of",
]


class SignedDocumentError(Exception):
    """An update was asked of a document that is no longer a draft."""


_SUMMARY = [c for c in documents.c if c.name not in ("docx", "pdf")]


def insert_document(
    conn: Connection,
    *,
    case_id: int,
    kind: str,
    template: str,
    template_sha256: str,
    content: dict[str, Any],
    content_sha256: str,
    docx: bytes,
    docx_sha256: str,
    pdf: bytes,
    pdf_sha256: str,
    created_by: int,
    created_at: dt.datetime,
) -> Document:
    """A new draft: version 1 of its kind in the case, or the next version, superseding the
    latest one (signed or not)."""
    previous = latest_of_kind(conn, case_id, kind)
    key = conn.execute(
        insert(documents).values(
            case_id=case_id,
            kind=kind,
            version=1 if previous is None else previous.version + 1,
            supersedes_id=None if previous is None else previous.id,
            status=DRAFT,
            template=template,
            template_sha256=template_sha256,
            content=content,
            content_sha256=content_sha256,
            docx=docx,
            docx_sha256=docx_sha256,
            pdf=pdf,
            pdf_sha256=pdf_sha256,
            created_by=created_by,
            created_at=utc(created_at),
        )
    ).inserted_primary_key
    assert key is not None
    found = document_by_id(conn, int(key[0]))
    assert found is not None
    return found


def document_by_id(conn: Connection, document_id: int) -> Document | None:
    row = conn.execute(select(*_SUMMARY).where(documents.c.id == document_id)).first()
    return None if row is None else _document(row)


def document_files(conn: Connection, document_id: int) -> tuple[bytes, bytes] | None:
    """The stored DOCX and PDF renderings."""
    row = conn.execute(
        select(documents.c.docx, documents.c.pdf).where(documents.c.id == document_id)
    ).first()
    return None if row is None else (bytes(row.docx), bytes(row.pdf))


def documents_of_case(conn: Connection, case_id: int) -> list[Document]:
    """Every version of every document of the case, oldest first."""
    query = select(*_SUMMARY).where(documents.c.case_id == case_id).order_by(documents.c.id)
    return [_document(row) for row in conn.execute(query)]


def latest_of_kind(conn: Connection, case_id: int, kind: str) -> Document | None:
    newest = (
        select(func.max(documents.c.version))
        .where(documents.c.case_id == case_id, documents.c.kind == kind)
        .scalar_subquery()
    )
    row = conn.execute(
        select(*_SUMMARY).where(
            documents.c.case_id == case_id,
            documents.c.kind == kind,
            documents.c.version == newest,
        )
    ).first()
    return None if row is None else _document(row)


def successor_of(conn: Connection, document_id: int) -> int | None:
    """The id of the version that supersedes this one, if any."""
    found = conn.execute(
        select(documents.c.id).where(documents.c.supersedes_id == document_id)
    ).scalar()
    return None if found is None else int(found)


def sign_document(
    conn: Connection,
    document_id: int,
    *,
    signed_by: int,
    signed_at: dt.datetime,
    docx: bytes,
    docx_sha256: str,
    pdf: bytes,
    pdf_sha256: str,
) -> Document:
    """Mark a draft signed, with its signed renderings. SignedDocumentError when the row is
    not (or no longer) a draft: the guard is in the UPDATE itself, so two signers racing
    cannot both succeed."""
    done = conn.execute(
        update(documents)
        .where(documents.c.id == document_id, documents.c.status == DRAFT)
        .values(
            status=SIGNED,
            signed_by=signed_by,
            signed_at=utc(signed_at),
            docx=docx,
            docx_sha256=docx_sha256,
            pdf=pdf,
            pdf_sha256=pdf_sha256,
        )
    )
    if done.rowcount != 1:
        current = document_by_id(conn, document_id)
        state = "does not exist" if current is None else f"is {current.status}"
        raise SignedDocumentError(
            f"document #{document_id} {state}: a signed document is never changed; "
            "draft a new version instead"
        )
    found = document_by_id(conn, document_id)
    assert found is not None
    return found


def _document(row: Row[Any]) -> Document:
    return Document(
        id=int(row.id),
        case_id=int(row.case_id),
        kind=row.kind,
        version=int(row.version),
        status=row.status,
        template=row.template,
        template_sha256=row.template_sha256,
        content=dict(row.content),
        content_sha256=row.content_sha256,
        docx_sha256=row.docx_sha256,
        pdf_sha256=row.pdf_sha256,
        created_by=int(row.created_by),
        created_at=utc(row.created_at),
        supersedes_id=None if row.supersedes_id is None else int(row.supersedes_id),
        signed_by=None if row.signed_by is None else int(row.signed_by),
        signed_at=None if row.signed_at is None else utc(row.signed_at),
    )
