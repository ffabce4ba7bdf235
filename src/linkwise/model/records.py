"""Types that pass between ingestion, the store and the interfaces."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from linkwise.model.fields import RECORD_COLUMNS


class IdentifierValue(NamedTuple):
    type: str
    value: str | None
    raw: str
    valid: bool
    issue: str | None


class MappedRecord(NamedTuple):
    """One source row turned into canonical person fields, ready to store.

    ``canonical`` holds normal forms keyed by record column; ``raw`` the row's mapped
    source values; ``notes`` what a normaliser had to say about a field (an invalid phone,
    an SSN in a never-issued range). Records cross process boundaries in bulk, hence a
    named tuple: it pickles at half the cost of a dataclass.
    """

    source_key: str
    locator: str
    line: int | None
    raw: dict[str, Any]
    canonical: dict[str, str | None]
    notes: dict[str, str]
    facts: dict[str, Any]
    identifiers: tuple[IdentifierValue, ...]
    content_hash: str


class JsonText(str):
    """JSON that is already serialised: the store writes it as it is. Worker processes
    serialise records before sending them, which is cheaper to pass between processes and
    takes work off the process that writes to the database."""


class StorableRecord(NamedTuple):
    """A mapped record in the form the store writes."""

    source_key: str
    locator: str
    line: int | None
    content_hash: str
    raw: JsonText
    notes: JsonText
    facts: JsonText
    columns: tuple[str | None, ...]
    """Canonical values in the order of ``linkwise.model.fields.RECORD_COLUMNS``."""
    identifiers: tuple[IdentifierValue, ...]


def storable(rec: MappedRecord) -> StorableRecord:
    def dump(value: Any) -> JsonText:
        return JsonText(orjson.dumps(value, default=str).decode())

    return StorableRecord(
        rec.source_key,
        rec.locator,
        rec.line,
        rec.content_hash,
        dump(rec.raw),
        dump(rec.notes),
        dump(rec.facts),
        tuple(rec.canonical.get(c) for c in RECORD_COLUMNS),
        rec.identifiers,
    )


class Rejection(NamedTuple):
    """A row that cannot be stored, with what is wrong and where."""

    locator: str
    line: int | None
    source_key: str | None
    column: str | None
    reason: str
    raw: dict[str, Any]


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


def source_key(parts: Sequence[str]) -> str:
    """A record's key from the texts of its source's key columns: the text of one, or a
    JSON list of several (``["NJ", "X1"]``, a space after each comma), as ingestion
    stores it."""
    return parts[0] if len(parts) == 1 else json.dumps(list(parts), ensure_ascii=False)


def composite_key(text: str) -> str | None:
    """A key of several columns as ``source_key`` writes it, from however it was typed
    (``["NJ","X1"]``); None when ``text`` is not such a list."""
    if not text.startswith("["):
        return None
    try:
        parts = json.loads(text)
    except ValueError:
        return None
    if not isinstance(parts, list) or len(parts) < 2:
        return None
    if not all(isinstance(p, str | int) and not isinstance(p, bool) for p in parts):
        return None
    return source_key([str(p) for p in parts])
