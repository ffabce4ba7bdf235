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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from linkwise.search.keys import deletions, record_keys, vocabulary
from linkwise.store import search_index as store

BATCH = 20_000


@dataclass
class Refreshed:
    indexed: int = 0
    dropped: int = 0


def refresh(
    conn: Connection,
    *,
    complete: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Refreshed:
    """Index the record versions added since the last refresh and drop the replaced ones;
    with ``complete``, also any current record missing from the index and any replaced
    record still in it."""
    done = Refreshed()
    words: set[str] = set()
    after = store.indexed_up_to(conn)
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


def _index(
    conn: Connection, rows: Iterable[dict[str, Any]], seen: set[str], done: Refreshed
) -> None:
    keys: list[tuple[str, str, str, int]] = []
    new_words: set[str] = set()
    for row in rows:
        found = record_keys(row)
        keys.extend((k, a, b, int(row["id"])) for k, a, b in found)
        new_words |= vocabulary(found)
        done.indexed += 1
    keys.sort()
    store.add_keys(conn, keys)
    new_words -= seen
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
