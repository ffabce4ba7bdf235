"""Drafted documents (DESIGN.md §3 "Draft"): legal paperwork rendered from a case package,
every factual sentence citing the records it rests on, a DRAFT until a named reviewer signs
it, immutable once signed (a new version is a new document)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

AFFIDAVIT = "affidavit"
SUBPOENA_REQUEST = "subpoena_request"
COURT_ORDER_APPLICATION = "court_order_application"
CORRECTION_NOTICE = "correction_notice"
KINDS = (AFFIDAVIT, SUBPOENA_REQUEST, COURT_ORDER_APPLICATION, CORRECTION_NOTICE)

DRAFT = "draft"
SIGNED = "signed"


@dataclass(frozen=True, slots=True)
class Citation:
    """A record a sentence rests on: id, source and key, and whether the link tying it to
    the subject is confirmed (by a human, or above the confirmation threshold)."""

    record_id: int
    source: str
    source_key: str
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a draft; a factual one has at least one citation."""

    text: str
    citations: tuple[Citation, ...] = ()
    unconfirmed: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    case_id: int
    kind: str
    version: int
    status: str
    template: str
    template_sha256: str
    content: dict[str, Any]
    content_sha256: str
    docx_sha256: str
    pdf_sha256: str
    created_by: int
    created_at: dt.datetime
    supersedes_id: int | None = None
    signed_by: int | None = None
    signed_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def signed(self) -> bool:
        return self.status == SIGNED
