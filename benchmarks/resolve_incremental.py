"""Incremental resolution beside a full one, on the demo world.

    python benchmarks/resolve_incremental.py [--world DIR] [--share 0.01] [--out DIR]

The public-records source is cut: its last ``share`` of the world's records (1% by
default) is held back. The workspace ingests the cut world and resolves it in full; then the
held-back rows arrive (the full file is ingested again: unchanged rows add nothing) and
``linkwise resolve`` runs incrementally. Finally a full run re-resolves everything. The
table gives each run's time and the pairwise and B-cubed F1 of the resulting entities
against the world's truth (``linkwise.evaluate``), so the two can be compared: the issue
asks for at most 0.005 pairwise F1 between them and an incremental run under 10% of the
full time. Each run's line also gives the seconds of its phases (``ResolveOutcome.timings``).

A missing world is generated first (seed 2026): the default one with 100,000 people, as
``resolve_accuracy.py`` makes it, a ``world-<people>`` one with that many, as
``resolve_1m.py`` does.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import time
from pathlib import Path

from linkwise.workspace import Workspace

BENCH = Path(__file__).resolve().parent
DEFAULT_WORLD = BENCH / "out" / "resolve_accuracy" / "demo_100k_world"


def _ensure_world(world: Path) -> Path:
    """Generate the world when missing: the default one as ``resolve_accuracy.py`` makes
    it (100,000 people), a ``world-<people>`` one as ``resolve_1m.py`` does."""
    if (world / "world.json").exists() and (world / "truth.csv").exists():
        return world
    from linkwise.demo import generate_world

    sized = re.fullmatch(r"world-(\d+)", world.name)
    people = int(sized.group(1)) if sized else 100_000
    print(f"generating a demo world of {people:,} people in {world} ...", flush=True)
    generate_world(world, people, seed=2026)
    return world


def _cut(world: Path, work: Path, share: float) -> tuple[Path, int]:
    """Copy the world to ``work`` with the public-records file missing its last rows."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(world, work)
    with (world / "truth.csv").open(newline="", encoding="utf-8") as fh:
        total = sum(1 for _ in fh) - 1
    held = max(1, int(total * share))
    source = work / "public_records.csv"
    raw = source.read_bytes()
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter="|"))
    with source.open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh, delimiter="|", lineterminator="\n").writerows(rows[: len(rows) - held])
    (work / "public_records.full.csv").write_bytes(raw)
    return work, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, default=DEFAULT_WORLD)
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "resolve_incremental")
    args = parser.parse_args()
    world, held = _cut(_ensure_world(args.world), args.out / "world", args.share)
    root = args.out / "workspace"
    shutil.rmtree(root, ignore_errors=True)
    ws, _ = Workspace.init(root)
    for manifest in sorted(world.glob("*.yaml")):
        ws.add_source(manifest)
    ws.ingest()
    rows = []

    def measure(label: str, full: bool) -> None:
        start = time.perf_counter()
        outcome = ws.resolve(full=full)
        seconds = time.perf_counter() - start
        report = ws.evaluate(world / "truth.csv").to_dict()
        rows.append(
            (
                label,
                outcome.records,
                seconds,
                report["pairwise"]["f1"],  # type: ignore[index]
                report["bcubed"]["f1"],  # type: ignore[index]
            )
        )
        phases = ", ".join(f"{k} {v:.1f}" for k, v in outcome.timings.items())
        print(f"{label}: {seconds:.1f} s ({phases}), pairwise F1 {rows[-1][3]:.4f}", flush=True)

    measure("full, before the new records", True)
    shutil.copy(world / "public_records.full.csv", world / "public_records.csv")
    ws.ingest(["public_records"])
    measure(f"incremental, {held} new records", False)
    measure("full, all records", True)
    ws.close()
    print()
    print("| run | records linked | time (s) | pairwise F1 | B-cubed F1 |")
    print("|---|---|---|---|---|")
    for label, records, seconds, f1, b3 in rows:
        print(f"| {label} | {records:,} | {seconds:.1f} | {f1:.4f} | {b3:.4f} |")
    inc, full = rows[1], rows[2]
    print()
    print(
        f"incremental vs full: time {inc[2] / full[2]:.1%}, "
        f"pairwise F1 difference {abs(inc[3] - full[3]):.4f}"
    )


if __name__ == "__main__":
    main()
