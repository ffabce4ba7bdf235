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
other core idle for much of its time. ``refresh`` then writes the keys, sorted, of the
records that are still current when it runs, and drops the keys of the versions the worker
found replaced. Keys made earlier are the keys ``refresh`` would make itself, since a
record's content never changes once stored. Which records are current may change meanwhile
(a new version, a retired document mention): a record no longer current gets none of the
made keys, and ``refresh`` goes on from the worker's last record as from its own watermark,
so a newer version above it is indexed, and its predecessor's keys dropped, as usual.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
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
    """What a ``KeysAside`` worker made: the keys of the records with ids in (``after``,
    ``upto``] that were current when it read them, sorted as the index stores them, in
    ``folder``; the ids of the older versions those records replace; and the keys' name
    words."""

    folder: Path
    after: int
    upto: int
    older: list[int]
    words: list[str]

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
    index stands where it stood when the worker began, else left (and said so)."""
    say = progress or (lambda _msg: None)
    done = Refreshed()
    words: set[str] = set()
    after = store.indexed_up_to(conn)
    if made is not None and made.after == after:
        say("indexing records for search (keys made while resolving)")
        _add_made(conn, made, words, done)
        for start in range(0, len(made.older), BATCH):
            _drop(conn, made.older[start : start + BATCH], done)
        after = made.upto
    elif made is not None:
        say("the search index moved while its keys were made: indexing here instead")
    if after < store.latest_record(conn):
        say("indexing records for search")
        for batch, older in _pending(conn, after):
            _drop(conn, older, done)
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
    worker if it still runs and removes its files).

    The worker is ``python -m linkwise.search.index``, a fresh interpreter told what to do
    on its standard input (the database URL may hold a password, which a command line
    would show to every user of the machine). It is not started through
    ``multiprocessing``, whose spawned children import the caller's main module again: a
    script without an ``if __name__ == "__main__"`` guard would run twice."""

    def __init__(self, process: subprocess.Popen[bytes], folder: Path) -> None:
        self._process = process
        self.folder = folder

    @classmethod
    def start(cls, engine: Engine, parent: Path | None = None) -> KeysAside | None:
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None  # another process cannot see an in-memory database
        with engine.connect() as conn:
            if store.latest_record(conn) - store.indexed_up_to(conn) < ASIDE_FROM:
                return None
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="search-keys-", dir=parent))
        task = {
            "url": url.render_as_string(hide_password=False),
            "folder": str(folder),
            "parent": os.getpid(),
        }
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "linkwise.search.index"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a failure is reported in failed.txt
            )
            assert process.stdin is not None
            process.stdin.write(json.dumps(task).encode())
            process.stdin.close()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cls(process, folder)

    def made(self) -> MadeKeys | None:
        """The worker's keys once it has finished; None when it failed (the caller then
        indexes in its own process, as without a worker)."""
        self._process.wait()
        done = self.folder / _DONE
        if self._process.returncode != 0 or not done.is_file():
            return None
        meta = json.loads(done.read_text(encoding="utf-8"))
        return MadeKeys(self.folder, meta["after"], meta["upto"], meta["older"], meta["words"])

    def failure(self) -> str:
        """Why the worker failed (after ``made`` returned None): the last line of the
        traceback it left, else its exit code."""
        path = self.folder / _FAILED
        lines = path.read_text(encoding="utf-8").strip().splitlines() if path.is_file() else []
        if lines:
            return lines[-1]
        return f"the worker stopped with exit code {self._process.returncode}"

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _make_keys(url: str, folder: Path, parent: int) -> None:
    """The worker: read the records above the index's watermark a batch at a time, write
    their keys, sort them as the index stores them, then write ``keys.json`` last (its
    presence says the keys are complete). It stops, removing its folder, if the process
    that started it is gone."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            start = after = store.indexed_up_to(conn)
            older: list[int] = []
            words: set[str] = set()
            with pq.ParquetWriter(folder / _UNSORTED, _KEYS) as writer:
                for batch, replaced in _pending(conn, after):
                    if os.getppid() != parent:
                        shutil.rmtree(folder, ignore_errors=True)
                        return
                    after = int(batch[-1]["id"])
                    older.extend(replaced)
                    keys, found = _keys_of(r for r in batch if r["is_current"])
                    words |= found
                    columns = list(zip(*keys, strict=True)) or [()] * len(_KEYS)
                    arrays = [pa.array(c, f.type) for c, f in zip(columns, _KEYS, strict=True)]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=_KEYS))
        _sort(folder / _UNSORTED, folder / _SORTED)
        if os.getppid() != parent:
            shutil.rmtree(folder, ignore_errors=True)
            return
        meta = {"after": start, "upto": after, "older": older, "words": sorted(words)}
        (folder / _DONE).write_text(json.dumps(meta), encoding="utf-8")
    finally:
        engine.dispose()


def _sort(source: Path, target: Path) -> None:
    """Sort the keys in the order of the index's primary key (the bytes of the text, then
    the record id: SQLite's order, and PostgreSQL's under the C collation), so that writing
    them fills the index in order instead of all over it (at five times the 100k demo
    world, 30% less time writing; development timing)."""
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


def _pending(conn: Connection, after: int) -> Iterator[tuple[list[dict[str, Any]], list[int]]]:
    """The records above ``after`` a batch at a time (any version, oldest first), each
    batch with the ids of the older versions its records replace."""
    while True:
        batch = store.records_after(conn, after, BATCH)
        if not batch:
            return
        after = int(batch[-1]["id"])
        yield batch, store.older_versions(conn, batch)


def _keys_of(rows: Iterable[dict[str, Any]]) -> tuple[list[tuple[str, str, str, int]], set[str]]:
    """The (kind, a, b, record_id) keys of ``rows`` and their name words."""
    keys: list[tuple[str, str, str, int]] = []
    words: set[str] = set()
    for row in rows:
        found = record_keys(row)
        keys.extend((k, a, b, int(row["id"])) for k, a, b in found)
        words |= vocabulary(found)
    return keys, words


def _index(conn: Connection, rows: list[dict[str, Any]], seen: set[str], done: Refreshed) -> None:
    keys, words = _keys_of(rows)
    keys.sort()
    store.add_keys(conn, keys)
    done.indexed += len(rows)
    _add_words(conn, words, seen)


def _add_made(conn: Connection, made: MadeKeys, seen: set[str], done: Refreshed) -> None:
    """Write the made keys of the records current now; count those records by their
    marker keys (kind "r")."""
    current = pa.array(store.current_ids_between(conn, made.after, made.upto), pa.int64())
    for batch in made.batches():
        kept = batch.filter(pc.is_in(batch.column("record_id"), value_set=current))
        store.add_keys(
            conn, list(zip(*(kept.column(i).to_pylist() for i in range(4)), strict=True))
        )
        done.indexed += pc.sum(pc.equal(kept.column("kind"), "r")).as_py() or 0
    _add_words(conn, set(made.words), seen)


def _add_words(conn: Connection, words: set[str], seen: set[str]) -> None:
    """Write the deletion variants of the name ``words`` not yet written in this refresh."""
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


def _main() -> None:
    """``python -m linkwise.search.index``: the ``KeysAside`` worker, its task as JSON on
    standard input. A failure's traceback goes to ``failed.txt`` in its folder."""
    task = json.loads(sys.stdin.read())
    folder = Path(task["folder"])
    try:
        _make_keys(task["url"], folder, int(task["parent"]))
    except BaseException:
        if folder.is_dir():
            (folder / _FAILED).write_text(traceback.format_exc(), encoding="utf-8")
        raise SystemExit(1) from None


if __name__ == "__main__":
    _main()
