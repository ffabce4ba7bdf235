"""The product's own path on the demo world: a workspace with the world's manifests,
ingestion (manifest-driven mapping and normalisation), ``resolve``, then the entities
written as ``file,record_id,entity_id,confidence`` for the shared scorer.

    python benchmarks/_linkwise_workspace.py WORLD_DIR OUT_DIR [--threshold P]

Files are named ``<source>.csv`` and record ids are source keys, as the benchmark's
truth.csv names them. Timings of each step are printed and written to OUT_DIR/steps.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import time
from pathlib import Path

from sqlalchemy import select

from linkwise.store import tables as t
from linkwise.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("world", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()
    root = args.out / "workspace"
    shutil.rmtree(root, ignore_errors=True)
    steps: dict[str, float] = {}
    start = time.perf_counter()
    ws, _ = Workspace.init(root)
    for manifest in sorted(args.world.glob("*.yaml")):
        ws.add_source(manifest)
    ws.ingest()
    steps["ingest"] = time.perf_counter() - start
    start = time.perf_counter()
    outcome = ws.resolve(full=True, threshold=args.threshold)
    steps["resolve"] = time.perf_counter() - start
    steps.update({f"resolve.{k}": v for k, v in outcome.timings.items()})
    r, s, m, e = t.records, t.sources, t.entity_members, t.entities
    query = (
        select(s.c.name, r.c.source_key, m.c.entity_id, e.c.confidence)
        .join(r, r.c.source_id == s.c.id)
        .join(m, m.c.record_id == r.c.id)
        .join(e, e.c.id == m.c.entity_id)
    )
    with ws.engine.connect() as conn, (args.out / "pred.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "record_id", "entity_id", "confidence"])
        for name, key, entity, confidence in conn.execute(query):
            writer.writerow([f"{name}.csv", key, entity, f"{confidence:.6f}"])
    ws.close()
    (args.out / "steps.json").write_text(json.dumps(steps, indent=2))
    print(json.dumps({k: round(v, 1) for k, v in steps.items()}))


if __name__ == "__main__":
    main()
