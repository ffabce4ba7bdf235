"""Real-time matching latency: one record against N resolved records, beside Splink's
documented way of doing it.

    .venv/bin/python benchmarks/match_latency.py [--records 1000000] [--queries 200]
        [--baseline-queries 20] [--db benchmarks/out/ws-bench_csv/linkwise.db]

Data: the million public-records rows that ``benchmarks/ingest_1m.py`` ingests into
``benchmarks/out/ws-bench_csv`` (the demo world's purchased compilation: names, dates of
birth, addresses, phones, e-mails, SSNs), read from that store with
``current_person_rows`` and prepared by ``prepare`` exactly as resolution prepares them
(the names' usual order learned over all records, swapped ones read back, the lists saved
with the model, so the Matcher reads its probes the same way).
Resolving a million records takes longer than this benchmark should, so the reference is
not a resolution result: the model is trained by ``linkage.link`` on a 100,000-record
sample (same code, same settings as ``linkwise resolve``), and the "entities" are the demo
world's true person ids from ``truth.csv``. Latency does not depend on how the entities were
made, only on the records, the model and its blocking rules. The model's prior (λ, the
chance that two random records match) is per pair, so it is scaled by sample size / N, as
a resolution of all N records would have re-estimated it. The share of perturbed
queries whose top candidate is the true person is printed as a sanity check, not as an
accuracy result. Prepared records, generic values and the model are cached in
``benchmarks/out/match_latency/<mark>/``, one folder per ``prepare.prepared_mark``.

Queries: ``--queries`` records, three quarters copied from reference records and perturbed
(a typo in a name, a dropped or altered field, a swapped day and month), one quarter people
who are not there (names, date and place drawn from different records). Each is timed end
to end: ``prepare`` of the one record, candidate search, Splink scoring, grouping and
explanations.

Baseline: Splink's documented incremental recipe (the lead's notes, section 7) kept as warm
as Splink allows: a long-lived Linker over the reference held as a DuckDB table, the
term-frequency tables computed once and registered, and per record ``db.register`` plus
``predict_between(new, reference)`` with the model's own blocking rules. It is slower, so
it runs ``--baseline-queries`` of the same queries. Both use 2 DuckDB threads. Peak RSS is
the process's (``ru_maxrss``), read after the matcher's queries and again after the
baseline's.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import logging
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from splink import DuckDBAPI, Linker
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "match_latency"
DEFAULT_DB = BENCH / "out" / "ws-bench_csv" / "linkwise.db"
DEFAULT_TRUTH = BENCH / "out" / "world-1108696" / "truth.csv"
TRAIN_SAMPLE = 100_000
SEED = 20261129


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(db: Path, truth: Path, n: int) -> tuple[pa.Table, list[str], list[tuple[str, str]], dict]:
    """The prepared reference (cached), each record's true person id, generic values, model."""
    from linkwise.resolve import name_order
    from linkwise.resolve.linkage import link
    from linkwise.resolve.prepare import prepare, prepared_mark
    from linkwise.store.resolution import current_person_rows

    OUT.mkdir(parents=True, exist_ok=True)
    # kept per preparation mark, so a change to what preparation makes of a record is not
    # measured against rows an older version prepared
    kept = OUT / re.sub(r"[^A-Za-z0-9.=-]+", "_", prepared_mark())
    kept.mkdir(parents=True, exist_ok=True)
    prepared_path, generic_path, model_path = (
        kept / "prepared.parquet",
        kept / "generic.json",
        kept / "model.json",
    )
    engine = create_engine(f"sqlite:///{db}")
    if not (prepared_path.exists() and generic_path.exists() and model_path.exists()):
        print(f"reading and preparing the records in {db} (cached afterwards)", flush=True)
        with engine.connect() as conn:
            rows = current_person_rows(conn)
        prepared = prepare(rows)
        # as a full resolution does: names learned in their usual order over all records,
        # the swapped ones read back, and the lists saved with the model (the Matcher reads
        # its probes in that order)
        order = name_order.learn(prepared.table)
        pq.write_table(name_order.apply(prepared.table, order), prepared_path)
        generic_pairs = [(g.field, g.value) for g in prepared.generic]
        generic_path.write_text(json.dumps(generic_pairs))
        rng = random.Random(SEED)
        sample = sorted(rng.sample(range(len(rows)), min(TRAIN_SAMPLE, len(rows))))
        print(f"training the model on {len(sample):,} records", flush=True)
        training = prepare([rows[i] for i in sample], known_generic=generic_pairs, name_order=order)
        model = link(training).model
        model[name_order.MODEL_KEY] = order.to_json()
        model_path.write_text(json.dumps(model))
    table = pq.read_table(prepared_path)
    if n < len(table):
        table = table.slice(0, n)
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, source_key FROM records WHERE is_current")).all())
    with truth.open(newline="") as fh:
        person = {r["source_key"]: r["person_id"] for r in csv.DictReader(fh)}
    ids = table.column("unique_id").to_pylist()
    entities = [person.get(keys[i], f"R{i}") for i in ids]
    generic = [(f, v) for f, v in json.loads(generic_path.read_text())]
    model = json.loads(model_path.read_text())
    trained_on = min(TRAIN_SAMPLE, pq.read_metadata(prepared_path).num_rows)
    model["probability_two_random_records_match"] *= trained_on / len(table)
    return table, entities, generic, model


def as_record(row: dict[str, Any]) -> dict[str, Any]:
    """A prepared row back in ``prepare``'s input shape."""
    return {
        "given_name": row["given"],
        "middle_name": row["middle"],
        "family_name": row["family"],
        "dob": row["dob"] or (str(row["dob_y"]) if row["dob_y"] else None),
        "sex": row["sex"],
        "address_line": row["address"],
        "postcode": row["postcode"],
        "city": row["city"],
        "phone": row["phone"],
        "email": row["email"],
        "identifiers": {"ssn": row["ssn"]} if row["ssn"] else {},
    }


def _typo(word: str | None, rng: random.Random) -> str | None:
    if not word or len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]


def queries(
    table: pa.Table, entities: list[str], count: int, rng: random.Random
) -> list[tuple[dict[str, Any], str | None]]:
    """(record, true entity or None) pairs: perturbed copies and unknown people."""
    picks = rng.sample(range(len(table)), count * 2)
    rows = table.take(picks).to_pylist()
    out: list[tuple[dict[str, Any], str | None]] = []
    known = count - count // 4
    for i in range(known):
        rec = as_record(rows[i])
        kind = i % 5
        if kind == 0:
            rec["family_name"] = _typo(rec["family_name"], rng)
        elif kind == 1:
            rec["given_name"] = _typo(rec["given_name"], rng)
            rec["identifiers"] = {}
        elif kind == 2:
            rec["address_line"] = rec["phone"] = rec["email"] = None
        elif kind == 3 and rec["dob"] and len(rec["dob"]) == 10 and int(rec["dob"][8:]) <= 12:
            y, m, d = rec["dob"].split("-")
            rec["dob"] = f"{y}-{d}-{m}"
        out.append((rec, entities[picks[i]]))
    for i in range(known, count):
        a, b, c = rows[i], rows[count + i], rows[rng.randrange(len(rows))]
        rec = {
            "given_name": a["given"],
            "family_name": b["family"],
            "dob": f"{rng.randrange(1935, 2004)}-{rng.randrange(1, 13):02d}-"
            f"{rng.randrange(1, 29):02d}",
            "postcode": c["postcode"],
            "city": c["city"],
        }
        out.append((rec, None))
    rng.shuffle(out)
    return out


def summary(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))],
        "max": ms[-1],
    }


def run_matcher(table: pa.Table, entities: list[str], model: dict, generic, qs) -> dict[str, Any]:
    from linkwise.resolve.realtime import Matcher

    before = rss_mb()
    start = time.perf_counter()
    matcher = Matcher(table, entities, model, generic=generic, threads=2)
    built = time.perf_counter() - start
    built_rss = rss_mb()
    times, hits, known, false_hits = [], 0, 0, 0
    for rec, truth in qs:
        start = time.perf_counter()
        candidates = matcher.match(rec, top=5, threshold=0.5)
        times.append(time.perf_counter() - start)
        if truth is not None:
            known += 1
            hits += bool(candidates) and candidates[0].entity_id == truth
        else:
            false_hits += bool(candidates)
    matcher.close()
    return {
        "build_s": built,
        "rss_before_mb": before,
        "rss_built_mb": built_rss,
        "rss_peak_mb": rss_mb(),
        "latency": summary(times),
        "top1_known": hits / max(1, known),
        "unknown_with_candidate": false_hits / max(1, len(qs) - known),
    }


def run_baseline(table: pa.Table, model: dict, generic, qs) -> dict[str, Any]:
    from linkwise.resolve.name_order import NameOrder, splink_settings
    from linkwise.resolve.prepare import prepare
    from linkwise.resolve.realtime import _tf_columns

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("reference_input", table)
    con.execute("CREATE TABLE reference AS SELECT * FROM reference_input")
    con.unregister("reference_input")
    start = time.perf_counter()
    api = DuckDBAPI(connection=con)
    reference = api.register("reference", table_name="reference_records")
    linker = Linker(reference, splink_settings(model), log_level=logging.ERROR)
    for col in _tf_columns(model):
        linker.table_management.compute_tf_table(col)
    built = time.perf_counter() - start
    order = NameOrder.from_model(model)
    times = []
    for i, (rec, _) in enumerate(qs):
        start = time.perf_counter()
        probe = prepare([{**rec, "record_id": -1}], known_generic=generic, name_order=order).table
        new = api.register(probe, table_name=f"new_{i}")
        pairs = linker.inference.predict_between(
            new, reference, threshold_match_probability=0.5, warning_mode="never"
        ).as_pandas_dataframe()
        times.append(time.perf_counter() - start)
        del pairs
    con.close()
    return {"build_s": built, "rss_peak_mb": rss_mb(), "latency": summary(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=20)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db} is missing: run benchmarks/ingest_1m.py first")
    table, entities, generic, model = load(args.db, args.truth, args.records)
    print(f"reference: {len(table):,} records, {len(set(entities)):,} entities", flush=True)
    qs = queries(table, entities, args.queries, random.Random(SEED))
    ours = run_matcher(table, entities, model, generic, qs)
    gc.collect()
    base = run_baseline(table, model, generic, qs[: args.baseline_queries])
    print()
    shown = len(qs[: args.baseline_queries])
    print(f"records: {len(table):,}   threads: 2   queries: {len(qs)} (baseline: {shown})")
    print(f"{'method':<34}{'build s':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'peak RSS MB':>13}")
    for name, r in (("linkwise Matcher.match", ours), ("Splink predict_between (warm)", base)):
        lat = r["latency"]
        print(
            f"{name:<34}{r['build_s']:>9.1f}{lat['p50']:>9.1f}{lat['p95']:>9.1f}{lat['max']:>9.1f}"
            f"{r['rss_peak_mb']:>13.0f}"
        )
    print(
        f"\nmatcher RSS: {ours['rss_before_mb']:.0f} MB with the reference loaded, "
        f"{ours['rss_built_mb']:.0f} MB once built"
    )
    print(
        f"perturbed queries whose top candidate is the true person: {ours['top1_known']:.1%}; "
        f"unknown people given a candidate ≥ 50%: {ours['unknown_with_candidate']:.1%}"
    )
    (OUT / "results.json").write_text(
        json.dumps({"records": len(table), "matcher": ours, "baseline": base}, indent=2)
    )


if __name__ == "__main__":
    main()
