"""Types that pass between ingestion, the store and the interfaces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class IdentifierValue:
    type: str
    value: str | None
    raw: str
    valid: bool
    issue: str | None


@dataclass(frozen=True, slots=True)
class MappedRecord:
    """One source row turned into canonical person fields, ready to store.

    ``canonical`` holds normal forms keyed by record column; ``provenance`` keeps, for each
    canonical field, the raw value and the column(s) it came from, plus any note a
    normaliser made (an invalid phone, a repaired encoding).
    """

    source_key: str
    locator: str
    line: int | None
    raw: dict[str, Any]
    canonical: dict[str, str | None]
    provenance: dict[str, dict[str, Any]]
    facts: dict[str, Any]
    identifiers: tuple[IdentifierValue, ...]
    content_hash: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that cannot be stored, with what is wrong and where."""

    locator: str
    line: int | None
    source_key: str | None
    column: str | None
    reason: str
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    id: int
    name: str
    title: str
    kind: str
    jurisdiction: str
    markings: list[str]
    manifest_path: str
    manifest_hash: str
    records: int = 0
    last_run: RunInfo | None = None


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    source: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    location: str
    encoding: str | None
    batches: int
    rows_read: int
    inserted: int
    new_versions: int
    unchanged: int
    quarantined: int
    notes: list[str]
    error: str | None


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    id: int
    run_id: int
    source: str
    locator: str
    line: int | None
    source_key: str | None
    column: str | None
    reason: str
    raw: dict[str, Any]
    created_at: dt.datetime
