"""Drafting a full package of documents per case: all four kinds (affidavit, subpoena
request, application for a court order, records-correction notice), each as DOCX and PDF,
for 100 cases, on a generated demo world.

    .venv/bin/python benchmarks/drafting.py [--people 3000] [--cases 100] [--seed 11]

The world is generated, ingested and resolved into ``benchmarks/out/drafting/`` (SQLite),
and the cases opened, each with one subject (the entities with the most records first, so
packages have several sources, links to explain and discrepancies to report), by an analyst
in a criminal investigation; none of that is timed. Timed, per case: the four
``linkwise.workspace.drafting.draft`` calls, each a governed read that builds the case
package (records, provenance, explanations, timeline, discrepancies), composes the cited
draft from the pack template, renders DOCX and PDF, stores them with their hashes and
commits its audit event. The baseline the issue sets is a person drafting by hand
("seconds, not hours"); there is no software baseline to run beside it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import seed_case

from linkwise.demo import generate_world
from linkwise.model.documents import KINDS
from linkwise.store import cases as case_store
from linkwise.store import tables
from linkwise.workspace import Workspace
from linkwise.workspace import drafting as wd

OUT = Path(__file__).resolve().parent / "out" / "drafting"


def _build(people: int, seed: int) -> Workspace:
    shutil.rmtree(OUT, ignore_errors=True)
    world = OUT / "world"
    world.mkdir(parents=True)
    generate_world(world, people, seed)
    ws, _ = Workspace.init(OUT / "ws")
    for manifest in sorted(world.glob("*.yaml")):
        ws.add_source(manifest)
    ws.ingest()
    ws.resolve(full=True)
    return ws


def _subjects(ws: Workspace, n: int) -> list[str]:
    m = tables.entity_members
    query = (
        select(m.c.entity_id, func.count().label("n"))
        .group_by(m.c.entity_id)
        .order_by(func.count().desc(), m.c.entity_id)
        .limit(n)
    )
    with ws.engine.connect() as conn:
        return [str(row.entity_id) for row in conn.execute(query)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    started = time.perf_counter()
    ws = _build(args.people, args.seed)
    records = sum(s.records for s in ws.sources())
    print(
        f"world: {args.people:,} people, {records:,} records, built in "
        f"{time.perf_counter() - started:.1f} s (not timed below)",
        file=sys.stderr,
    )
    subjects = _subjects(ws, args.cases)
    cases = []
    for i, entity in enumerate(subjects):
        user, case = seed_case(ws, title=f"Benchmark case {i + 1}")
        with ws.engine.begin() as conn:
            case_store.insert_subject(
                conn,
                case_id=case.id,
                entity_id=entity,
                added_by=user.id,
                added_at=case.created_at,
                reason="benchmark subject",
            )
        cases.append((user, case))

    per_case: list[float] = []
    sizes = {"docx": 0, "pdf": 0}
    sentences = 0
    total_start = time.perf_counter()
    for user, case in cases:
        t0 = time.perf_counter()
        with ws.session(user, case.id) as session:
            for kind in KINDS:
                doc = wd.draft(session, kind)
                sentences += sum(1 for b in doc.content["blocks"] if b["citations"])
        per_case.append(time.perf_counter() - t0)
    total = time.perf_counter() - total_start
    with ws.engine.connect() as conn:
        for fmt in sizes:
            column = tables.documents.c[fmt]
            sizes[fmt] = int(conn.execute(select(func.sum(func.length(column)))).scalar() or 0)
    ws.close()

    n_docs = len(cases) * len(KINDS)
    ordered = sorted(per_case)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"\n### Drafting: {len(KINDS)} documents (DOCX + PDF) per case, "
        f"{len(cases)} cases, {args.people:,}-person demo world\n"
    )
    print("| measure | value |")
    print("|---|---|")
    print(f"| cases | {len(cases)} |")
    print(f"| documents drafted (each DOCX + PDF) | {n_docs} |")
    print(f"| cited sentences | {sentences:,} |")
    print(f"| total time | {total:.1f} s |")
    print(f"| per case, median | {statistics.median(per_case):.3f} s |")
    print(f"| per case, p95 | {p95:.3f} s |")
    print(f"| per document, mean | {total / n_docs * 1000:.0f} ms |")
    print(f"| DOCX / PDF stored | {sizes['docx'] / 1e6:.1f} MB / {sizes['pdf'] / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
