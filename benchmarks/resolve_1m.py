"""Speed, memory and blocking recall of a full resolution at 1M records, beside bare Splink.

    python benchmarks/resolve_1m.py [--people 505000] [--only linkwise|splink_tutorial]

The demo world of ``--people`` people (505,000 give about 1M records over its six
structured sources) is generated once into ``benchmarks/out/world-<people>`` and ingested
once into a workspace under ``benchmarks/out/resolve_1m/``; ingestion has its own
benchmark (``ingest_1m.py``) and is not timed here. Then, each in its own process with the
peak RSS of its process tree sampled every 50 ms:

* **splink_tutorial**: Splink 5 alone, configured as its 50k person-data example (the same
  baseline as ``resolve_accuracy.py``, on the same canonical columns): load the records,
  estimate the prior, u and m, predict, and cluster (connected components at 0.95).
* **splink_lean**: the same Splink model keeping nothing the clusters do not need (no
  compared values or per-comparison columns, pairs scored at or above 0.95 only): the
  fastest bare-Splink run of the configuration, a stricter reading beside the target's
  (issue 3 reads its time target against Splink with its tutorial configuration, the row
  above).
* **linkwise**: ``linkwise resolve --full`` on the workspace: read the records from the
  store, prepare, choose blocking rules, train, predict, cluster under constraints, assign
  stable ids, and store every link (with its per-comparison contributions), entity, member
  path, review item and generic value.

Both are scored by the independent ``../shared/tools/er_score.py``. Blocking recall is the
share of true matching pairs that at least one blocking rule generates (a pair no rule
generates is never scored): linkwise's comes from ``linkwise evaluate`` (the product's own
figure), Splink's from the same function applied to the tutorial rules. Results go to
``benchmarks/out/resolve_1m/results.json`` and a table on stdout.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from resolve_accuracy import PYTHON, Invocation, measure, score  # noqa: E402

LINKWISE = ROOT / ".venv" / "bin" / "linkwise"
OUT = BENCH / "out" / "resolve_1m"
METHODS = ("splink_tutorial", "splink_lean", "linkwise")


def world_dir(people: int) -> Path:
    world = BENCH / "out" / f"world-{people}"
    if not (world / "world.json").exists():
        from linkwise.demo import generate_world

        print(f"generating a demo world of {people:,} people in {world} ...", flush=True)
        generate_world(world, people, seed=2026)
    return world


def dataset_dir(world: Path) -> Path:
    """The world as the baselines read it (canonical CSV per source, truth.csv)."""
    import _datasets

    folder = OUT / "dataset"
    if not (folder / "dataset.json").exists():
        print("writing the baseline's canonical dataset ...", flush=True)
        ds = _datasets.load_demo(world)
        ds.name = "demo_1m"
        _datasets.write_dataset(ds, folder)
    return folder


def workspace_dir(world: Path) -> Path:
    """A fresh copy of the ingested world (ingested once into ``ingested/``), so each run
    is a first full resolution."""
    from linkwise.workspace import Workspace

    pristine = OUT / "ingested"
    done = OUT / "ingested.txt"
    if not done.exists():
        print("ingesting the world into a workspace (not timed) ...", flush=True)
        shutil.rmtree(pristine, ignore_errors=True)
        ws, _ = Workspace.init(pristine)
        for manifest in sorted(world.glob("*.yaml")):
            ws.add_source(manifest)
        ws.ingest()
        ws.close()
        done.write_text(str(world) + "\n")
    root = OUT / "workspace"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(pristine, root)
    ws, _ = Workspace.init(root)  # brings the schema up to this version's (not timed)
    ws.close()
    return root


def linkwise_predictions(root: Path, out: Path) -> None:
    """Entities as ``file,record_id,entity_id,confidence`` (the scorer's input)."""
    from sqlalchemy import select

    from linkwise.store import tables as t
    from linkwise.workspace import Workspace

    r, s, m, e = t.records, t.sources, t.entity_members, t.entities
    query = (
        select(s.c.name, r.c.source_key, m.c.entity_id, e.c.confidence)
        .join(r, r.c.source_id == s.c.id)
        .join(m, m.c.record_id == r.c.id)
        .join(e, e.c.id == m.c.entity_id)
    )
    ws = Workspace.open(root)
    try:
        with ws.engine.connect() as conn, out.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "record_id", "entity_id", "confidence"])
            for name, key, entity, confidence in conn.execute(query):
                writer.writerow([f"{name}.csv", key, entity, f"{confidence:.6f}"])
    finally:
        ws.close()


def linkwise_blocking(root: Path, world: Path) -> dict[str, object]:
    from linkwise.workspace import Workspace

    ws = Workspace.open(root)
    try:
        report = ws.evaluate(world / "truth.csv")
    finally:
        ws.close()
    if report.blocking is None:
        raise SystemExit("linkwise evaluate reported no blocking recall")
    return {"recall": report.blocking.recall, "true_pairs": report.blocking.true_pairs}


def splink_blocking(ds_dir: Path) -> dict[str, object]:
    """The tutorial rules' recall, by the same function linkwise reports its own with."""
    import pyarrow as pa

    import _baselines
    import _datasets
    from linkwise.resolve.blocking import blocking_recall

    ds = _datasets.load_written(ds_dir)
    df = ds.combined()
    settings, _training, _label = _baselines.splink_config_for(ds.name, df)
    rules = {
        f"rule {i}": rule.get_blocking_rule("duckdb").blocking_rule_sql
        for i, rule in enumerate(settings.blocking_rules_to_generate_predictions)
    }
    position = {(f, r): i for i, (f, r) in enumerate(zip(df["file"], df["record_id"], strict=True))}
    frame = df.drop(columns=["unique_id", "file", "record_id"])
    table = pa.Table.from_pandas(frame, preserve_index=False).append_column(
        "unique_id", pa.array(range(len(df)), pa.int64())
    )
    people: dict[str, list[int]] = {}
    for f, r, person in zip(
        ds.truth["file"], ds.truth["record_id"], ds.truth["true_id"], strict=True
    ):
        if (f, r) in position:
            people.setdefault(person, []).append(position[(f, r)])
    pairs = [(a, b) for ids in people.values() for i, a in enumerate(ids) for b in ids[i + 1 :]]
    got = blocking_recall(table, rules, pairs)
    return {"recall": got.recall, "true_pairs": got.pairs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=505_000)
    parser.add_argument("--only", choices=METHODS, default=None)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    world = world_dir(args.people)
    ds_dir = dataset_dir(world)
    root = workspace_dir(world)
    truth = ds_dir / "truth.csv"

    results_path = OUT / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    methods = [args.only] if args.only else list(METHODS)
    for method in methods:
        m_dir = OUT / method
        m_dir.mkdir(parents=True, exist_ok=True)
        if method != "linkwise":
            cmd = [
                str(PYTHON),
                str(BENCH / "resolve_accuracy.py"),
                "--run-baseline",
                method,
                "--dataset-dir",
                str(ds_dir),
                "--method-dir",
                str(m_dir),
            ]
        else:
            cmd = [str(LINKWISE), "resolve", "--full", "--workspace", str(root)]
        print(f"running {method} ...", flush=True)
        run = measure(Invocation(cmd, ROOT))
        (m_dir / "log.txt").write_text(run.output, encoding="utf-8")
        if run.returncode != 0:
            raise SystemExit(f"{method} failed:\n{run.output[-3000:]}")
        if method == "linkwise":
            linkwise_predictions(root, m_dir / "pred.csv")
            blocking = linkwise_blocking(root, world)
        else:
            blocking = splink_blocking(ds_dir)
        scores = score(truth, m_dir / "pred.csv", m_dir / "score.json")
        results[method] = {
            "seconds": round(run.seconds, 1),
            "peak_rss_mb": round(run.peak_rss_mb),
            "records": scores["n_records"],
            "pairwise_f1": scores["pairwise_f1"],
            "bcubed_f1": scores["bcubed_f1"],
            "blocking_recall": blocking["recall"],
            "true_pairs": blocking["true_pairs"],
        }
        results_path.write_text(json.dumps(results, indent=1) + "\n")

    print()
    print(
        "| method | records | time (s) | peak RSS (MB) | blocking recall "
        "| pairwise F1 | B-cubed F1 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method in METHODS:
        if method not in results:
            continue
        r = results[method]
        print(
            f"| {method} | {r['records']:,} | {r['seconds']:.1f} | {r['peak_rss_mb']:,} "
            f"| {r['blocking_recall']:.4f} | {r['pairwise_f1']:.4f} | {r['bcubed_f1']:.4f} |"
        )
    print()
    for baseline, bar in (("splink_tutorial", "target < 2"), ("splink_lean", "stricter reading")):
        if {baseline, "linkwise"} <= results.keys():
            ratio = results["linkwise"]["seconds"] / results[baseline]["seconds"]
            print(f"linkwise time / {baseline} time: {ratio:.2f} ({bar})")


if __name__ == "__main__":
    main()
