"""Write a million audit events into a fresh store and verify the chain, beside plain inserts.

    .venv/bin/python benchmarks/audit_log.py [--events 1000000] [--single 5000]
        [--db URL] [--out benchmarks/out/audit_log]

Events are written as a busy server writes them: ``linkwise.govern.audit.record`` inside a
transaction, ``--batch`` (default 1,000) events a transaction, each one hash-chained to the
one before, and a signed Ed25519 checkpoint every ``CHECKPOINT_INTERVAL`` events (the
workspace's own key, created on first need, as in production). Then ``--single`` more
events, one transaction each (every event is its own commit: the rate of a server whose
requests each write one). The append of every ``SUBJECTS_EVERY``-th event indexes the
subjects of the events since the last one indexed (counted in the write times); those left
after the last such append are then indexed as the first read by subject would (timed on
its own row), and the whole log is verified: every hash recomputed, every link and every
checkpoint signature checked. A few auditor searches (by actor, case, subject and time) are timed on
the full log.

The payloads are what governed reads and changes record: entity views with the records and
fields shown and the policy decision behind them (outcome, rule, reason citing the statute,
what would unlock it), searches with the entity ids returned, judgements, authorisation
checks, logins; objects name ids only, never person data.

Baseline: the same rows (same JSON, same columns) inserted into a plain table with
``executemany``, ``--batch`` rows a transaction, with no chain, no lock, no subjects and no
checkpoints: what the log would cost if it were an ordinary table.

Without ``--db`` the store is a fresh SQLite workspace in ``--out`` (removed first); with
``--db`` (e.g. a PostgreSQL URL) the workspace's database is that one, which must hold no
audit events yet. The database size is the SQLite file with its WAL, or PostgreSQL's
``pg_database_size``; it includes the baseline's table, reported on its own row.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, func, select, text

from linkwise.govern import audit
from linkwise.model.audit_checkpoints import CHECKPOINT_INTERVAL
from linkwise.store import audit as store_audit
from linkwise.store import tables as t
from linkwise.workspace import Workspace
from linkwise.workspace.audit import attach_audit_signer, trusted_keys

SOURCES = ["county_court", "jail_bookings", "vehicle_registrations", "public_records"]
MARKINGS = ["criminal_justice", "dmv", "state_custody_sanctuary", "purchased_public_records"]
FIELDS = ["given_name", "family_name", "dob", "address_line", "city", "phone", "ssn"]
REASON = (
    "Records marked {m} may not be used for {p} without a judicial warrant or court order "
    "(18 U.S.C. § 2721(b); state rule). Redacted: {f}."
)


def events(n: int, seed: int, start: datetime) -> Iterator[dict[str, Any]]:
    """``n`` realistic events: mostly reads through a case, some changes and logins."""
    rng = random.Random(seed)
    users = [f"analyst{i}" for i in range(40)] + ["sup1", "sup2", "legal1", "audrey"]
    for i in range(n):
        kind = rng.random()
        actor = rng.choice(users)
        case_id: int | None = rng.randrange(1, 5000)
        entity = f"E{rng.randrange(16**8):08x}"
        if kind < 0.55:
            action = "entity.view"
            shown = rng.sample(FIELDS, rng.randrange(2, 6))
            redacted = [f for f in FIELDS if f not in shown][:2]
            marking = rng.choice(MARKINGS)
            objects: dict[str, Any] = {
                "entity": entity,
                "records": sorted(rng.sample(range(1, 3_000_000), rng.randrange(2, 8))),
                "fields": shown,
                "sources": rng.sample(SOURCES, 2),
            }
            decision: dict[str, Any] | None = {
                "outcome": "redacted" if redacted else "shown",
                "rule": f"marking:{marking}.default",
                "reason": REASON.format(m=marking, p="civil_immigration", f=", ".join(redacted)),
                "authority": "18 U.S.C. § 2721",
                "would_unlock": [{"process": "judicial_warrant", "purposes": ["criminal"]}],
                "unlocked_by": None,
            }
        elif kind < 0.80:
            action = "search"
            objects = {
                "results": [f"E{rng.randrange(16**8):08x}" for _ in range(rng.randrange(0, 10))],
                "page": 1,
                "query_sha256": f"{rng.getrandbits(256):064x}",
            }
            decision = {"outcome": "shown", "rule": "purpose:criminal.search", "redacted": 3}
        elif kind < 0.90:
            action = "judgement.record"
            objects = {
                "records": [rng.randrange(1, 3_000_000), rng.randrange(1, 3_000_000)],
                "entity": entity,
                "decision": rng.choice(["same", "different", "unsure"]),
            }
            decision = None
        elif kind < 0.97:
            action = "login.ok"
            case_id = None
            objects = {"method": "password", "user_id": rng.randrange(1, 45), "user": actor}
            decision = {"rehashed": False}
        else:
            action = "authorisation.record"
            objects = {
                "authorisation_id": rng.randrange(1, 10_000),
                "case_id": case_id,
                "process": "judicial_warrant",
                "reference": f"2026-CR-{rng.randrange(100000):05d}",
                "scope": {
                    "sources": ["vehicle_registrations"],
                    "markings": ["dmv"],
                    "subjects": [entity],
                },
            }
            decision = {"allowed": True, "rule": "legal_processes.judicial_warrant.recorded_by"}
        yield {
            "actor": actor,
            "action": action,
            "objects": objects,
            "decision": decision,
            "case_id": case_id,
            "at": start + timedelta(milliseconds=i),
        }


def write_batched(engine: Engine, n: int, batch: int, seed: int, start: datetime) -> float:
    began = time.perf_counter()
    stream = events(n, seed, start)
    done = 0
    while done < n:
        size = min(batch, n - done)
        with engine.begin() as conn:
            for _ in range(size):
                e = next(stream)
                audit.record(
                    conn,
                    actor=e["actor"],
                    action=e["action"],
                    objects=e["objects"],
                    decision=e["decision"],
                    case_id=e["case_id"],
                )
        done += size
        if done % 100_000 < batch:
            print(f"  {done:,} events written", file=sys.stderr, flush=True)
    return time.perf_counter() - began


def write_single(engine: Engine, n: int, seed: int, start: datetime) -> float:
    began = time.perf_counter()
    for e in events(n, seed, start):
        with engine.begin() as conn:
            audit.record(
                conn,
                actor=e["actor"],
                action=e["action"],
                objects=e["objects"],
                decision=e["decision"],
                case_id=e["case_id"],
            )
    return time.perf_counter() - began


def write_baseline(engine: Engine, n: int, batch: int, seed: int, start: datetime) -> float:
    """The same rows in an ordinary table: no chain, lock, subjects or checkpoints."""
    meta = MetaData()
    plain = Table(
        "bench_plain_events",
        meta,
        Column("seq", Integer, primary_key=True),
        Column("at", t.Timestamp, nullable=False),
        Column("actor", Text, nullable=False),
        Column("case_id", Integer),
        Column("action", String(64), nullable=False),
        Column("objects", t.Json, nullable=False),
        Column("decision", t.Json, nullable=False),
    )
    meta.drop_all(engine)
    meta.create_all(engine)
    began = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for seq, e in enumerate(events(n, seed, start), start=1):
        rows.append({"seq": seq, **e})
        if len(rows) == batch:
            with engine.begin() as conn:
                conn.execute(plain.insert(), rows)
            rows = []
    if rows:
        with engine.begin() as conn:
            conn.execute(plain.insert(), rows)
    return time.perf_counter() - began


def size_mb(engine: Engine, root: Path) -> float:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db = Path(str(engine.url.database))
        return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20
    with engine.connect() as conn:
        return (
            float(conn.execute(select(func.pg_database_size(func.current_database()))).scalar_one())
            / 2**20
        )


def timed_searches(engine: Engine, n: int) -> list[tuple[str, int, float]]:
    """Searches an auditor makes, on the actor, case, a subject and the time of an entity
    view half-way through the log (so each finds something), each over the whole log."""
    with engine.connect() as conn:
        middle = next(audit.events(conn, since_seq=n // 2, action="entity.view", limit=1))
        probe = conn.execute(
            select(t.audit_subjects.c.subject).where(t.audit_subjects.c.seq == middle.seq)
        ).scalar()
        queries: list[tuple[str, dict[str, Any]]] = [
            ("actor, newest 100", {"actor": middle.actor, "limit": 100, "newest_first": True}),
            ("case, all", {"case_id": middle.case_id}),
            ("subject, all", {"subject": probe}),
            (
                "one second, all",
                {"since_time": middle.at, "until_time": middle.at + timedelta(seconds=1)},
            ),
        ]
        out = []
        for label, query in queries:
            began = time.perf_counter()
            found = sum(1 for _ in audit.events(conn, **query))
            out.append((label, found, (time.perf_counter() - began) * 1000))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in --out)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    root = args.out / "audit_log"
    shutil.rmtree(root, ignore_errors=True)
    os.environ.pop("LINKWISE_AUDIT_KEY", None)
    ws, _ = Workspace.init(root, args.db)
    engine = ws.engine
    with engine.connect() as conn:
        # a new workspace's only event is the record of its policy pack (``policy.load``)
        others = select(func.count()).select_from(t.audit_events)
        others = others.where(t.audit_events.c.action != "policy.load")
        if conn.execute(others).scalar_one():
            raise SystemExit(f"{ws.db_display} already holds audit events; give a fresh one")
        existing = conn.execute(select(func.count()).select_from(t.audit_events)).scalar_one()
    attach_audit_signer(ws)
    start = datetime(2026, 3, 1, tzinfo=UTC)

    batched_s = write_batched(engine, args.events, args.batch, args.seed, start)
    single_s = write_single(engine, args.single, args.seed + 1, start + timedelta(days=30))
    total = args.events + args.single
    print("  indexing subjects ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    with engine.begin() as conn:
        indexed = store_audit.index_subjects(conn)
    index_s = time.perf_counter() - began
    log_mb = size_mb(engine, root)
    keys = trusted_keys(ws)
    print("  verifying ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    with engine.connect() as conn:
        check = audit.verify(conn, trusted_keys=keys)
    verify_s = time.perf_counter() - began
    if not check.ok or check.events != total + existing:
        raise SystemExit(f"verification failed: {check}")
    searches = timed_searches(engine, args.events)
    plain_s = write_baseline(engine, args.events, args.batch, args.seed, start)
    with_plain_mb = size_mb(engine, root)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_plain_events"))
    ws.close()

    print(
        f"\n{total:,} events ({args.events:,} batched + {args.single:,} single), "
        f"{engine.dialect.name}, {os.cpu_count()} cores, checkpoint every "
        f"{CHECKPOINT_INTERVAL:,} events ({check.checkpoints:,} signed and verified)\n"
    )
    print(
        "| case | events | write s | events/s written | verify s | events/s verified "
        "| database (MB) |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    print(
        f"| linkwise audit log, {args.batch:,} events a transaction | {args.events:,} "
        f"| {batched_s:.1f} | {args.events / batched_s:,.0f} | | | |"
    )
    print(
        f"| linkwise audit log, 1 event a transaction | {args.single:,} | {single_s:.1f} "
        f"| {args.single / single_s:,.0f} | | | |"
    )
    print(
        f"| linkwise audit log, the rest of the subject index brought up to date | {indexed:,} "
        f"| {index_s:.1f} | {indexed / index_s:,.0f} | | | |"
    )
    print(
        f"| linkwise audit log, whole chain verified | {total:,} | | | {verify_s:.1f} "
        f"| {total / verify_s:,.0f} | {log_mb:,.0f} |"
    )
    print(
        f"| baseline: plain table, {args.batch:,} rows a transaction | {args.events:,} "
        f"| {plain_s:.1f} | {args.events / plain_s:,.0f} | | | {with_plain_mb - log_mb:,.0f} |"
    )
    print("\n| auditor search | matches | ms |\n|---|---:|---:|")
    for label, found, ms in searches:
        print(f"| {label} | {found:,} | {ms:,.1f} |")


if __name__ == "__main__":
    main()
