"""Identity-resolution accuracy benchmark: every method on every labelled dataset, one run.

    .venv/bin/python benchmarks/resolve_accuracy.py \
        --datasets fake_1000,historical_50k,febrl1,febrl2,febrl3,febrl4,demo_100k \
        --out benchmarks/out/resolve_accuracy

For each dataset it writes ``OUT/<dataset>/``:

* ``inputs/raw/<file>.csv``: the input files with the source's own columns and a
  ``record_id`` column (what ``linkwise dedupe`` is given);
* ``inputs/canonical/<file>.csv``: the common columns the baselines are configured on;
* ``truth.csv``: ``file,record_id,true_id`` plus group columns (er_score.py's shape);

(``demo_100k_seed<N>`` names the demo world generated at seed N instead of the usual 2026;
``resolve_seeds.py`` runs several), then runs each method of :data:`METHODS` as its own
process (so wall time and the peak RSS of its process tree are measured the same way for
all), expects
``OUT/<dataset>/<method>/pred.csv`` (``file,record_id,entity_id,confidence``), scores it with
``/work/shared/tools/er_score.py`` (``score.json`` beside it), and prints one table. The table
is also written to ``OUT/results.csv`` and ``OUT/results.json``.

Methods: ``splink_tutorial`` and ``recordlinkage_classic`` (see ``_baselines.py``), and
``linkwise`` (``linkwise dedupe`` as a subprocess; reported as "not available" while the
command does not exist).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

PYTHON = ROOT / ".venv" / "bin" / "python"
LINKWISE = ROOT / ".venv" / "bin" / "linkwise"
ER_SCORE = Path("/work/shared/tools/er_score.py")
DEFAULT_DATASETS = "fake_1000,historical_50k,febrl1,febrl2,febrl3,febrl4,demo_100k"
DEFAULT_OUT = BENCH / "out" / "resolve_accuracy"


# ------------------------------------------------------------------------------------------
# methods


@dataclass(frozen=True)
class Invocation:
    cmd: list[str]
    cwd: Path


@dataclass(frozen=True)
class Method:
    """How to run one method on one written dataset.

    ``invoke(dataset_dir, method_dir, options)`` returns the command to measure; the command
    must write ``method_dir/pred.csv`` (``file,record_id,entity_id,confidence``).
    ``unavailable`` is the text printed in the row when the command fails (None: report the
    failure as an error)."""

    invoke: Callable[[Path, Path, argparse.Namespace], Invocation]
    unavailable: str | None = None


def _baseline(name: str) -> Method:
    def invoke(ds_dir: Path, m_dir: Path, _: argparse.Namespace) -> Invocation:
        cmd = [
            str(PYTHON),
            str(Path(__file__).resolve()),
            "--run-baseline",
            name,
            "--dataset-dir",
            str(ds_dir),
            "--method-dir",
            str(m_dir),
        ]
        return Invocation(cmd, ROOT)

    return Method(invoke)


# Columns a user would map by hand with --map because no alias names them: historical_50k's
# fake postcode, and the birth place and occupation that Splink's own tutorial compares.
LINKWISE_MAPS: dict[str, list[str]] = {
    "historical_50k": [
        "postcode_fake=postcode",
        "birth_place=attribute",
        "occupation=attribute",
    ]
}


def _linkwise(ds_dir: Path, m_dir: Path, opts: argparse.Namespace) -> Invocation:
    """``linkwise dedupe FILE... -o OUT.csv --id-column record_id``, run inside the inputs
    folder with bare file names, so the ``file`` column it reports equals truth.csv's. The
    demo world is resolved the way the product resolves it instead: a workspace built from
    the world's manifests, ingested and resolved (``_linkwise_workspace.py``)."""
    name = json.loads((ds_dir / "dataset.json").read_text(encoding="utf-8"))["name"]
    threshold = getattr(opts, "linkwise_threshold", None)  # resolve_threshold.py sets it
    at = [] if threshold is None else ["--threshold", str(threshold)]
    import _datasets

    seed = _datasets.demo_seed(name)
    if seed is not None:
        world = _datasets.demo_world_dir(seed)
        script = Path(__file__).resolve().parent / "_linkwise_workspace.py"
        return Invocation([str(PYTHON), str(script), str(world), str(m_dir), *at], ROOT)
    inputs = ds_dir / "inputs" / opts.linkwise_input
    files = json.loads((ds_dir / "dataset.json").read_text(encoding="utf-8"))["files"]
    maps = [arg for item in LINKWISE_MAPS.get(name, []) for arg in ("--map", item)]
    cmd = [
        str(LINKWISE),
        "dedupe",
        *files,
        "-o",
        str(m_dir / "pred.csv"),
        "--id-column",
        "record_id",
        *maps,
        *at,
    ]
    return Invocation(cmd, inputs)


# >>> METHODS registry: the lead adds/edits methods here. <<<
METHODS: dict[str, Method] = {
    "splink_tutorial": _baseline("splink_tutorial"),
    "recordlinkage_classic": _baseline("recordlinkage_classic"),
    "linkwise": Method(_linkwise, unavailable="not available"),
}


# ------------------------------------------------------------------------------------------
# measuring and scoring


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str


def measure(inv: Invocation, interval: float = 0.05) -> Run:
    """Wall time and peak RSS of the whole process tree (sampled every ``interval`` s)."""
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            inv.cmd, cwd=inv.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
    except OSError as exc:
        return Run(0.0, 0.0, 127, str(exc))
    root = psutil.Process(proc.pid)
    peak = 0
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(interval)
    reader.join()
    seconds = time.perf_counter() - start
    return Run(seconds, peak / 2**20, proc.returncode, b"".join(chunks).decode(errors="replace"))


def run_method(name: str, ds_dir: Path, m_dir: Path, opts: argparse.Namespace) -> Run:
    """Run method ``name`` on the dataset in ``ds_dir`` into ``m_dir`` (a fresh pred.csv,
    its output in log.txt), stopping the benchmark if it fails: for the scripts that read
    only linkwise's own runs (``resolve_seeds.py``, ``resolve_threshold.py``)."""
    m_dir.mkdir(parents=True, exist_ok=True)
    pred = m_dir / "pred.csv"
    pred.unlink(missing_ok=True)
    run = measure(METHODS[name].invoke(ds_dir, m_dir, opts))
    (m_dir / "log.txt").write_text(run.output, encoding="utf-8")
    if run.returncode != 0 or not pred.exists():
        raise SystemExit(f"{ds_dir.name}, {name}: the run failed (see {m_dir}/log.txt)")
    return run


def method_names(text: str) -> list[str]:
    """The methods a ``--methods`` list names; stops on one :data:`METHODS` does not know."""
    methods = [m for m in text.split(",") if m]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise SystemExit(f"unknown method(s) {unknown}; known: {', '.join(METHODS)}")
    return methods


def score(truth: Path, pred: Path, out_json: Path) -> dict:
    res = subprocess.run(
        [str(PYTHON), str(ER_SCORE), str(truth), str(pred), "--json", str(out_json)],
        capture_output=True,
        text=True,
        check=False,
    )
    (out_json.parent / "score.txt").write_text(res.stdout + res.stderr, encoding="utf-8")
    if res.returncode != 0:
        raise RuntimeError(f"er_score failed: {res.stderr.strip()[-500:]}")
    return json.loads(out_json.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------
# child: one baseline on one written dataset


def run_baseline(name: str, ds_dir: Path, m_dir: Path) -> None:
    import _baselines
    import _datasets

    ds = _datasets.load_written(ds_dir)
    t0 = time.perf_counter()
    result = _baselines.BASELINES[name](ds)
    resolve_s = time.perf_counter() - t0
    m_dir.mkdir(parents=True, exist_ok=True)
    result.clusters[["file", "record_id", "entity_id", "confidence"]].to_csv(
        m_dir / "pred.csv", index=False
    )
    result.pairs.to_parquet(m_dir / "pairs.parquet", index=False)
    info = {
        "method": name,
        "dataset": ds.name,
        "resolve_s": round(resolve_s, 2),
        "notes": result.notes,
        **result.info,
    }
    (m_dir / "info.json").write_text(json.dumps(info, indent=1, default=str) + "\n")


# ------------------------------------------------------------------------------------------
# parent


def prepare(name: str, out: Path) -> tuple[Path, int]:
    import _datasets

    ds_dir = out / name
    ds = _datasets.load(name)
    _datasets.write_dataset(ds, ds_dir)
    return ds_dir, ds.n_records


def fmt(x: float | None, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasets", default=DEFAULT_DATASETS)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument(
        "--linkwise-input",
        choices=["raw", "canonical"],
        default="raw",
        help="which CSVs linkwise dedupe gets: the source's own columns (default) or the "
        "baselines' common columns",
    )
    ap.add_argument("--run-baseline", help=argparse.SUPPRESS)
    ap.add_argument("--dataset-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--method-dir", type=Path, help=argparse.SUPPRESS)
    opts = ap.parse_args()

    if opts.run_baseline:
        run_baseline(opts.run_baseline, opts.dataset_dir, opts.method_dir)
        return

    datasets = [d for d in opts.datasets.split(",") if d]
    methods = method_names(opts.methods)
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    rows = []
    for name in datasets:
        t0 = time.perf_counter()
        ds_dir, n_records = prepare(name, out)
        print(
            f"[{name}] {n_records} records written to {ds_dir} ({time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
        for mname in methods:
            m_dir = ds_dir / mname
            m_dir.mkdir(parents=True, exist_ok=True)
            pred = m_dir / "pred.csv"
            pred.unlink(missing_ok=True)
            method = METHODS[mname]
            run = measure(method.invoke(ds_dir, m_dir, opts))
            (m_dir / "log.txt").write_text(run.output, encoding="utf-8")
            row: dict = {
                "dataset": name,
                "method": mname,
                "records": n_records,
                "time_s": round(run.seconds, 1),
                "peak_rss_mb": round(run.peak_rss_mb),
            }
            if run.returncode != 0 or not pred.exists():
                tail = run.output.strip().splitlines()[-1:] or [f"exit {run.returncode}"]
                row["status"] = method.unavailable or f"error: {tail[0][:120]}"
                rows.append(row)
                print(f"  {mname}: {row['status']}", flush=True)
                continue
            res = score(ds_dir / "truth.csv", pred, m_dir / "score.json")
            info_path = m_dir / "info.json"
            info = json.loads(info_path.read_text()) if info_path.exists() else {}
            row.update(
                status="ok",
                pairwise_precision=res["pairwise_precision"],
                pairwise_recall=res["pairwise_recall"],
                pairwise_f1=res["pairwise_f1"],
                bcubed_f1=res["bcubed_f1"],
                resolve_s=info.get("resolve_s"),
                detail=info.get("classifier") or info.get("config") or "",
            )
            rows.append(row)
            print(
                f"  {mname}: P={fmt(row['pairwise_precision'])} "
                f"R={fmt(row['pairwise_recall'])} F1={fmt(row['pairwise_f1'])} "
                f"B3-F1={fmt(row['bcubed_f1'])} {row['time_s']} s",
                flush=True,
            )

    (out / "results.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    import pandas as pd

    pd.DataFrame(rows).to_csv(out / "results.csv", index=False)
    head = (
        "| dataset | method | records | pairwise P | pairwise R | pairwise F1 | B-cubed F1 "
        "| time (s) | peak RSS (MB) |"
    )
    print()
    print(head)
    print("|" + "---|" * 9)
    for r in rows:
        if r["status"] != "ok":
            cells = [
                r["dataset"],
                r["method"],
                str(r["records"]),
                r["status"],
                "",
                "",
                "",
                "-",
                "-",
            ]
        else:
            cells = [
                r["dataset"],
                r["method"],
                str(r["records"]),
                fmt(r["pairwise_precision"]),
                fmt(r["pairwise_recall"]),
                fmt(r["pairwise_f1"]),
                fmt(r["bcubed_f1"]),
                f"{r['time_s']:.1f}",
                str(r["peak_rss_mb"]),
            ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
