"""Map a source's rows to storable records, in this process or in worker processes.

Each worker opens the source itself and maps every k-th batch; the parent only collects
the results in batch order and writes them. Reading a source twice costs less than sending
its rows between processes (pickling a million rows cost more than parsing them), and it
leaves the parent, the only process that may write to the store, with as little work as
possible. Workers also serialise records to JSON before sending them back.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import traceback
from collections import Counter
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.mapping import RowMapper
from linkwise.ingest.readers import Reader, open_reader
from linkwise.model.manifest import Manifest
from linkwise.model.records import MappedRecord, Rejection, StorableRecord, storable

Mapped = list[StorableRecord | Rejection]
_QUEUE_DEPTH = 2
_POLL_SECONDS = 1.0


def _finish(item: MappedRecord | Rejection) -> StorableRecord | Rejection:
    return storable(item) if isinstance(item, MappedRecord) else item


def map_batches(
    manifest: Manifest,
    base_dir: Path,
    reader: Reader,
    batch_size: int,
    workers: int,
    counters: Counter[str],
) -> Iterator[Mapped]:
    """Mapped batches in source order; ``counters`` receives the readers' defect tallies
    once the source is exhausted."""
    if workers <= 1:
        mapper = RowMapper(manifest)
        for batch in reader.batches(batch_size):
            yield [_finish(mapper(r)) for r in batch]
        counters.update(reader.counters)
        return
    ctx = multiprocessing.get_context("spawn")
    spec = manifest.model_dump(mode="json")
    queues = [ctx.Queue(maxsize=_QUEUE_DEPTH) for _ in range(workers)]
    procs = [
        ctx.Process(
            target=_work,
            args=(spec, str(base_dir), i, workers, batch_size, queues[i], os.getpid()),
            daemon=True,
        )
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    try:
        n = 0
        while True:
            kind, payload = _get(queues[n % workers], procs[n % workers])
            if kind == "batch":
                yield payload
                n += 1
                continue
            counters.update(payload)
            for i in range(1, workers):
                w = (n + i) % workers
                kind, payload = _get(queues[w], procs[w])
                counters.update(payload)
            return
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()


def _get(q: Any, proc: BaseProcess) -> tuple[str, Any]:
    while True:
        try:
            kind, payload = q.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if not proc.is_alive():
                raise RuntimeError(
                    f"an ingestion worker stopped unexpectedly (exit code {proc.exitcode})"
                ) from None
            continue
        if kind == "error":
            raise SourceFileError(payload)
        if kind == "crash":
            raise RuntimeError(f"an ingestion worker failed:\n{payload}")
        return kind, payload


def _work(
    spec: dict[str, Any],
    base_dir: str,
    index: int,
    count: int,
    size: int,
    out: Any,
    parent: int,
) -> None:
    def mine(n: int) -> bool:
        return n % count == index

    try:
        manifest = Manifest.model_validate(spec)
        reader = open_reader(manifest, Path(base_dir))
        mapper = RowMapper(manifest)
        for n, batch in enumerate(reader.batches(size, mine)):
            if mine(n):
                _put(out, ("batch", [_finish(mapper(r)) for r in batch]), parent)
                # What survives a batch is mostly normaliser caches; freezing it spares the
                # collector from re-walking them (a tenth of mapping time otherwise). A worker
                # lives for one source, so nothing stays frozen for long.
                gc.freeze()
        _put(out, ("end", dict(reader.counters)), parent)
        reader.close()
    except SourceFileError as exc:
        _put(out, ("error", str(exc)), parent)
    except BaseException:
        _put(out, ("crash", traceback.format_exc()), parent)


def _put(out: Any, item: tuple[str, Any], parent: int) -> None:
    """Send to the parent, giving up if it has died (a killed ingest must not leave
    workers blocked on a full queue forever)."""
    while True:
        try:
            out.put(item, timeout=_POLL_SECONDS)
            return
        except queue.Full:
            if os.getppid() != parent:
                os._exit(1)
