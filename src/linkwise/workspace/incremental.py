"""Incremental resolution: link the records ingested since the last run, nothing else.

The saved model scores the new records against everyone (``resolve.incremental``); only
the entities those new links touch are clustered again, together with the new records,
from their stored links plus the new ones, under the same judgements and evidence rules as
a full run. Everything else (other entities, their links, their ids) is left as it is, so
the time follows the number of new records rather than the size of the workspace.

The prepared model input is kept beside the workspace so unchanged records are not
prepared again: the full run's table (``.linkwise/prepared.parquet``) and one file per
incremental run with the records it added (``prepared-run<id>.parquet``), which DuckDB
reads in place. Rewriting the whole table after each run would cost as much as reading it;
after ``MAX_PARTS`` runs the parts are folded into the full table again. A part is
written inside its run's transaction and read only once that run has completed, so a run
that fails leaves nothing behind that a later one would read. Each file is marked with
what made it (``resolve.prepare.prepared_mark``: the preparation's version and those of
the packages whose tables it reads): input kept under another mark is not reused, so the
first run after an upgrade that changes what preparation makes of a record is a full one.
With no previous full run, no saved model, no cache, or a cache under another mark or
unreadable, ``resolve`` falls back to a full run and says why (``why_full``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine

from linkwise.resolve.clustering import DateCheck, cluster_records
from linkwise.resolve.ids import assign_stable_ids
from linkwise.resolve.incremental import Resolved, name_rows, resolved_rows, score_new
from linkwise.resolve.name_order import NameOrder
from linkwise.resolve.namesakes import find_namesakes
from linkwise.resolve.pipeline import DATES_KEY, Resolution, clustering_edges, evidence_of
from linkwise.resolve.prepare import GenericValue, prepare, prepared_mark
from linkwise.search import index as search_index
from linkwise.store import resolution as store
from linkwise.workspace import resolution as full

CACHE_FILE = "prepared.parquet"
PART_PREFIX = "prepared-run"
VERSION_KEY = b"linkwise.prepared_version"
MAX_PARTS = 16
"""Incremental runs whose added records are kept in files of their own before all are
folded into one (each extra file costs DuckDB a little on every later run; folding costs
one pass over everything)."""
TOUCH = 0.01
"""A new link clusters the entity at its other end again only at this probability or more.
Weaker links (down to the run's floor, 0.001 by default) are stored all the same and count
against merges among the entities the run does cluster again, but they cannot carry a
record into an entity. Letting every stored link reach its entity made an incremental run
of 1% of the demo world take 8.3% of a full run's time instead of 7.0%, with the same
pairwise F1 to four decimals (docs/resolution.md, "Scoring")."""


def save_prepared(cache_dir: Path, table: pa.Table) -> None:
    """Keep ``table`` as the whole prepared input (a full run's): earlier parts go."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    _write(cache_dir / CACHE_FILE, table)
    for part in _parts(cache_dir).values():
        part.unlink(missing_ok=True)


def _write(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(path.name + ".part")
    marked = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), VERSION_KEY: prepared_mark().encode()}
    )
    pq.write_table(marked, tmp)
    tmp.replace(path)


def _state(path: Path) -> str:
    """ "current" when the kept file at ``path`` bears this installation's
    ``prepared_mark``, "other" when another (or none: a file from before files were marked),
    "unreadable" when it is not a Parquet file that can be read."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowInvalid):
        return "unreadable"
    return "current" if metadata.get(VERSION_KEY) == prepared_mark().encode() else "other"


def readable(path: Path) -> bool:
    """Whether the kept file at ``path`` exists and can be read (whatever its version)."""
    return path.is_file() and _state(path) != "unreadable"


def _parts(cache_dir: Path) -> dict[int, Path]:
    """Incremental runs' files by run id."""
    found: dict[int, Path] = {}
    for path in cache_dir.glob(f"{PART_PREFIX}*.parquet"):
        run = path.name[len(PART_PREFIX) : -len(".parquet")]
        if run.isdigit():
            found[int(run)] = path
    return found


def _cached(conn: Connection, cache_dir: Path) -> list[Path]:
    """The files holding the prepared input of completed runs."""
    parts = _parts(cache_dir)
    done = store.completed_runs(conn, sorted(parts))
    return [cache_dir / CACHE_FILE, *(parts[r] for r in sorted(done))]


def resolved_names(engine: Engine, cache_dir: Path) -> pa.Table | None:
    """Names and dates of birth of the records the completed runs resolved (``name_rows``
    of the kept model input), or None when no readable input is kept (no full run yet, or
    a damaged file the next run replaces)."""
    if not (cache_dir / CACHE_FILE).exists():
        return None
    with engine.connect() as conn:
        files = _cached(conn, cache_dir)
        if not all(readable(path) for path in files):
            return None
        resolved = Resolved(files, store.non_current_ids(conn))
    return name_rows(resolved, pa.table({"unique_id": pa.array([], pa.int64())}))


def _keep_added(cache_dir: Path, run_id: int, resolved: Resolved, added: pa.Table) -> None:
    """Keep the records a run ``added`` to the ``resolved`` ones: in a file of the run's
    own, or, once ``MAX_PARTS`` such files exist, all in one again."""
    if len(resolved.files) - 1 < MAX_PARTS:
        _write(cache_dir / f"{PART_PREFIX}{run_id}.parquet", added)
        return
    ids = added.column("unique_id").to_pylist()
    kept = resolved_rows(Resolved(resolved.files, [*resolved.dropped, *ids]))
    save_prepared(cache_dir, pa.concat_tables([kept, added]))


def why_full(engine: Engine, cache_dir: Path) -> str | None:
    """Why a run asked to be incremental must be a full one, or None when it need not: an
    incremental run needs a full run, its saved model and its prepared input, with every
    kept file prepared by this version of linkwise."""
    with engine.connect() as conn:
        if not store.has_full_run(conn):
            return "no full run has completed yet"
        if store.latest_model(conn) is None:
            return "no model is saved"
        if not (cache_dir / CACHE_FILE).is_file():
            return "the last full run's prepared input is not kept"
        states = {path.name: _state(path) for path in _cached(conn, cache_dir)}
    for state, why in (
        ("unreadable", "cannot be read"),
        ("other", "was made by another version of linkwise or of the name tables it reads"),
    ):
        names = [name for name, found in states.items() if found == state]
        if names:
            return f"the kept prepared input ({', '.join(names)}) {why}"
    return None


def resolve_incremental(
    engine: Engine,
    cache_dir: Path,
    *,
    threshold: float,
    floor: float,
    progress: Callable[[str], None] | None = None,
) -> full.ResolveOutcome:
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with engine.begin() as conn:
        run_id = store.start_run(conn, "incremental", threshold, floor)
    try:
        say("reading new and changed records")
        start = time.perf_counter()
        with engine.begin() as conn:
            store.drop_stale_members(conn)
        with engine.connect() as conn:
            model_row = store.latest_model(conn)
            assert model_row is not None
            version, model = model_row
            new_rows = store.current_person_rows(conn, unresolved=True)
            generic = store.generic_list(conn)
            history = store.judgements(conn)
            decisions = store.decisions_of(history)
            unhonoured = _unhonoured(conn, history, decisions)
            one_per_source = store.duplicate_free_sources(conn)
            resolved = Resolved(_cached(conn, cache_dir), store.non_current_ids(conn))
        timings["reading"] = time.perf_counter() - start
        if not new_rows and not unhonoured:
            with engine.begin() as conn:
                store.update_results(
                    conn,
                    run_id,
                    records=[],
                    links=[],
                    entity_rows=[],
                    previous_ids=[],
                    redirects=[],
                    review=[],
                    stats={"new_records": 0},
                    model_version=version,
                )
            return _outcome(
                run_id, 0, 0, 0, 0, 0, 0, {}, 0, len(generic), version, started, timings
            )
        start = time.perf_counter()
        known = [(g["field"], g["value"]) for g in generic]
        new_ids = [int(r["record_id"]) for r in new_rows]
        fresh = prepare(
            new_rows,
            known_generic=known,
            generic_min_people={},
            name_order=NameOrder.from_model(model),
        )
        timings["prepare"] = time.perf_counter() - start

        say(f"scoring {len(new_ids)} new record(s) with the saved model")
        pairs = score_new(fresh.table, resolved, model, floor=floor, timings=timings)

        start = time.perf_counter()
        say("clustering the touched entities again")
        new_set = set(new_ids)
        reaching = pairs.filter(pc.greater_equal(pairs.column("match_probability"), TOUCH))
        touched_records = {
            int(x)
            for x in pa.concat_arrays(
                [
                    reaching.column("unique_id_l").combine_chunks(),
                    reaching.column("unique_id_r").combine_chunks(),
                ]
            ).to_pylist()
        } - new_set
        with_dob = "gamma_dob" in pairs.column_names
        with engine.connect() as conn:
            membership = store.entity_of_records(conn, sorted(touched_records))
            touched = sorted(set(membership.values()) | unhonoured)
            members = store.members_of(conn, touched)
            affected = sorted(new_set | {r for rids in members.values() for r in rids})
            stored = store.links_among(conn, affected, "dob" if with_dob else None)
            valid = store.valid_identifiers(conn, affected)
            keys = store.record_keys(conn, affected)
        affected_set = set(affected)
        # a weaker link to an entity not touched stays a stored link, out of the clustering
        inside = pa.array(affected, pa.int64())
        among = pairs.filter(
            pc.and_(
                pc.is_in(pairs.column("unique_id_l"), value_set=inside),
                pc.is_in(pairs.column("unique_id_r"), value_set=inside),
            )
        )

        def column(name: str, stored_column: Any, dtype: Any) -> Any:
            return np.concatenate([among.column(name).to_numpy(), stored_column]).astype(dtype)

        namesakes = find_namesakes(name_rows(resolved, fresh.table), only=affected)
        edges = clustering_edges(
            column("unique_id_l", stored.left, np.int64),
            column("unique_id_r", stored.right, np.int64),
            column("match_weight", stored.weight, np.float64),
            column("gamma_dob", stored.level, np.int64)
            if with_dob and stored.level is not None
            else None,
            namesakes,
        )
        in_scope = pa.concat_tables(
            [resolved_rows(resolved, sorted(affected_set - new_set)), fresh.table]
        )
        evidence = evidence_of(in_scope, valid, [GenericValue(f, v, 0, 0) for f, v in known])
        by_key = {k: rid for rid, k in keys.items()}
        same, different = full._judged_pairs(decisions, by_key)
        same = [p for p in same if p[0] in affected_set and p[1] in affected_set]
        different = [p for p in different if p[0] in affected_set and p[1] in affected_set]
        clustering = cluster_records(
            affected,
            edges,
            threshold=threshold,
            evidence=evidence,
            must_link=same,
            cannot_link=different,
            one_per_source=one_per_source,
            strict_dates=strict_dates(model),
        )
        previous = {
            eid: frozenset(keys[r] for r in rids if r in keys) for eid, rids in members.items()
        }
        assignment = assign_stable_ids(
            previous,
            [frozenset(keys[r] for r in c) for c in clustering.clusters],
            new_id=full.new_entity_id,
        )
        timings["clustering"] = time.perf_counter() - start

        start = time.perf_counter()
        say("storing links and entities")
        linkage = _LinkageView(
            pairs, [c["output_column_name"] for c in model["comparisons"]], version
        )
        resolution = Resolution(linkage, clustering, [], threshold, edges)  # type: ignore[arg-type]
        index = full._positions(resolution)
        n_links = pairs.num_rows
        confidence = resolution.confidence()
        entity_rows = [
            store.EntityRow(
                eid, sorted(c), confidence.get(min(c), 1.0), full._via(sorted(c), links, index)
            )
            for eid, c, links in zip(
                assignment.ids, clustering.clusters, clustering.merged_by, strict=True
            )
        ]
        entity_of = {rid: e.id for e in entity_rows for rid in e.members}
        new_edges = clustering_edges(  # the new links among the records clustered again
            among.column("unique_id_l").to_numpy(),
            among.column("unique_id_r").to_numpy(),
            among.column("match_weight").to_numpy(),
            among.column("gamma_dob").to_numpy(zero_copy_only=False) if with_dob else None,
            namesakes,
        )
        review_view = Resolution(linkage, clustering, [], threshold, new_edges)  # type: ignore[arg-type]
        review = full._review_items(review_view, entity_of, decisions, keys)
        flags: dict[str, int] = {}
        for flag in clustering.flags:
            flags[flag.kind] = flags.get(flag.kind, 0) + 1
        stats = {
            "new_records": len(new_ids),
            "touched_entities": len(touched),
            "judged_entities": len(unhonoured),
            "reclustered_records": len(affected),
            "flags": flags,
            "timings": {k: round(v, 3) for k, v in timings.items()},
        }
        with engine.begin() as conn:
            store.update_results(
                conn,
                run_id,
                records=affected,
                links=full._link_chunks(resolution),
                entity_rows=entity_rows,
                previous_ids=touched,
                redirects=[(r.old_id, r.new_id, r.kind, r.records) for r in assignment.redirects],
                review=review,
                stats=stats,
                model_version=version,
            )
            # inside the transaction: a part is only read once its run has completed
            _keep_added(cache_dir, run_id, resolved, fresh.table)
            indexing = time.perf_counter()
            search_index.refresh(conn)  # the new records, in the same transaction
            timings["indexing"] = time.perf_counter() - indexing
        # storing: links, entities, the prepared-input cache and the commit
        timings["storing"] = time.perf_counter() - start - timings["indexing"]
    except Exception as exc:
        with engine.begin() as conn:
            store.fail_run(conn, run_id, f"{type(exc).__name__}: {exc}")
        raise
    kept = sum(1 for eid in assignment.ids if eid in previous)
    return _outcome(
        run_id,
        len(new_ids),
        n_links,
        len(entity_rows),
        kept,
        len(entity_rows) - kept,
        len(assignment.redirects),
        flags,
        len(review),
        len(generic),
        version,
        started,
        timings,
    )


def _unhonoured(
    conn: Connection,
    history: Sequence[store.Judgement],
    decisions: Mapping[tuple[store.RecordKey, store.RecordKey], str],
) -> set[str]:
    """Entities whose members a judgement made since the last run contradicts: records
    judged "same" in two entities, or "different" in one. This run clusters them again with
    the judgements as constraints, so a judgement holds from the next run on, not only from
    the next full one. Earlier judgements were applied by the run after them; one that hard
    evidence refused is flagged for review then, and is not clustered (and flagged) again
    at every run."""
    since = store.last_completed_start(conn)
    recent = {(jd.left, jd.right) for jd in history if since is None or jd.created_at >= since}
    ids = store.current_record_ids(conn, {key for pair in recent for key in pair})
    entity = store.entity_of_records(conn, sorted(ids.values()))
    found: set[str] = set()
    for (a, b), decision in decisions.items():
        if (a, b) not in recent:
            continue
        ea, eb = entity.get(ids.get(a, -1)), entity.get(ids.get(b, -1))
        if ea is None or eb is None:
            continue  # a record gone, or new and not yet in an entity
        if decision == "same" and ea != eb:
            found |= {ea, eb}
        elif decision == "different" and ea == eb:
            found.add(ea)
    return found


class _LinkageView:
    """What the shared link-row and review helpers read from a linkage."""

    def __init__(self, pairs: pa.Table, comparisons: list[str], version: str) -> None:
        self.pairs = pairs
        self.comparisons = comparisons
        self.model_version = version


def _outcome(
    run_id: int,
    records: int,
    links: int,
    entities: int,
    kept: int,
    new: int,
    redirects: int,
    flags: dict[str, int],
    review: int,
    generic: int,
    version: str,
    started: float,
    timings: dict[str, float],
) -> full.ResolveOutcome:
    """``generic`` counts the generic values in force: an incremental run finds none of
    its own, it blanks the last full run's."""
    return full.ResolveOutcome(
        run_id=run_id,
        records=records,
        links=links,
        entities=entities,
        kept_ids=kept,
        new_ids=new,
        redirects=redirects,
        flags=flags,
        generic=generic,
        review_items=review,
        model_version=version,
        timings={**timings, "total": time.perf_counter() - started},
    )


def strict_dates(model: Mapping[str, Any]) -> DateCheck | None:
    """The ``DateCheck`` the full run that trained ``model`` saved (its counts, judged
    ``strict`` by this version's bar), by which merges on full dates of birth that no slip
    explains are refused; None for a model saved before the check was (only dates years
    apart are refused then)."""
    return DateCheck.from_json(model.get(DATES_KEY))
