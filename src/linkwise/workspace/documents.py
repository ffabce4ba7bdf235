"""Ingesting a ``format: documents`` source: files to text, text to mentions, mentions to
records that resolution links like any row.

This is where the pieces meet that may not import each other: ``linkwise.documents``
(conversion, extraction, grouping by person), ``linkwise.ingest`` (the row mapper, so that a
mention's name, date of birth, phone, address and identifiers are normalised exactly as a
row's are) and the store.

**Mention records.** Each person a document names in full becomes one record of the
document's source, keyed ``<document path>#<family>-<given>`` (``record_key``: the same
person keeps the key when a revision adds or moves people), whose mapped columns are the
name, date of birth, phone, address and identifiers found for that person. The run's
manifest is the source's manifest with these columns mapped, so a mention record's
provenance reads like a row's. The ``mentions`` table keeps every mention's offsets and the
key of the record it belongs to, which is how an entity finds the passages that mention it.

**Batches.** Files are read in batches; each batch (its documents, mentions, terms, mention
records, and the run's counters) is one transaction, so an interrupted run leaves whole
documents only, and a rerun skips every file whose SHA-256 it already holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from linkwise.documents import spacy_names
from linkwise.documents.extract import Mention, extract_many
from linkwise.documents.files import Converted, SourceFile, convert, sha256, source_files
from linkwise.documents.people import COLUMNS, PersonRow, group
from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.manifests import manifest_hash
from linkwise.ingest.mapping import RowMapper, default_region
from linkwise.ingest.readers.base import RawRow
from linkwise.model.manifest import Manifest
from linkwise.model.records import Rejection, RunInfo, StorableRecord, storable
from linkwise.normalize.terms import search_terms
from linkwise.store import catalog
from linkwise.store import records as store_records
from linkwise.store import source_documents as store
from linkwise.store.catalog import now

Progress = Callable[[int, int | None], None]
MENTION_KEY = "mention"
BATCH_FILES = 64
_MENTION_FIELDS: dict[str, Any] = {
    "full_name": {"column": "name"},
    "dob": {"column": "dob", "format": "%Y-%m-%d"},
    "phone": {"column": "phone"},
    "address_line": {"column": "address"},
    "ssn": {"column": "ssn"},
    "passport": {"column": "passport"},
    "drivers_licence": {"column": "drivers_licence"},
    "case_number": {"column": "case_number"},
}


def is_documents_source(engine: Engine, name: str) -> bool:
    """Whether the registered source ``name`` is a ``format: documents`` source."""
    with engine.connect() as conn:
        row = catalog.source_row(conn, name)
    return (
        row is not None and Manifest.model_validate(row.manifest).resolved_format() == "documents"
    )


def mention_manifest(manifest: Manifest) -> Manifest:
    """The source's manifest with the mention record's columns mapped (``people.COLUMNS``):
    how mention records are mapped, and the manifest their run keeps for provenance."""
    data = manifest.model_dump(mode="json")
    data.update(key=[MENTION_KEY], fields=_MENTION_FIELDS, facts={})
    return Manifest.model_validate(data)


def source_root(manifest: Manifest, base_dir: Path) -> Path:
    """The folder or zip archive of a documents source; SourceFileError when it is missing."""
    if manifest.path is None:
        raise SourceFileError(f"documents source {manifest.name!r} has no 'path'")
    root = Path(manifest.path)
    root = root if root.is_absolute() else base_dir / root
    if not root.exists():
        raise SourceFileError(f"{root}: the documents folder or archive does not exist")
    if not root.is_dir() and root.suffix.lower() != ".zip":
        raise SourceFileError(f"{root}: a documents source is a folder or a .zip archive")
    return root


@dataclass
class _Tally:
    """What the run's notes say beyond its counters."""

    read: int = 0
    status: dict[str, int] = field(default_factory=dict)
    records: int = 0
    unreadable_kept: list[str] = field(default_factory=list)
    """Files that could not be read this time, whose stored version stays current."""


@dataclass
class _Prepared:
    """One converted document ready to store: its mentions and its people."""

    doc: Converted
    mentions: list[Mention]
    people: list[PersonRow]
    owner: dict[int, int]


def ingest_documents(engine: Engine, name: str, progress: Progress | None = None) -> RunInfo:
    """Ingest one documents source (see the module docstring); SourceFileError, before
    anything is written, when the source cannot be read at all."""
    with engine.connect() as conn:
        row = catalog.source_row(conn, name)
    if row is None:
        raise SourceFileError(f"no source named {name!r}; add it with `linkwise source add`")
    manifest = Manifest.model_validate(row.manifest)
    root = source_root(manifest, Path(row.manifest_path).parent)
    effective = mention_manifest(manifest)
    with engine.begin() as conn:
        run_id = catalog.start_run(
            conn,
            row.id,
            effective.model_dump(mode="json"),
            manifest_hash(manifest),
            str(root),
            None,
            [],
        )
    tally = _Tally()
    status, error = "failed", None
    try:
        _stream(engine, row.id, run_id, effective, root, tally, progress)
        status = "completed"
    except KeyboardInterrupt:
        status, error = "interrupted", "stopped by the user"
        raise
    except Exception as exc:
        error = f"{root}: {type(exc).__name__}: {exc}"
        raise SourceFileError(error) from exc
    finally:
        with engine.begin() as conn:
            catalog.finish_run(conn, run_id, status, error, _notes(tally))
    with engine.connect() as conn:
        info = catalog.get_run(conn, run_id)
    assert info is not None
    return info


def _notes(tally: _Tally) -> list[str]:
    model = spacy_names.describe()
    notes = [
        f"{tally.records} mention record(s) written for the people the documents name",
        "mentions found by the rules and name lists"
        + (f" and the name model {model}" if model else " alone (no name model is installed)"),
    ]
    for status, count in sorted(tally.status.items()):
        if status != "ok" and count:
            notes.append(
                f"{count} document(s) {status.replace('_', ' ')}: "
                f"see `linkwise documents list --status {status}`"
            )
    if tally.unreadable_kept:
        shown = "; ".join(tally.unreadable_kept[:5])
        more = len(tally.unreadable_kept) - 5
        notes.append(
            f"{len(tally.unreadable_kept)} file(s) stored before could not be read this time "
            f"and keep their stored version: {shown}" + (f"; and {more} more" if more > 0 else "")
        )
    return notes


def _stream(
    engine: Engine,
    source_id: int,
    run_id: int,
    manifest: Manifest,
    root: Path,
    tally: _Tally,
    progress: Progress | None,
) -> None:
    mapper = RowMapper(manifest)
    region = default_region(manifest) or "US"
    with engine.connect() as conn:
        known = store.current_hashes(conn, source_id)
    batch: list[SourceFile] = []
    for file in source_files(root):
        batch.append(file)
        if len(batch) >= BATCH_FILES:
            _store_batch(engine, source_id, run_id, batch, known, mapper, region, tally)
            batch = []
            if progress is not None:
                progress(tally.read, None)
    if batch:
        _store_batch(engine, source_id, run_id, batch, known, mapper, region, tally)
    if progress is not None:
        progress(tally.read, tally.read)


def _prepare(docs: list[Converted], region: str) -> list[_Prepared]:
    """Mentions and people of each converted document. A document's processing time is its
    conversion plus its share of the batch's extraction (the name model runs over the batch
    at once). A document whose extraction fails is kept, marked failed with the reason."""
    readable = [i for i, d in enumerate(docs) if d.status == "ok" and d.text]
    started = time.perf_counter()
    found: dict[int, list[Mention]] = {}
    try:
        texts = [docs[i].text or "" for i in readable]
        found = dict(zip(readable, extract_many(texts, region), strict=True))
    except Exception:  # one bad text must not sink the batch: extract one by one
        for i in readable:
            try:
                found[i] = extract_many([docs[i].text or ""], region)[0]
            except Exception as exc:
                docs[i] = _failed(docs[i], f"extraction failed: {type(exc).__name__}: {exc}")
    share = (time.perf_counter() - started) / max(1, len(readable))
    out = []
    for i, d in enumerate(docs):
        mentions = found.get(i, [])
        people, owner = group(d.text or "", mentions) if mentions else ([], {})
        seconds = d.seconds + share if i in readable else d.seconds
        out.append(_Prepared(replace(d, seconds=seconds), mentions, people, owner))
    return out


def _failed(doc: Converted, reason: str) -> Converted:
    return replace(doc, status="failed", error=f"{doc.path}: {reason}")


def _store_batch(
    engine: Engine,
    source_id: int,
    run_id: int,
    files: list[SourceFile],
    known: dict[str, tuple[int, str, int]],
    mapper: RowMapper,
    region: str,
    tally: _Tally,
) -> None:
    """Convert, extract and store one batch of files in one transaction."""
    fresh: list[Converted] = []
    new = changed = 0
    for file in files:
        tally.read += 1
        previous = known.get(file.path)
        if previous is not None and file.error is not None:
            # a read that failed this time (a permission, a network share) says nothing new
            # about the document: its stored version and its people stay, and the run says so
            tally.unreadable_kept.append(f"{file.path} ({file.error})")
            continue
        if previous is not None and previous[1] == sha256(file.data):
            continue
        new, changed = (new, changed + 1) if previous else (new + 1, changed)
        fresh += convert(file)
    prepared = _prepare(fresh, region)
    with engine.begin() as conn:
        replaced = store.with_attachments(
            conn, [known[p.doc.path][0] for p in prepared if p.doc.path in known]
        )
        old_keys = store.record_keys_of(conn, replaced)
        store.retire(conn, replaced)
        ids: dict[str, int] = {}
        good: list[StorableRecord] = []
        bad: list[Rejection] = []
        for item in prepared:
            doc_id = _add_document(conn, source_id, run_id, item, known, ids)
            records, rejected = _mention_records(item, mapper)
            good += records
            bad += rejected
            keys = {r.source_key for r in records}
            store.add_mentions(conn, doc_id, _mention_rows(item, keys))
            if item.doc.text:
                store.add_terms(conn, doc_id, search_terms(item.doc.text))
            tally.status[item.doc.status] = tally.status.get(item.doc.status, 0) + 1
        current = store.latest_versions(conn, source_id, [r.source_key for r in good])
        result = store_records.write_batch(conn, source_id, run_id, good, current)
        store_records.write_rejections(conn, source_id, run_id, bad)
        store.retire_records(conn, source_id, old_keys - {r.source_key for r in good})
        tally.records += result.inserted + result.new_versions
        catalog.add_batch_counts(
            conn,
            run_id,
            rows_read=len(files),
            inserted=new,
            new_versions=changed,
            unchanged=len(files) - new - changed,
            quarantined=len(bad),
        )
    for item in prepared:
        version = known[item.doc.path][2] + 1 if item.doc.path in known else 1
        known[item.doc.path] = (ids[item.doc.path], item.doc.sha256, version)


def _add_document(
    conn: Any,
    source_id: int,
    run_id: int,
    item: _Prepared,
    known: dict[str, tuple[int, str, int]],
    ids: dict[str, int],
) -> int:
    doc = item.doc
    previous = known.get(doc.path)
    doc_id = store.add_document(
        conn,
        {
            "source_id": source_id,
            "run_id": run_id,
            "path": doc.path,
            "version": previous[2] + 1 if previous else 1,
            "is_current": True,
            "parent_id": ids.get(doc.parent) if doc.parent else None,
            "type": doc.type,
            "sha256": doc.sha256,
            "size": doc.size,
            "status": doc.status,
            "error": doc.error,
            "seconds": doc.seconds,
            "text": doc.text,
            "ingested_at": now(),
        },
    )
    ids[doc.path] = doc_id
    return doc_id


def record_key(path: str, person: PersonRow) -> str:
    """A mention record's key: the document and the person's name in it ("report.txt#ruiz-ana"),
    so that a revised document that adds or moves people keeps each one's record (and any
    judgement about it) with the same person."""
    return f"{path}#{person.key}"


def _mention_records(
    item: _Prepared, mapper: RowMapper
) -> tuple[list[StorableRecord], list[Rejection]]:
    good, bad = [], []
    for person in item.people:
        key = record_key(item.doc.path, person)
        name = item.mentions[min(person.mentions)]
        values: dict[str, Any] = {MENTION_KEY: key}
        values.update({c: person.values.get(c) for c in COLUMNS})
        mapped = mapper(RawRow(f"{item.doc.path}:{name.start}-{name.end}", None, values))
        if isinstance(mapped, Rejection):
            bad.append(mapped)
        else:
            good.append(storable(mapped))
    return good, bad


def _mention_rows(item: _Prepared, stored_keys: set[str]) -> list[dict[str, Any]]:
    rows = []
    for n, m in enumerate(item.mentions):
        person = item.owner.get(n)
        key = record_key(item.doc.path, item.people[person - 1]) if person is not None else None
        rows.append(
            {
                "n": n,
                "type": m.type,
                "role": m.role,
                "start_offset": m.start,
                "end_offset": m.end,
                "text": m.text,
                "value": m.value,
                "refers_to": m.refers_to,
                "person": person,
                "record_key": key if key in stored_keys else None,
            }
        )
    return rows


def list_documents(
    engine: Engine,
    *,
    source: str | None = None,
    status: str | None = None,
    limit: int | None = 100,
) -> list[store.StoredDocument]:
    """Current documents with their status and error (file metadata, never their text):
    what an operator checks after an ingest, as with the quarantine."""
    with engine.connect() as conn:
        return store.list_documents(conn, source=source, status=status, limit=limit)
