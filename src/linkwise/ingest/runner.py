"""Run one source's ingestion: check it, stream it in batches, store each batch atomically.

Each batch (its records, new versions, quarantined rows and the run's counters) commits in
one transaction, so a crash or kill leaves whole batches only, and the run's counters always
agree with what is stored. A rerun re-reads the source; content hashes make the batches that
were already stored count as unchanged, so it resumes without duplicates.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import Engine

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.manifests import manifest_hash
from linkwise.ingest.parallel import map_batches
from linkwise.ingest.readers import Reader, open_reader
from linkwise.ingest.readers.base import counter_notes
from linkwise.model.manifest import Manifest
from linkwise.model.policy import PolicyPack
from linkwise.model.records import Rejection, RunInfo, StorableRecord
from linkwise.store import catalog
from linkwise.store import records as store_records

Progress = Callable[[int, int | None], None]
"""Called after each stored batch with (rows read so far, total rows if known)."""

_POOL_THRESHOLD_BYTES = 8 * 1024 * 1024


class UnsupportedSourceError(SourceFileError):
    """A registered source whose format this version cannot ingest yet."""


@dataclass(frozen=True, slots=True)
class IngestOptions:
    batch_size: int = 5000
    workers: int | None = None
    """Processes that map and normalise rows; ``None`` picks by size (large files get one per
    core), 0 or 1 maps in this process."""


def ingest_source(
    engine: Engine,
    name: str,
    pack: PolicyPack,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> RunInfo:
    options = options or IngestOptions()
    with engine.connect() as conn:
        row = catalog.source_row(conn, name)
    if row is None:
        raise SourceFileError(f"no source named {name!r}; add it with `linkwise source add`")
    manifest = Manifest.model_validate(row.manifest)
    if manifest.resolved_format() == "documents":
        raise UnsupportedSourceError(
            "documents sources are ingested by linkwise.workspace.documents, not by this "
            "runner; skipped"
        )
    base_dir = Path(row.manifest_path).parent
    reader = open_reader(manifest, base_dir)
    try:
        notes = check_source(manifest, reader, pack)
        with engine.begin() as conn:
            run_id = catalog.start_run(
                conn,
                row.id,
                manifest.model_dump(mode="json"),
                manifest_hash(manifest),
                reader.location,
                reader.encoding,
                notes,
            )
        status, error, defects = "failed", None, []
        try:
            defects = _stream(engine, row.id, run_id, manifest, base_dir, reader, options, progress)
            status = "completed"
        except KeyboardInterrupt:
            status, error = "interrupted", "stopped by the user"
            raise
        except SourceFileError as exc:
            error = str(exc)
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            with engine.begin() as conn:
                catalog.finish_run(conn, run_id, status, error, [*notes, *defects])
    finally:
        reader.close()
    with engine.connect() as conn:
        info = catalog.get_run(conn, run_id)
    assert info is not None
    return info


def check_source(manifest: Manifest, reader: Reader, pack: PolicyPack) -> list[str]:
    """Refuse a source whose key or mapped columns are missing; note what is not ingested."""
    present = set(reader.columns)
    where = reader.location
    missing_keys = [c for c in manifest.key if c not in present]
    if missing_keys:
        raise SourceFileError(
            f"{where}: key column(s) {', '.join(missing_keys)} not found; "
            f"the source has: {', '.join(reader.columns)}"
        )
    notes: list[str] = []
    missing = [c for c in manifest.mapped_columns() if c not in present]
    if missing and manifest.resolved_format() != "jsonl":
        raise SourceFileError(
            f"{where}: mapped column(s) {', '.join(missing)} not found; "
            f"the source has: {', '.join(reader.columns)}"
        )
    if missing:
        notes.append(f"mapped column(s) {', '.join(missing)} not seen in the first rows")
    mapped = set(manifest.mapped_columns())
    for column in reader.columns:
        hit = pack.prohibited_match(column) if column not in mapped else None
        if hit is not None:
            notes.append(
                f"column {column!r} ({hit[1].title}, a prohibited attribute) is in the source "
                "and was not ingested"
            )
    return notes


def _stream(
    engine: Engine,
    source_id: int,
    run_id: int,
    manifest: Manifest,
    base_dir: Path,
    reader: Reader,
    options: IngestOptions,
    progress: Progress | None,
) -> list[str]:
    """Store every batch; returns the reader's notes on tolerated defects."""
    seen: set[bytes] = set()
    rows_read = 0
    with engine.connect() as conn:
        existing = store_records.has_records(conn, source_id)
    total = getattr(reader, "total_rows", None)
    counters: Counter[str] = Counter()
    workers = _workers(options, reader)
    for results in map_batches(manifest, base_dir, reader, options.batch_size, workers, counters):
        good: list[StorableRecord] = []
        bad: list[Rejection] = []
        for item in results:
            if isinstance(item, Rejection):
                bad.append(item)
                continue
            digest = hashlib.blake2b(item.source_key.encode(), digest_size=12).digest()
            if digest in seen:
                bad.append(_duplicate(item))
                continue
            seen.add(digest)
            good.append(item)
        with engine.begin() as conn:
            known = (
                store_records.current_versions(conn, source_id, [r.source_key for r in good])
                if existing
                else {}
            )
            result = store_records.write_batch(conn, source_id, run_id, good, known)
            store_records.write_rejections(conn, source_id, run_id, bad)
            catalog.add_batch_counts(
                conn,
                run_id,
                rows_read=len(results),
                inserted=result.inserted,
                new_versions=result.new_versions,
                unchanged=result.unchanged,
                quarantined=len(bad),
            )
        rows_read += len(results)
        if progress is not None:
            progress(rows_read, total)
    return counter_notes(counters)


def _duplicate(item: StorableRecord) -> Rejection:
    return Rejection(
        item.locator,
        item.line,
        item.source_key,
        None,
        f"key {item.source_key!r} already appeared earlier in this source; "
        "keys must locate one row",
        orjson.loads(str(item.raw)),
    )


def _workers(options: IngestOptions, reader: Reader) -> int:
    """Worker processes for this source: as configured, else one per core for files
    large enough to repay starting them."""
    if options.workers is not None:
        return options.workers
    path = Path(reader.location)
    cores = os.cpu_count() or 1
    if cores > 1 and path.is_file() and path.stat().st_size >= _POOL_THRESHOLD_BYTES:
        return cores
    return 0
