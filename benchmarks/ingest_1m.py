"""Ingest and normalise 1M rows from CSV and from Parquet, beside a plain pandas baseline.

    python benchmarks/ingest_1m.py [--rows 1000000] [--out benchmarks/out]

The rows are the demo world's purchased public-records compilation (full names to split,
dates of birth in several text formats, one-line US addresses, phones, SSNs, e-mails),
cut to --rows. The baseline reads the same file with ``pandas.read_csv`` (or
``read_parquet``) and writes it with ``DataFrame.to_sql`` into SQLite: no mapping, no
normalisation, no provenance. pandas refuses the file's ragged rows, so the baseline skips
them (``on_bad_lines="skip"``); pyarrow, which writes the Parquet copy, skips the same rows,
so the Parquet cases read a few thousand rows fewer. The table reports rows read. Every
case runs in its own process; peak RSS counts the whole process tree.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import Measurement, measure

LINKWISE = [sys.executable, "-m", "linkwise"]
RECORDS_PER_PERSON = 0.92  # public_records rows per person in the demo world (measured)

BASELINE = """
import sys, pandas as pd, sqlalchemy as sa
path, kind, db = sys.argv[1:4]
df = (pd.read_csv(path, sep="|", dtype=str, encoding="utf-8-sig", keep_default_na=False,
                  on_bad_lines="skip")
      if kind == "csv" else pd.read_parquet(path))
df.to_sql("records", sa.create_engine(f"sqlite:///{db}"), index=False, chunksize=50_000)
print(len(df))
"""


def prepare(out: Path, rows: int) -> tuple[Path, Path]:
    """The benchmark's CSV and Parquet sources with their manifests (made once, reused)."""
    csv_manifest = out / "data" / "bench_csv.yaml"
    pq_manifest = out / "data" / "bench_parquet.yaml"
    if csv_manifest.exists() and pq_manifest.exists():
        return csv_manifest, pq_manifest
    from linkwise.demo import generate_world

    people = math.ceil(rows / RECORDS_PER_PERSON * 1.02)
    world = out / f"world-{people}"
    if not (world / "public_records.yaml").exists():
        print(f"generating a demo world of {people} people in {world} ...", flush=True)
        generate_world(world, people, seed=2026)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    source = world / "public_records.csv"
    with source.open("rb") as src, (data / "bench.csv").open("wb") as dst:
        for n, line in enumerate(src):
            if n > rows:
                break
            dst.write(line)
    got = n if n <= rows else rows
    if got < rows:
        raise SystemExit(f"the world has only {got} public-records rows; raise RECORDS_PER_PERSON")
    columns = pacsv.read_csv(
        data / "bench.csv",
        read_options=pacsv.ReadOptions(encoding="utf-8"),
        parse_options=pacsv.ParseOptions(delimiter="|", invalid_row_handler=lambda r: "skip"),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in _header(data / "bench.csv")}
        ),
    )
    pq.write_table(columns, data / "bench.parquet")
    manifest = yaml.safe_load((world / "public_records.yaml").read_text())
    manifest.update(name="bench_csv", path="bench.csv")
    csv_manifest.write_text(yaml.safe_dump(manifest, sort_keys=False))
    manifest.update(name="bench_parquet", path="bench.parquet", format="parquet")
    pq_manifest.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return csv_manifest, pq_manifest


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as fh:
        return fh.readline().rstrip("\r\n").split("|")


def run_linkwise(out: Path, manifest: Path) -> tuple[Measurement, int]:
    ws = out / f"ws-{manifest.stem}"
    shutil.rmtree(ws, ignore_errors=True)
    subprocess_ok([*LINKWISE, "init", str(ws)])
    subprocess_ok([*LINKWISE, "source", "add", str(manifest), "-w", str(ws)])
    result = measure([*LINKWISE, "ingest", "-w", str(ws)], env=dict(os.environ, COLUMNS="200"))
    if result.returncode != 0:
        raise SystemExit(result.output)
    import sqlite3

    with sqlite3.connect(ws / "linkwise.db") as con:
        stored = con.execute("SELECT rows_read FROM ingestion_runs").fetchone()[0]
    return result, stored


def run_baseline(out: Path, path: Path, kind: str) -> tuple[Measurement, int]:
    db = out / f"baseline-{kind}.db"
    db.unlink(missing_ok=True)
    result = measure([sys.executable, "-c", BASELINE, str(path), kind, str(db)])
    if result.returncode != 0:
        raise SystemExit(result.output)
    return result, int(result.output.strip().splitlines()[-1])


def subprocess_ok(cmd: list[str]) -> None:
    result = measure(cmd)
    if result.returncode != 0:
        raise SystemExit(result.output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = parser.parse_args()
    csv_manifest, pq_manifest = prepare(args.out, args.rows)
    data = csv_manifest.parent
    cases = [
        ("linkwise ingest, CSV", lambda: run_linkwise(args.out, csv_manifest)),
        ("pandas read_csv + to_sql", lambda: run_baseline(args.out, data / "bench.csv", "csv")),
        ("linkwise ingest, Parquet", lambda: run_linkwise(args.out, pq_manifest)),
        (
            "pandas read_parquet + to_sql",
            lambda: run_baseline(args.out, data / "bench.parquet", "parquet"),
        ),
    ]
    print(f"\n{args.rows:,} rows, {os.cpu_count()} cores\n")
    print("| case | rows | seconds | rows/s | peak RSS (MB) |\n|---|---:|---:|---:|---:|")
    for label, run in cases:
        result, rows = run()
        print(
            f"| {label} | {rows:,} | {result.seconds:.1f} | {rows / result.seconds:,.0f} "
            f"| {result.peak_rss_mb:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
