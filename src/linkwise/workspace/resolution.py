"""Resolving a workspace: its current records in, entities, links and review items out.

This is where the pure resolution steps meet the store: records are read in their current
versions, judgements (kept by stable record identity) become must- and cannot-links, the
clusters get stable ids from the previous run's membership, and everything the run decided
is written in one transaction, so a failed run leaves the previous results in place.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine

from linkwise.model.records import JsonText
from linkwise.resolve.blocking import blocking_recall, by_name, conditions
from linkwise.resolve.clustering import Link
from linkwise.resolve.engines import Engine as LinkageEngine
from linkwise.resolve.ids import assign_stable_ids
from linkwise.resolve.linkage import UnresolvableError, contributions_json
from linkwise.resolve.pipeline import DEFAULT_FLOOR, DEFAULT_THRESHOLD, Resolution, resolve
from linkwise.search import index as search_index
from linkwise.store import resolution as store
from linkwise.workspace.labels import LabelsError, read_labels

__all__ = [
    "DECISIONS",
    "DEFAULT_FLOOR",
    "DEFAULT_THRESHOLD",
    "ResolveError",
    "ResolveOutcome",
    "judge",
    "resolve_workspace",
]

DECISIONS = ("same", "different", "unsure")
REVIEW_LOW = 0.3
"""Links between this probability and the threshold are near misses worth a look."""
REVIEW_HIGH = 0.98
"""Links at or above the threshold but below this are weak joins worth a look."""


class ResolveError(ValueError):
    """Resolution cannot run (no records, a bad judgement): the message says why."""


@dataclass
class ResolveOutcome:
    run_id: int
    records: int
    links: int
    entities: int
    kept_ids: int
    new_ids: int
    redirects: int
    flags: dict[str, int]
    generic: int  # generic values in force (an incremental run blanks the full run's)
    review_items: int
    model_version: str
    timings: dict[str, float] = field(default_factory=dict)
    rules: list[tuple[str, int, bool]] = field(default_factory=list)
    labelled_pairs: int = 0
    """Pairs of a labels file the model was trained on (0: none given)."""


def new_entity_id() -> str:
    return f"E{uuid.uuid4().hex[:12].upper()}"


def resolve_workspace(
    engine: Engine,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = DEFAULT_FLOOR,
    mode: str = "full",
    progress: Callable[[str], None] | None = None,
    linkage_engine: LinkageEngine = "duckdb",
    cache_dir: Path | None = None,
    labels: Path | None = None,
) -> ResolveOutcome:
    """Resolve the store behind ``engine`` (SQLAlchemy); ``linkage_engine`` is where Splink
    trains and scores (DuckDB in process, or Spark). ``labels`` is a file of records known
    to be one person that the model also trains on (``linkwise.workspace.labels``); it is
    read, and refused if it cannot be used, before the run starts."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    labelled = None
    if labels is not None:
        say(f"reading labels {labels}")
        with engine.connect() as conn:
            record_of = store.current_ids_by_name(conn)
            quarantined = store.quarantined_keys(conn)
        try:
            labelled = read_labels(labels, record_of, quarantined)
        except LabelsError as exc:
            raise ResolveError(str(exc)) from None
        if labelled.quarantined:
            say(
                f"{labelled.quarantined:,} labelled record(s) were quarantined at ingestion "
                "and are left out"
            )
    with engine.begin() as conn:
        run_id = store.start_run(conn, mode, threshold, floor)
    aside = None
    try:
        # the search keys of records not yet indexed are made in a worker meanwhile
        aside = search_index.KeysAside.start(engine, cache_dir)
        with engine.connect() as conn:
            say("reading current records")
            keys = store.record_keys(conn)
            decisions = store.latest_decisions(conn)
            previous = store.previous_entities(conn)
            one_per_source = store.duplicate_free_sources(conn)
            if len(keys) < 2:
                raise ResolveError(
                    "the workspace holds fewer than two records: ingest sources first"
                )
            by_key = {k: rid for rid, k in keys.items()}
            same, different = _judged_pairs(decisions, by_key)
            # the records are streamed into preparation, never all held as objects
            try:
                resolution = resolve(
                    store.iter_current_person_rows(conn),
                    threshold=threshold,
                    floor=floor,
                    same=same,
                    different=different,
                    labels=labelled.pairs if labelled else (),
                    progress=progress,
                    engine=linkage_engine,
                    duplicate_free=one_per_source,
                )
            except UnresolvableError as exc:  # nothing to compare, nothing to learn from
                raise ResolveError(str(exc)) from None
        say("assigning stable entity ids")
        clusters = resolution.clustering.clusters
        assignment = assign_stable_ids(
            previous,
            [frozenset(keys[r] for r in c) for c in clusters],
            new_id=new_entity_id,
        )
        index = _positions(resolution)
        confidence = resolution.confidence()
        entity_rows = [
            store.EntityRow(
                eid,
                sorted(members),
                confidence.get(min(members), 1.0),
                _via(sorted(members), links, index),
            )
            for eid, members, links in zip(
                assignment.ids, clusters, resolution.clustering.merged_by, strict=True
            )
        ]
        entity_of = {rid: e.id for e in entity_rows for rid in e.members}
        review = _review_items(resolution, entity_of, decisions, keys)
        generic = [
            {"field": g.field, "value": g.value, "records": g.records, "people": g.people}
            for g in resolution.generic
        ]
        flags: dict[str, int] = defaultdict(int)
        for flag in resolution.clustering.flags:
            flags[flag.kind] += 1
        linkage = resolution.linkage
        stats = {
            "rules": [[r.name, r.pairs, r.kept] for r in linkage.rules],
            "comparisons": linkage.comparisons,
            "timings": {k: round(v, 3) for k, v in linkage.timings.items()},
            "flags": dict(flags),
            "judgements": {"same": len(same), "different": len(different)},
            **(
                {"labels": {**labelled.stats(), "judged_different": resolution.overruled_labels}}
                if labelled
                else {}
            ),
            "blocking_recall_on_judged_same": _judged_recall(resolution, same),
        }
        made, waited = None, time.perf_counter()
        if aside is not None:
            say("waiting for the search keys made meanwhile")
            made = aside.made()
            if made is None:
                say(f"making search keys here instead: {aside.failure()}")
        waited = time.perf_counter() - waited
        say("storing links and entities")
        storing = time.perf_counter()
        with engine.begin() as conn:
            store.save_model(conn, linkage.model_version, run_id, linkage_engine, linkage.model)
            store.replace_results(
                conn,
                run_id,
                links=_link_chunks(resolution),
                entity_rows=entity_rows,
                redirects=[(r.old_id, r.new_id, r.kind, r.records) for r in assignment.redirects],
                review=review,
                generic=generic,
                stats=stats,
                model_version=linkage.model_version,
            )
            indexing = time.perf_counter()
            # current whenever the results are; says what it indexes
            search_index.refresh(conn, complete=True, made=made, progress=say)
            indexing = time.perf_counter() - indexing
            if cache_dir is not None and resolution.table is not None:
                # inside the transaction: the cache never lags the results it goes with
                from linkwise.workspace.incremental import save_prepared

                save_prepared(cache_dir, resolution.table)
    except Exception as exc:
        with engine.begin() as conn:
            store.fail_run(conn, run_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if aside is not None:
            aside.close()
    kept = sum(1 for eid in assignment.ids if eid in previous)
    return ResolveOutcome(
        run_id=run_id,
        records=len(resolution.table) if resolution.table is not None else len(keys),
        links=resolution.linkage.pairs.num_rows,
        entities=len(entity_rows),
        kept_ids=kept,
        new_ids=len(entity_rows) - kept,
        redirects=len(assignment.redirects),
        flags=dict(flags),
        generic=len(generic),
        review_items=len(review),
        model_version=linkage.model_version,
        timings={
            **linkage.timings,
            # storing: links, entities, the prepared-input cache and the commit
            "storing": time.perf_counter() - storing - indexing,
            "indexing": indexing,
            # waiting for the search keys' worker (``search.index.KeysAside``) to finish
            "keys_wait": waited,
            "total": time.perf_counter() - started,
        },
        rules=[(r.name, r.pairs, r.kept) for r in linkage.rules],
        labelled_pairs=len(labelled.pairs) if labelled else 0,
    )


def _judged_recall(resolution: Resolution, same: Sequence[tuple[int, int]]) -> float | None:
    """Share of the pairs judged "same" that the run's blocking rules generate: without a
    truth file, the one direct measure of what blocking misses."""
    if not same or resolution.table is None:
        return None
    kept = by_name([r.name for r in resolution.linkage.rules if r.kept])
    return blocking_recall(resolution.table, conditions(kept), same).recall


def _judged_pairs(
    decisions: Mapping[tuple[store.RecordKey, store.RecordKey], str],
    by_key: Mapping[store.RecordKey, int],
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    same: list[tuple[int, int]] = []
    different: list[tuple[int, int]] = []
    for (a, b), decision in decisions.items():
        if a not in by_key or b not in by_key:
            continue  # a judged record no longer exists; the judgement stays on file
        pair = (by_key[a], by_key[b])
        if decision == "same":
            same.append(pair)
        elif decision == "different":
            different.append(pair)
    return same, different


LINK_CHUNK = 50_000
TEXT_BLOCK = 20 * LINK_CHUNK


def _link_chunks(resolution: Resolution) -> Iterator[store.LinkBatch]:
    """The scored pairs as batches of the links table's columns, ``LINK_CHUNK`` at a time:
    turning every column of millions of pairs into Python objects at once cost gigabytes.
    Contributions arrive as JSON text (``JsonText``): {comparison: [level, weight, tf
    adjustment]}, made ``TEXT_BLOCK`` pairs at a time: the text of millions of links is
    gigabytes on its own, and much smaller blocks lose DuckDB's parallel work (in an ad hoc
    timing, the text of a million made-up pairs took about twice as long in blocks of
    50,000 as in one)."""
    linkage = resolution.linkage
    version = linkage.model_version
    for at in range(0, linkage.pairs.num_rows, TEXT_BLOCK):
        block = linkage.pairs.slice(at, TEXT_BLOCK)
        texts = contributions_json(block, linkage.comparisons)
        for start in range(0, block.num_rows, LINK_CHUNK):
            part, text = block.slice(start, LINK_CHUNK), texts.slice(start, LINK_CHUNK)
            yield store.LinkBatch(
                record_l=part.column("unique_id_l").to_pylist(),
                record_r=part.column("unique_id_r").to_pylist(),
                match_probability=part.column("match_probability").to_pylist(),
                match_weight=part.column("match_weight").to_pylist(),
                match_key=pc.cast(part.column("match_key"), pa.string()).to_pylist(),
                contributions=list(map(JsonText, text.to_pylist())),
                model_version=version,
            )


def _positions(resolution: Resolution) -> dict[tuple[int, int], int]:
    """Row position (in the links inserted by this run) of each link that joined records
    into an entity, both ways round: what ``_via`` needs to name each member's link."""
    wanted = {
        (link.left, link.right)
        for links in resolution.clustering.merged_by
        for link in links
        if link.edge is not None
    }
    wanted |= {(b, a) for a, b in wanted}
    pairs = resolution.linkage.pairs
    left = pairs.column("unique_id_l").to_numpy()
    right = pairs.column("unique_id_r").to_numpy()
    found: dict[tuple[int, int], int] = {}
    for position, pair in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        if pair in wanted:
            found[pair] = found[(pair[1], pair[0])] = position
    return found


def _via(
    members: Sequence[int], links: Iterable[Link[int]], index: Mapping[tuple[int, int], int]
) -> dict[int, int | None]:
    """Per member, the link (row index) that attached it on the path from the entity's first
    record: a breadth-first walk over the links that built the entity."""
    adjacent: dict[int, list[int]] = defaultdict(list)
    for link in links:
        adjacent[link.left].append(link.right)
        adjacent[link.right].append(link.left)
    root = members[0]
    via: dict[int, int | None] = {root: None}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for other in adjacent[node]:
            if other not in via:
                via[other] = index.get((node, other))
                queue.append(other)
    for rid in members:
        via.setdefault(rid, None)
    return via


def _review_items(
    resolution: Resolution,
    entity_of: Mapping[int, str],
    decisions: Mapping[tuple[store.RecordKey, store.RecordKey], str],
    keys: Mapping[int, store.RecordKey],
) -> list[dict[str, Any]]:
    """Uncertain links and clustering flags, scored by how much a decision would change.

    A pair's priority is its uncertainty (4p(1-p): 1 at p = 0.5, 0 when sure) times the
    number of records whose entity the decision would move (both entities' sizes when the
    link is between entities, the smaller side otherwise). A flag (a merge the evidence
    refused, a record placed by a coin toss, a judgement against the evidence) is as
    uncertain as a pair can be: its priority is the number of records in the entities of
    its records. A merge refused by a reviewer's "different" on that very pair is no
    question left, and is not listed (nor is a judged pair's link).
    """
    sizes: dict[str, int] = defaultdict(int)
    for eid in entity_of.values():
        sizes[eid] += 1
    judged = {frozenset(pair) for pair in decisions}
    apart = {frozenset(pair) for pair, decision in decisions.items() if decision == "different"}
    items: list[dict[str, Any]] = []
    edges = resolution.edges
    probability = np.asarray(edges.probability)
    lefts, rights = np.asarray(edges.left), np.asarray(edges.right)
    for i in np.flatnonzero((probability >= REVIEW_LOW) & (probability < REVIEW_HIGH)):
        p = float(probability[i])
        left, right = int(lefts[i]), int(rights[i])
        if frozenset((keys[left], keys[right])) in judged:
            continue
        ea, eb = entity_of[left], entity_of[right]
        together = ea == eb
        if together and p >= resolution.threshold and p >= 0.9:
            moved = 1
        else:
            moved = sizes[ea] + (0 if together else sizes[eb])
        verdict = "joined" if together else "kept apart"
        items.append(
            {
                "kind": "uncertain_pair",
                "record_ids": [left, right],
                "priority": round(4 * p * (1 - p) * moved, 6),
                "match_probability": p,
                "reason": f"{p:.0%} likely the same person; {verdict} by this run",
            }
        )
    for flag in resolution.clustering.flags:
        ends = frozenset(keys[r] for r in flag.records[:2])
        if flag.kind == "cannot_link" and ends in apart:
            continue
        moved = sum(sizes[e] for e in {entity_of[r] for r in flag.records})
        items.append(
            {
                "kind": flag.kind,
                "record_ids": list(flag.records),
                "priority": float(moved),
                "match_probability": None,
                "reason": flag.reason,
            }
        )
    items.sort(key=lambda item: -item["priority"])
    return items


def judge(
    engine: Engine,
    left: store.RecordKey,
    right: store.RecordKey,
    decision: str,
    reviewer: str,
    rationale: str,
) -> int:
    if decision not in DECISIONS:
        raise ResolveError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if left == right:
        raise ResolveError("a judgement needs two different records")
    if not reviewer.strip():
        raise ResolveError("a judgement needs the reviewer's name")
    with engine.begin() as conn:
        for key in (left, right):
            if store.current_record_id(conn, key) is None:
                raise ResolveError(f"no current record {key[1]!r} in source id {key[0]}")
        return store.add_judgement(conn, left, right, decision, reviewer, rationale)
