"""Keeping the search index current.

The index holds keys of record *versions*, not entities: which entity a record belongs to is
read from the resolution results at query time, so merges, splits and judgements never make
the index stale. What changes the index is a new record version (ingestion, a confirmed
dispute's correction), and every new version has a higher id than any before it. So the
index keeps a watermark (the highest record id it holds, an index seek) and ``refresh``
indexes what lies above it, dropping the keys of the versions the new ones replace.

``refresh`` runs inside resolution's storing transaction (full and incremental), so the
index is current whenever results are, and the rows a search reads never lag the entities
it groups them into; a full run also checks the whole index (``complete``). A search calls
it too, which costs one seek when nothing changed (records ingested but not yet resolved
are indexed then, and found once resolution puts them in an entity). On PostgreSQL an
ingestion batch can commit after a later batch did, leaving a record under the watermark;
the next full resolution's complete check picks it up.

A run with many records to index has their keys made beforehand, in a worker process
(``KeysAside``), while the run itself reads, trains, scores and clusters: making keys is
single-threaded Python over every record, and a resolving process leaves the machine's
other cores idle for much of its time. ``refresh`` then only writes the keys, sorted. Keys
made earlier are the keys ``refresh`` would make itself: a record's content never changes
once stored. What may change meanwhile is which version is current, and a version is
replaced only by a newer one, with a higher id than any the worker read: ``refresh`` goes
on from the worker's last id as from its own watermark, and drops the replaced version's
keys on meeting the new one.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, create_engine

from linkwise.search.keys import deletions, record_keys, vocabulary
from linkwise.store import search_index as store

BATCH = 20_000
ASIDE_FROM = 50_000
"""Records to index from which a run has their keys made aside (``KeysAside``): below it
starting a process costs more than it saves."""
_KEYS = pa.schema(
    [("kind", pa.string()), ("a", pa.string()), ("b", pa.string()), ("record_id", pa.int64())]
)
_SORTED, _UNSORTED, _DONE, _FAILED = "keys.parquet", "unsorted.parquet", "keys.json", "failed.txt"


@dataclass
class Refreshed:
    indexed: int = 0
    dropped: int = 0


@dataclass
class MadeKeys:
    """What a ``KeysAside`` worker made: the keys of the current records with ids in
    (``after``, ``upto``], sorted as the index stores them, in ``folder``; the ids of the
    older versions those records replace; and the name words of the keys."""

    folder: Path
    after: int
    upto: int
    older: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from pq.ParquetFile(self.folder / _SORTED).iter_batches(50_000)


def refresh(
    conn: Connection,
    *,
    complete: bool = False,
    progress: Callable[[str], None] | None = None,
    made: MadeKeys | None = None,
) -> Refreshed:
    """Index the record versions added since the last refresh and drop the replaced ones;
    with ``complete``, also any current record missing from the index and any replaced
    record still in it. ``made`` is keys a worker made for this refresh: used when the
    index stands where it stood when the worker began, else ignored."""
    done = Refreshed()
    words: set[str] = set()
    after = store.indexed_up_to(conn)
    if made is not None and made.after == after:
        if progress is not None:
            progress("indexing records for search (keys made while resolving)")
        _drop(conn, made.older, done)
        _add_made(conn, made, words, done)
        after = made.upto
    if after < store.latest_record(conn):
        if progress is not None:
            progress("indexing records for search")
        while True:
            batch = store.records_after(conn, after, BATCH)
            if not batch:
                break
            after = int(batch[-1]["id"])
            _drop(conn, store.older_versions(conn, batch), done)
            _index(conn, [r for r in batch if r["is_current"]], words, done)
    if complete:
        _drop(conn, store.indexed_not_current(conn), done)
        missing = store.unindexed_current(conn)
        for start in range(0, len(missing), BATCH):
            _index(conn, store.records(conn, missing[start : start + BATCH]), words, done)
    return done


class KeysAside:
    """A worker process making the search keys of the records the index lacks, while the
    caller goes on; ``made()`` waits for it. Use ``start`` (None when there is too little
    to index to be worth a process, or the store is in memory) and ``close`` (stops the
    worker if it still runs and removes its files)."""

    def __init__(self, process: BaseProcess, folder: Path) -> None:
        self._process = process
        self.folder = folder

    @classmethod
    def start(cls, engine: Engine, parent: Path | None = None) -> KeysAside | None:
        if engine.url.get_backend_name() == "sqlite" and engine.url.database in (
            None,
            "",
            ":memory:",
        ):
            return None  # another process cannot see an in-memory database
        with engine.connect() as conn:
            if store.latest_record(conn) - store.indexed_up_to(conn) < ASIDE_FROM:
                return None
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="search-keys-", dir=parent))
        url = engine.url.render_as_string(hide_password=False)
        process = multiprocessing.get_context("spawn").Process(
            target=_make_keys, args=(url, str(folder)), daemon=True
        )
        process.start()
        return cls(process, folder)

    def made(self) -> MadeKeys | None:
        """The worker's keys once it has finished; None when it failed (the caller then
        indexes in its own process, as without a worker)."""
        self._process.join()
        done = self.folder / _DONE
        if self._process.exitcode != 0 or not done.is_file():
            return None
        meta = json.loads(done.read_text(encoding="utf-8"))
        return MadeKeys(self.folder, meta["after"], meta["upto"], meta["older"], meta["words"])

    def failure(self) -> str | None:
        """What the worker reported when it failed (after ``made`` returned None)."""
        path = self.folder / _FAILED
        if path.is_file():
            return path.read_text(encoding="utf-8")
        return f"the worker stopped with exit code {self._process.exitcode}"

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def _make_keys(url: str, folder: str) -> None:
    """The worker: read the records above the index's watermark a batch at a time, write
    their keys, sort them as the index stores them, then write ``keys.json`` last (its
    presence says the keys are complete)."""
    out = Path(folder)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            start = after = store.indexed_up_to(conn)
            older: list[int] = []
            words: set[str] = set()
            with pq.ParquetWriter(out / _UNSORTED, _KEYS) as writer:
                while True:
                    batch = store.records_after(conn, after, BATCH)
                    if not batch:
                        break
                    after = int(batch[-1]["id"])
                    older.extend(store.older_versions(conn, batch))
                    keys, found = _keys_of([r for r in batch if r["is_current"]])
                    words |= found
                    columns = list(zip(*keys, strict=True)) or [()] * len(_KEYS)
                    writer.write_table(
                        pa.Table.from_arrays(
                            [pa.array(c, f.type) for c, f in zip(columns, _KEYS, strict=True)],
                            schema=_KEYS,
                        )
                    )
        _sort(out / _UNSORTED, out / _SORTED)
        meta = {"after": start, "upto": after, "older": older, "words": sorted(words)}
        (out / _DONE).write_text(json.dumps(meta), encoding="utf-8")
    except BaseException:
        (out / _FAILED).write_text(traceback.format_exc(), encoding="utf-8")
        raise
    finally:
        engine.dispose()


def _sort(source: Path, target: Path) -> None:
    """Sort the keys as the index's primary key orders them (byte order of the text, then
    the record id), so that writing them fills the index in order instead of all over it
    (at five times the 100k demo world, 30% less time writing; development timing)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")
        con.execute("SET memory_limit = '512MB'")
        con.execute(f"SET temp_directory = {_quoted(source.parent / 'spill')}")
        con.execute(
            f"COPY (SELECT * FROM read_parquet({_quoted(source)}) "
            f"ORDER BY kind, a, b, record_id) TO {_quoted(target)} (FORMAT parquet)"
        )
    finally:
        con.close()
    source.unlink()


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _keys_of(rows: Iterable[dict[str, Any]]) -> tuple[list[tuple[str, str, str, int]], set[str]]:
    """The (kind, a, b, record_id) keys of ``rows``, sorted, and their name words."""
    keys: list[tuple[str, str, str, int]] = []
    words: set[str] = set()
    for row in rows:
        found = record_keys(row)
        keys.extend((k, a, b, int(row["id"])) for k, a, b in found)
        words |= vocabulary(found)
    keys.sort()
    return keys, words


def _add_made(conn: Connection, made: MadeKeys, seen: set[str], done: Refreshed) -> None:
    for batch in made.batches():
        columns = [batch.column(i).to_pylist() for i in range(4)]
        store.add_keys(conn, list(zip(*columns, strict=True)))
        done.indexed += sum(1 for kind in columns[0] if kind == "r")
    _add_words(conn, set(made.words), seen)


def _index(
    conn: Connection, rows: Iterable[dict[str, Any]], seen: set[str], done: Refreshed
) -> None:
    rows = list(rows)
    keys, words = _keys_of(rows)
    done.indexed += len(rows)
    store.add_keys(conn, keys)
    _add_words(conn, words, seen)


def _add_words(conn: Connection, words: set[str], seen: set[str]) -> None:
    """Add the deletion variants of the name words not yet added in this refresh."""
    new_words = words - seen
    seen |= new_words
    store.add_terms(conn, sorted((v, w) for w in new_words for v in deletions(w)))


def _drop(conn: Connection, ids: list[int], done: Refreshed) -> None:
    if not ids:
        return
    keys = [
        (k, a, b, int(row["id"]))
        for row in store.records(conn, ids)
        for k, a, b in record_keys(row)
    ]
    store.drop_keys(conn, keys)
    done.dropped += len(ids)
