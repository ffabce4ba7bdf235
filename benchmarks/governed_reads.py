"""What governance costs a read: the same reads through the governed session and straight
from the store, in one run, on the demo world of 100,000 people.

    .venv/bin/python benchmarks/governed_reads.py [--reads 400] [--passes 3] [--db URL]

The world (seed 2026) is the accuracy benchmark's (generated on first use into
``benchmarks/out/resolve_accuracy/``); it is ingested and resolved once into
``benchmarks/out/governed_reads/`` (SQLite, or the database ``--db`` names), where the
demo's users, cases and authorisations are added (``seed_governance``), so decisions meet
real markings, authorisations and subject scopes. None of that is timed.

Reads, each timed end to end, for ``--reads`` entities drawn at random (seed 7):

- **entity view**: governed, ``session.entity(id)`` as analyst ``ana`` in case 1 (criminal
  investigation: every record's markings decided, prohibited evidence checked, benefit
  records unlocked for the subject only, the audit event with the disclosure record written
  and committed). Direct: the same rows read with the same store functions in one
  transaction (members, the summary fields, the links among them), nothing decided, nothing
  written.
- **record view**: ``session.record(source, key)`` vs ``record_versions`` for the same record
  with each value's origin worked out from its run's manifest, as the view shows them.
- **search**: ``session.search`` for the given and family name and the birth year of one
  of the entity's records, as an analyst types them into the search box, vs the same search
  on the store directly: the same index lookups, scoring every candidate on every field
  (nothing decided), grouping into entities, and the top 20 entities' members and values
  read for their key facts; nothing written.
- **match**: ``session.match`` on the given name, family name and date of birth of one of the
  entity's records vs the same matcher called directly (prepare, score, candidates, the
  candidates' values read).

- **entity view, audit event only**: the direct entity read with its audit event appended
  in the same transaction and nothing decided, in the "governed" columns: the floor under
  any governed read that is audited as issue 4 requires.
- **entity view, a session per read**: the entity view in a session opened for it alone,
  as each API or web request opens one (``Workspace.session``: the policy pack's record and
  the actor's admission checked in one transaction, then the read, handed the decisions the
  workspace keeps across its sessions), beside the same direct read.

The entity view, record view, search and match rows' governed reads all run in one
session, as a script's or a long-lived client's would: from the second read on, each is
handed its predecessor's decisions and what was worked out from them (docs/governance.md
"Each read").

Each path reads the whole sample ``--passes`` times (default 3), so that its p95 stands on
1,200 reads rather than 400: one pass's p95 moved by a tenth of the ratio from run to run.
Governed and direct calls alternate (direct first for even draws, governed first for odd,
the other way round in the next pass), after a warm-up of 20 of each, so caches and the
matcher are warm for both. The first pass reads each entity for the first time (the
governed and direct reads of it, one after the other, share that), the later ones again.
The table gives p50 and p95 per method over every pass, the ratio and the time governance
adds at p95 (p95 governed minus p95 direct). Targets (issue 4): at most 2x and at most 5 ms
added at p95. A second table gives each pass's p95 ratio on its own, and p99 and the
slowest read of each, where the odd commit that checkpoints SQLite's write-ahead log (or
brings the audit log's subject index up to date) shows.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _datasets import ensure_demo_world
from linkwise.govern import audit
from linkwise.govern.views import SUMMARY_FIELDS
from linkwise.model.fields import RECORD_COLUMNS
from linkwise.model.manifest import Manifest
from linkwise.model.provenance import value_origins
from linkwise.search.candidates import candidate_ids
from linkwise.search.query import build_query
from linkwise.search.scoring import combine, score_record
from linkwise.store import reads
from linkwise.store import records as record_store
from linkwise.store import search_index as search_store
from linkwise.store import tables as t
from linkwise.workspace import Workspace
from linkwise.workspace import matching as matching_mod
from linkwise.workspace.demo_governance import demo_password, seed_governance

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "governed_reads"
WARMUP = 20


def build(db: str | None, world: Path | None, out: Path) -> Workspace:
    root = out / "workspace"
    marker = out / "ready"
    if marker.is_file() and db is None:
        ws, _ = Workspace.init(root)  # brings a reused workspace's schema up to this version's
        return ws
    shutil.rmtree(root, ignore_errors=True)
    world = world or ensure_demo_world()
    print(f"ingesting and resolving {world} into {root} (not timed)", flush=True)
    ws, _ = Workspace.init(root, db)
    for manifest in sorted(world.glob("*.yaml")):
        ws.add_source(manifest)
    ws.ingest()
    ws.resolve(full=True)
    seed_governance(ws)
    if db is None:
        marker.write_text("ok\n")
    return ws


def entity_sample(ws: Workspace, n: int) -> list[str]:
    with ws.engine.connect() as conn:
        ids = sorted(
            conn.execute(select(t.entities.c.id).where(t.entities.c.status == "active")).scalars()
        )
    return random.Random(7).sample(ids, min(n, len(ids)))


def direct_entity(ws: Workspace, entity_id: str) -> dict[str, Any]:
    with ws.engine.connect() as conn:
        members = reads.entity_member_rows(conn, entity_id)
        ids = [row.id for row, _ in members]
        values = reads.person_values(conn, ids)
        records = [
            {"record_id": i, "fields": {f: values[i].get(f) for f in SUMMARY_FIELDS}} for i in ids
        ]
        return {"id": entity_id, "records": records, "links": reads.links_among(conn, ids)}


def audited_entity(ws: Workspace, entity_id: str) -> dict[str, Any]:
    """The floor any governed read stands on: the direct entity read plus its audit event,
    written in the same transaction (as issue 4 requires), nothing decided."""
    with ws.engine.begin() as conn:
        members = reads.entity_member_rows(conn, entity_id)
        ids = [row.id for row, _ in members]
        values = reads.person_values(conn, ids)
        records = [
            {"record_id": i, "fields": {f: values[i].get(f) for f in SUMMARY_FIELDS}} for i in ids
        ]
        found = {"id": entity_id, "records": records, "links": reads.links_among(conn, ids)}
        audit.record(
            conn,
            actor="bench",
            action="entity.view",
            objects={"entity_ids": [entity_id], "record_ids": ids},
            case_id=1,
        )
        return found


def direct_record(ws: Workspace, source: str, key: str) -> Any:
    """Every version with each value's origin, as the record view returns it."""
    with ws.engine.connect() as conn:
        versions = record_store.record_versions(conn, source, key)
    for item in versions:
        manifest = Manifest.model_validate(item["run_manifest"])
        canonical = {c: item[c] for c in RECORD_COLUMNS}
        item["origins"] = value_origins(manifest, dict(item["raw"] or {}), canonical, item["notes"])
    return versions


def direct_match(ws: Workspace, fields: dict[str, str]) -> Any:
    record = matching_mod.normalize_fields(fields)
    matcher = ws.matcher().matcher()
    probe = matcher.prepare_record(record)
    pairs = matcher.score(probe, threshold=matching_mod.DEFAULT_THRESHOLD)
    candidates = matcher.candidates(probe, pairs, matching_mod.DEFAULT_TOP)
    with ws.engine.connect() as conn:
        ids = [r.record_id for c in candidates for r in c.records]
        return reads.person_values(conn, ids)


def direct_search(ws: Workspace, text: str, limit: int = 20) -> Any:
    """The search without governance: candidates, scores on every field, the best entities
    and their members' values, read in one transaction; nothing decided or written."""
    query = build_query(text)
    with ws.engine.connect() as conn:
        rows = search_store.candidates(conn, candidate_ids(conn, query))
        best: dict[str, dict[str, Any]] = defaultdict(dict)
        for row in rows:
            for name, hit in score_record(query, row, lambda _field: True).items():
                held = best[str(row["entity_id"])].get(name)
                if held is None or hit.score > held.score:
                    best[str(row["entity_id"])][name] = hit
        ranked = sorted(best, key=lambda e: (-combine(query, best[e]), e))[:limit]
        members = {e: [r.id for r, _ in reads.entity_member_rows(conn, e)] for e in ranked}
        values = reads.person_values(conn, [i for ids in members.values() for i in ids])
        return [(e, [values[i] for i in members[e]]) for e in ranked]


def timed(call: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call (CPU time is what other jobs on the machine
    cannot inflate)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument(
        "--passes", type=int, default=3, help="Times each path reads the whole sample."
    )
    parser.add_argument("--db", default=None, help="Database URL (default: SQLite in out/).")
    parser.add_argument("--world", type=Path, default=None, help="Another generated world.")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ws = build(args.db, args.world, args.out)
    password = demo_password(ws).read_text().strip()
    ana = ws.login("ana", password)
    sample = entity_sample(ws, args.reads + WARMUP)
    with ws.engine.connect() as conn:
        probes = {}
        for entity_id in sample:
            row, _ = reads.entity_member_rows(conn, entity_id)[0]
            values = reads.person_values(conn, [row.id])[row.id]
            probes[entity_id] = (row.source, row.source_key, values)
    results: dict[str, dict[str, list[list[tuple[float, float]]]]] = {}
    with ws.session(ana, 1) as session:

        def entity_pair(e: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
            return (lambda: session.entity(e)), (lambda: direct_entity(ws, e))

        def record_pair(e: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
            source, key, _ = probes[e]
            return (lambda: session.record(source, key)), (lambda: direct_record(ws, source, key))

        def match_pair(e: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
            _, _, values = probes[e]
            fields = {
                f: str(values[f]) for f in ("given_name", "family_name", "dob") if values.get(f)
            }
            fields = fields or {"family_name": "smith"}
            return (lambda: session.match(fields)), (lambda: direct_match(ws, fields))

        def search_pair(e: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
            _, _, values = probes[e]
            words = [str(values[f]) for f in ("given_name", "family_name") if values.get(f)]
            dob = values.get("dob")
            if dob:
                words.append(str(dob)[:4])
            text = " ".join(words) or "smith"
            return (lambda: session.search(text)), (lambda: direct_search(ws, text))

        def floor_pair(e: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
            return (lambda: audited_entity(ws, e)), (lambda: direct_entity(ws, e))

        def one_session_pair(e: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
            def alone() -> Any:
                with ws.session(ana, 1) as own:
                    return own.entity(e)

            return alone, (lambda: direct_entity(ws, e))

        for name, pair in (
            ("entity view", entity_pair),
            ("entity view, audit event only", floor_pair),
            ("entity view, a session per read", one_session_pair),
            ("record view", record_pair),
            ("search", search_pair),
            ("match", match_pair),
        ):
            governed: list[list[tuple[float, float]]] = []
            direct: list[list[tuple[float, float]]] = []
            for rep in range(args.passes):
                governed.append([])
                direct.append([])
                for i, entity_id in enumerate(sample):
                    gov_call, direct_call = pair(entity_id)
                    order = [(direct[-1], direct_call), (governed[-1], gov_call)]
                    if (i + rep) % 2:
                        order.reverse()
                    for bucket, call in order:
                        ms = timed(call)
                        if i >= WARMUP:
                            bucket.append(ms)
            results[name] = {"governed": governed, "direct": direct}
            print(f"{name}: done", flush=True)
    with ws.engine.connect() as conn:
        records = conn.execute(select(t.records.c.id).where(t.records.c.is_current)).all()
    backend = ws.engine.dialect.name
    ws.close()
    print()
    print(
        f"Governed reads vs the store directly: {len(records):,} records, {backend}, "
        f"{args.reads} reads per path; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print()
    header = (
        "| read | direct p50 | direct p95 | governed p50 | governed p95 | ratio p95 "
        "| added p95 | CPU direct / governed (mean) |"
    )
    print(header)
    print("|---|---|---|---|---|---|---|---|")
    for name, got in results.items():
        d = [w for each in got["direct"] for w, _ in each]
        g = [w for each in got["governed"] for w, _ in each]
        cpu_d = statistics.mean(c for each in got["direct"] for _, c in each)
        cpu_g = statistics.mean(c for each in got["governed"] for _, c in each)
        print(
            f"| {name} | {statistics.median(d):.2f} ms | {p95(d):.2f} ms | "
            f"{statistics.median(g):.2f} ms | {p95(g):.2f} ms | {p95(g) / p95(d):.2f}x | "
            f"{p95(g) - p95(d):+.2f} ms | {cpu_d:.2f} / {cpu_g:.2f} ms |"
        )
    print()
    print(
        "Each pass on its own (the first reads each entity cold: only the warm-up's were "
        "read before), and the tails (a checkpoint of SQLite's write-ahead log, or the audit "
        "index's batch, lands on the odd read):"
    )
    print()
    print(
        "| read | ratio p95, pass by pass | direct p99 | direct max | governed p99 | governed max |"
    )
    print("|---|---|---|---|---|---|")
    for name, got in results.items():
        passes = ", ".join(
            f"{p95([w for w, _ in g_]) / p95([w for w, _ in d_]):.2f}x"
            for g_, d_ in zip(got["governed"], got["direct"], strict=True)
        )
        d = [w for each in got["direct"] for w, _ in each]
        g = [w for each in got["governed"] for w, _ in each]
        print(
            f"| {name} | {passes} | {p99(d):.2f} ms | {max(d):.2f} ms | {p99(g):.2f} ms | "
            f"{max(g):.2f} ms |"
        )


if __name__ == "__main__":
    main()
