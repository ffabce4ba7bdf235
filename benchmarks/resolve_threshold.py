"""What the clustering threshold trades: false merges against missed links, per dataset.

    .venv/bin/python benchmarks/resolve_threshold.py \\
        --datasets fake_1000,historical_50k,febrl1,febrl2,febrl3,febrl4,demo_100k \\
        --thresholds 0.5,0.65,0.8

Runs linkwise exactly as ``resolve_accuracy.py`` does (``linkwise dedupe``; on the demo world
a workspace, ingest and resolve) once per threshold, into
``OUT/<dataset>/linkwise_at_<threshold>/``, scores each with ``../shared/tools/er_score.py``
and prints one table: pairwise precision, recall and F1, the share of records put with
another person (false merges) or kept apart from their own (missed links), and on the demo
world the worst-to-best ratio of false merges by name origin (``linkwise evaluate``). The datasets
are written by ``resolve_accuracy.py``'s ``prepare`` (reused when already there).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from resolve_accuracy import DEFAULT_DATASETS, DEFAULT_OUT, LINKWISE, prepare, run_method, score

GROUP = "origin"
"""Where truth.csv has this column (the demo world), the false-merge disparity between its
groups is reported too, as ``linkwise evaluate --by origin`` gives it."""


def disparity(truth: Path, pred: Path, out_json: Path) -> str:
    """Worst ÷ best false-merge rate by ``GROUP`` with its 95% interval, or "-"."""
    with truth.open(encoding="utf-8") as fh:
        if GROUP not in fh.readline().strip().split(","):
            return "-"
    cmd = [str(LINKWISE), "evaluate", "--truth", str(truth), "--pred", str(pred)]
    subprocess.run([*cmd, "--by", GROUP, "--json", str(out_json)], check=True, capture_output=True)
    report = json.loads(out_json.read_text(encoding="utf-8"))
    (column,) = (g for g in report["groups"] if g["column"] == GROUP)
    (fm,) = (d for d in column["disparity"] if d["rate"] == "false_merge_rate")
    low, high = fm["worst_to_best_interval"]
    return f"{fm['worst_to_best']:.2f} ({low:.2f}–{high:.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasets", default=DEFAULT_DATASETS)
    ap.add_argument("--thresholds", default="0.5,0.65,0.8")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    opts = ap.parse_args()
    thresholds = [float(t) for t in opts.thresholds.split(",") if t]
    bad = [t for t in thresholds if not 0.0 < t <= 1.0]
    if bad:
        raise SystemExit(f"thresholds must be in (0, 1]: {bad}")
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in [d for d in opts.datasets.split(",") if d]:
        ds_dir, n_records = prepare(name, out)
        for threshold in thresholds:
            m_dir = ds_dir / f"linkwise_at_{threshold}"
            pred = m_dir / "pred.csv"
            invoke = argparse.Namespace(linkwise_input="raw", linkwise_threshold=threshold)
            run_method("linkwise", ds_dir, m_dir, invoke)
            res = score(ds_dir / "truth.csv", pred, m_dir / "score.json")
            ratio = disparity(ds_dir / "truth.csv", pred, m_dir / "evaluate.json")
            row = {"dataset": name, "records": n_records, "threshold": threshold, **res}
            row["false_merge_ratio_by_origin"] = ratio
            rows.append(row)
            print(
                f"[{name}] {threshold}: F1 {res['pairwise_f1']:.4f}, false merges "
                f"{res['false_merge_rate']:.2%}, missed links {res['missed_link_rate']:.2%}",
                flush=True,
            )
    (out / "thresholds.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print()
    print(
        "| dataset | threshold | pairwise P | pairwise R | pairwise F1 | false merges "
        "| missed links | false merges, worst ÷ best origin |"
    )
    print("|" + "---|" * 8)
    for r in rows:
        print(
            f"| {r['dataset']} | {r['threshold']} | {r['pairwise_precision']:.4f} "
            f"| {r['pairwise_recall']:.4f} | {r['pairwise_f1']:.4f} "
            f"| {r['false_merge_rate']:.2%} | {r['missed_link_rate']:.2%} "
            f"| {r['false_merge_ratio_by_origin']} |"
        )


if __name__ == "__main__":
    main()
