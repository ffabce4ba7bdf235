"""The demo world at several seeds: does the accuracy hold on worlds no rule was tuned on, and
how large are the group disparities once several worlds' errors are counted together.

    .venv/bin/python benchmarks/resolve_seeds.py --seeds 2026,2027,2028 \\
        --methods linkwise,splink_tutorial

Every rule of linkwise's resolution was developed against one world: the demo generator at
people=100k, seed 2026 (``demo_100k`` in ``resolve_accuracy.py``). The same generator at
another seed draws other people, names, households, relatives and record errors from the same
distributions, so a rule that only fits seed 2026's particular people shows up as a lower score
at the other seeds. And each world's false merges are a few hundred records, so a group's rate
rests on a few dozen of them and a worst-to-best ratio moves a lot by chance; pooling worlds
measures the same ratio on several times the people.

For each seed the script prepares the dataset as ``resolve_accuracy.py`` does (``demo_100k``
for 2026, ``demo_100k_seed<N>`` otherwise; the world is generated on first use, about two
minutes, and reused), runs each method as its own process and scores it with
``../shared/tools/er_score.py``. Then, per method, it pools the seeds: every seed's truth.csv
and pred.csv concatenated, with the seed put in front of file names, true ids and entity ids so
that nothing of one world can meet another's, and scored by ``linkwise evaluate --by COLUMN``
for each group column of :data:`GROUPS` (the truth's origin and tags, and the surname frequency
decile that ``linkwise evaluate`` works out from records' fields), whose 95% intervals (a
bootstrap over people) then rest on all the seeds' people. It prints two tables (accuracy per
seed; false-merge ratio per group column, per seed and pooled) and writes them to
``OUT/seeds.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
from pathlib import Path

import _datasets
from linkwise.evaluate import builtin_groups
from resolve_accuracy import DEFAULT_OUT, LINKWISE, method_names, prepare, run_method, score

DECILE = "surname_frequency_decile"
GROUPS = {
    "origin": "name origin",
    DECILE: "surname frequency decile",
    "tag_twin": "twins",
    "tag_missing_dob": "missing date of birth",
    "tag_jr_sr": "Jr/Sr",
    "tag_translit": "transliterated names",
    "tag_swapped_order": "swapped name order",
}
"""The group columns whose false-merge disparity the script reports: the demo world truth's
``origin`` and tags, and the built-in surname frequency decile (:func:`truth_with_deciles`),
one of the groups issue 3 names for ``linkwise evaluate``."""


def truth_with_deciles(ds_dir: Path) -> Path:
    """``ds_dir/truth_groups.csv``: the world's truth.csv with one more column, the built-in
    group ``surname_frequency_decile`` of ``linkwise evaluate`` worked out from the surname
    each record carries (its canonical ``surname``) among that world's records, so that a
    pooled evaluation still ranks each record's surname within its own world."""
    ds = _datasets.load_written(ds_dir)
    fields: dict[tuple[str, str], dict[str, object]] = {}
    for f in ds.files:
        for record_id, surname in zip(
            f.canonical["record_id"], f.canonical["surname"], strict=True
        ):
            fields[(f.name, str(record_id))] = {"family_name": surname}
    truth = ds.truth.copy()
    keys = list(zip(truth["file"], truth["record_id"].astype(str), strict=True))
    truth[DECILE] = builtin_groups(keys, fields)[DECILE]
    out = ds_dir / "truth_groups.csv"
    truth.to_csv(out, index=False)
    return out


def dataset_name(seed: int) -> str:
    return "demo_100k" if seed == _datasets.DEMO_SEED else f"demo_100k_seed{seed}"


def pool(parts: list[tuple[int, Path, Path]], folder: Path) -> tuple[Path, Path]:
    """One truth.csv and one pred.csv for ``(seed, truth, pred)`` parts, each seed's file
    names, true ids and entity ids prefixed with ``s<seed>/``."""
    folder.mkdir(parents=True, exist_ok=True)
    truth_out, pred_out = folder / "truth.csv", folder / "pred.csv"
    with (
        truth_out.open("w", newline="", encoding="utf-8") as t_fh,
        pred_out.open("w", newline="", encoding="utf-8") as p_fh,
    ):
        t_writer = p_writer = None
        for seed, truth, pred in parts:
            tag = f"s{seed}/"
            with truth.open(newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                if t_writer is None:
                    t_writer = csv.DictWriter(t_fh, fieldnames=list(reader.fieldnames or []))
                    t_writer.writeheader()
                elif list(reader.fieldnames or []) != t_writer.fieldnames:
                    raise SystemExit(f"{truth}: its columns differ from the first seed's truth")
                for row in reader:
                    row["file"] = tag + row["file"]
                    row["true_id"] = tag + row["true_id"]
                    t_writer.writerow(row)
            with pred.open(newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                if p_writer is None:
                    p_writer = csv.DictWriter(p_fh, fieldnames=list(reader.fieldnames or []))
                    p_writer.writeheader()
                for row in reader:
                    row["file"] = tag + row["file"]
                    row["entity_id"] = tag + row["entity_id"]
                    p_writer.writerow(row)
    return truth_out, pred_out


def disparities(truth: Path, pred: Path, out_json: Path) -> dict[str, dict]:
    """``linkwise evaluate``'s false-merge disparity for every column of :data:`GROUPS` that
    truth.csv has: worst and best group, their rates, the ratio with its 95% interval and
    its chance reference."""
    with truth.open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    columns = [c for c in GROUPS if c in header]
    cmd = [str(LINKWISE), "evaluate", "--truth", str(truth), "--pred", str(pred)]
    for column in columns:
        cmd += ["--by", column]
    subprocess.run([*cmd, "--json", str(out_json)], check=True, capture_output=True)
    report = json.loads(out_json.read_text(encoding="utf-8"))
    found: dict[str, dict] = {}
    for group in report["groups"]:
        (fm,) = (d for d in group["disparity"] if d["rate"] == "false_merge_rate")
        found[group["column"]] = fm
    return found


def ratio_text(fm: dict | None) -> str:
    if fm is None or fm.get("worst_to_best") is None:
        return "-"
    low, high = fm["worst_to_best_interval"] or (None, None)
    span = "" if low is None else f" ({low:.2f}–{'∞' if high is None else f'{high:.2f}'})"
    chance = ""
    if fm.get("chance_share") is not None:
        typical = "∞" if fm["chance_ratio"] is None else f"{fm['chance_ratio']:.2f}"
        chance = f"; chance {typical}, {fm['chance_share']:.0%}"
    return f"{fm['worst_to_best']:.2f}{span}{chance}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="2026,2027,2028")
    ap.add_argument("--methods", default="linkwise,splink_tutorial")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="score a method's pred.csv where an earlier run left one instead of running it "
        "again (the time and memory columns are then blank)",
    )
    opts = ap.parse_args()
    try:
        seeds = [int(s) for s in opts.seeds.split(",") if s]
    except ValueError:
        bad = f"--seeds must be whole numbers separated by commas: {opts.seeds!r}"
        raise SystemExit(bad) from None
    if len(set(seeds)) != len(seeds) or not seeds:
        raise SystemExit(f"--seeds must name at least one seed, each once: {opts.seeds!r}")
    methods = method_names(opts.methods)
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    invoke = argparse.Namespace(linkwise_input="raw")

    rows: list[dict] = []
    parts: dict[str, list[tuple[int, Path, Path]]] = {m: [] for m in methods}
    for seed in seeds:
        ds_dir, n_records = prepare(dataset_name(seed), out)
        groups_truth = truth_with_deciles(ds_dir)
        for mname in methods:
            m_dir = ds_dir / mname
            pred = m_dir / "pred.csv"
            row: dict = {"seed": seed, "method": mname, "records": n_records}
            if not (opts.reuse and pred.exists()):
                run = run_method(mname, ds_dir, m_dir, invoke)
                row.update(time_s=round(run.seconds, 1), peak_rss_mb=round(run.peak_rss_mb))
            res = score(ds_dir / "truth.csv", pred, m_dir / "score.json")
            row.update({k: res[k] for k in ("pairwise_precision", "pairwise_recall")})
            row.update({k: res[k] for k in ("pairwise_f1", "bcubed_f1", "false_merge_rate")})
            row["disparity"] = disparities(groups_truth, pred, m_dir / "seeds_eval.json")
            rows.append(row)
            parts[mname].append((seed, groups_truth, pred))
            print(f"[seed {seed}] {mname}: pairwise F1 {res['pairwise_f1']:.4f}", flush=True)

    pooled: dict[str, dict[str, dict]] = {}
    if len(seeds) > 1:
        for mname in methods:
            folder = out / f"demo_100k_pooled_{'_'.join(map(str, seeds))}" / mname
            truth, pred = pool(parts[mname], folder)
            pooled[mname] = disparities(truth, pred, folder / "evaluate.json")

    summary = {"seeds": seeds, "runs": rows, "pooled": pooled}
    (out / "seeds.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")

    print()
    print(
        "| seed | method | records | pairwise P | pairwise R | pairwise F1 | B-cubed F1 "
        "| false merges | time (s) | peak RSS (MB) |"
    )
    print("|" + "---|" * 10)
    for r in rows:
        print(
            f"| {r['seed']} | {r['method']} | {r['records']} | {r['pairwise_precision']:.4f} "
            f"| {r['pairwise_recall']:.4f} | {r['pairwise_f1']:.4f} | {r['bcubed_f1']:.4f} "
            f"| {r['false_merge_rate']:.2%} | {r.get('time_s', '')} | {r.get('peak_rss_mb', '')} |"
        )
    for mname in methods:
        print()
        print(
            f"{mname}: false merges, worst ÷ best group (95% interval; chance: the median "
            "ratio with the groups shuffled among people, and the share of shuffles as uneven)"
        )
        heads = [str(s) for s in seeds] + (["pooled"] if pooled else [])
        print("| group column | " + " | ".join(heads) + " |")
        print("|" + "---|" * (len(heads) + 1))
        for column, label in GROUPS.items():
            cells = [ratio_text(r["disparity"].get(column)) for r in rows if r["method"] == mname]
            if pooled:
                cells.append(ratio_text(pooled[mname].get(column)))
            if column == "origin":  # which origins the ratio sets against each other
                fms = [r["disparity"].get(column) for r in rows if r["method"] == mname]
                if pooled:
                    fms.append(pooled[mname].get(column))
                cells = [
                    c if fm is None else f"{c}, {fm['worst_group']} ÷ {fm['best_group']}"
                    for c, fm in zip(cells, fms, strict=True)
                ]
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
