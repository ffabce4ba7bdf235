"""People search: latency and recall@10 on a resolved demo world, beside a naive SQL search
in the same run.

    .venv/bin/python benchmarks/search_latency.py                      # 1M records
    .venv/bin/python benchmarks/search_latency.py --source benchmarks/out/governed_reads/workspace \
        --world benchmarks/out/resolve_accuracy/demo_100k_world --name 100k

Workspace: a copy (made once, into ``benchmarks/out/search_latency/<name>``) of a resolved
demo workspace: by default the 999,564-record world of the incremental-resolution benchmark
(``benchmarks/out/resolve_incremental_1m/workspace``, the 505,000-people world of
``resolve_1m.py``, resolved in full). The copy is migrated, gets the demo's users, cases and
authorisations (``seed_governance``) and its search index (``linkwise.search.index.refresh``,
the step a resolution run now ends with; timed and reported, not part of the latency).

Queries (``--queries``, seed 7): records drawn from the sources a criminal investigation may
read (not the benefit enrolments, which it sees redacted), an equal share of six kinds:
a misspelt name (a keyboard slip in the family or given name, nothing else); a nickname or
formal name for the given name with the birth year; a name re-spelt as another
transliteration would (ks/x, ph/f, Mohammed/Muhammad, ...) with the birth year; the exact
name with the full date of birth; an identifier of the record (SSN, passport, licence, ...);
its phone number. Each is typed as an analyst would, into the one free-text box.

Ours: ``WorkspaceSession.search`` as analyst ``ana`` in the demo's criminal-investigation
case: parsing, candidate lookups, scoring under the case's per-value decisions, grouping into
entities, each result's governed key facts, and the audit event, each query its own
transaction, timed end to end.

Baseline: the search one writes without an index: a LIKE scan of the records table (family
name starting with the query's first three letters and given name with its initial, and the
birth year when given; phone or identifier by equality on the unindexed column), ranked by
exact-name agreement, grouped by entity (SQLite told to scan the records first, then join
their entities); ungoverned and unaudited, so it does strictly less.

Recall@10: the query's person (``truth.csv``) is in one of the first ten entities returned,
counted as any entity holding one of their records. A misspelt name without a date of birth
may be shared by several people, so its recall is bounded by how common the name is.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from linkwise.normalize import nickname_candidates
from linkwise.search.index import refresh
from linkwise.store import tables as t
from linkwise.workspace import Workspace
from linkwise.workspace import users as ws_users
from linkwise.workspace.demo_governance import demo_password, seed_governance

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "search_latency"
SOURCE = BENCH / "out" / "resolve_incremental_1m" / "workspace"
WORLD = BENCH / "out" / "resolve_incremental_1m" / "world"
KINDS = ("misspelt name", "nickname + year", "transliteration + year", "name + DOB")
KINDS += ("identifier", "phone")
READABLE = ("court_dispositions", "jail_bookings", "public_records", "vehicle_registrations")
READABLE += ("civil_case_parties",)
RESPELL = (
    ("mohammed", "muhammad"),
    ("muhammad", "mohamed"),
    ("mohamed", "mohammad"),
    ("aleksandr", "alexander"),
    ("alexander", "aleksandr"),
    ("ks", "x"),
    ("x", "ks"),
    ("ph", "f"),
    ("kh", "h"),
    ("ou", "u"),
    ("iy", "y"),
    ("ei", "ey"),
    ("ie", "y"),
    ("y", "i"),
    ("c", "k"),
    ("ss", "s"),
    ("ll", "l"),
    ("i", "ee"),
)


def prepare(source: Path, out: Path) -> tuple[Workspace, float]:
    """The benchmark's own copy of ``source``, migrated, governed and indexed."""
    if not (out / "workspace.yaml").is_file():
        print(f"copying {source} to {out} (not timed)", flush=True)
        shutil.copytree(source, out)
    ws, _ = Workspace.init(out)
    if not ws_users.has_users(ws):
        seed_governance(ws)
    started = time.perf_counter()
    with ws.engine.begin() as conn:
        done = refresh(conn, complete=True)
    took = time.perf_counter() - started
    print(f"search index: {done.indexed:,} records indexed in {took:.1f} s", flush=True)
    return ws, took


def sample_queries(ws: Workspace, world: Path, n: int) -> list[dict[str, Any]]:
    """``n`` queries (see the module docstring), each with the entities of its person."""
    person_of: dict[tuple[str, str], str] = {}
    with (world / "truth.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            person_of[(row["source"], row["source_key"])] = row["person_id"]
    r, s, m, i = t.records, t.sources, t.entity_members, t.record_identifiers
    with ws.engine.connect() as conn:
        rows = [
            dict(row)
            for row in conn.execute(
                select(
                    r.c.id,
                    s.c.name.label("source"),
                    r.c.source_key,
                    r.c.given_name,
                    r.c.family_name,
                    r.c.dob,
                    r.c.phone,
                    m.c.entity_id,
                )
                .join(s, s.c.id == r.c.source_id)
                .join(m, m.c.record_id == r.c.id)
                .where(r.c.is_current)
            ).mappings()
        ]
        entities: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            person = person_of.get((row["source"], row["source_key"]))
            if person is not None:
                entities[person].add(row["entity_id"])
        rng = random.Random(7)
        usable = [
            row
            for row in rows
            if row["source"] in READABLE
            and row["given_name"]
            and row["family_name"]
            and len(row["dob"] or "") == 10
            and (row["source"], row["source_key"]) in person_of
        ]
        picked = rng.sample(usable, n * 3)
        ids = [row["id"] for row in picked]
        idents: dict[int, tuple[str, str]] = {}
        for chunk in range(0, len(ids), 2000):
            query = select(i.c.record_id, i.c.type, i.c.raw).where(
                i.c.record_id.in_(ids[chunk : chunk + 2000]),
                i.c.valid,
                i.c.type.in_(["ssn", "passport", "drivers_licence", "national_id", "a_number"]),
            )
            for rid, kind, raw in conn.execute(query):
                idents.setdefault(int(rid), (kind, raw))
    # public records' SSNs are redacted for the case (credit_header_ssn); other types are not
    source_of = {int(row["id"]): row["source"] for row in picked}
    idents = {
        rid: v
        for rid, v in idents.items()
        if not (v[0] == "ssn" and source_of[rid] == "public_records")
    }
    queries: list[dict[str, Any]] = []
    pool = iter(picked)
    for k in range(n):
        kind = KINDS[k % len(KINDS)]
        for row in pool:
            made = _query(kind, row, idents, rng)
            if made is not None:
                person = person_of[(row["source"], row["source_key"])]
                queries.append({"kind": kind, "q": made, "entities": entities[person]})
                break
    return queries


def _query(
    kind: str, row: dict[str, Any], idents: dict[int, tuple[str, str]], rng: random.Random
) -> str | None:
    given, family, dob = str(row["given_name"]), str(row["family_name"]), str(row["dob"])
    if kind == "misspelt name":
        if rng.random() < 0.7:
            return f"{given} {_slip(family, rng)}"
        return f"{_slip(given, rng)} {family}"
    if kind == "nickname + year":
        others = sorted(nickname_candidates(given) - {given})
        return f"{rng.choice(others)} {family} {dob[:4]}" if others else None
    if kind == "transliteration + year":
        for old, new in RESPELL:
            for which, name in (("family", family), ("given", given)):
                if old in name:
                    changed = name.replace(old, new, 1)
                    g, f = (given, changed) if which == "family" else (changed, family)
                    return f"{g} {f} {dob[:4]}"
        return None
    if kind == "name + DOB":
        return f"{given} {family} {dob}"
    if kind == "identifier":
        found = idents.get(int(row["id"]))
        return found[1] if found else None
    phone = row["phone"]
    if not phone or not str(phone).startswith("+1") or len(phone) != 12:
        return None
    digits = phone[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def _slip(word: str, rng: random.Random) -> str:
    """One keyboard slip: a letter dropped, doubled, swapped with its neighbour, or
    replaced by a neighbouring key."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 4:
        return word
    i = rng.choice(letters[1:-1])
    how = rng.randrange(4)
    if how == 0:
        return word[:i] + word[i + 1 :]
    if how == 1:
        return word[:i] + word[i] + word[i:]
    if how == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    near = {"a": "s", "e": "r", "i": "o", "o": "p", "u": "y", "n": "m", "m": "n", "r": "t"}
    return word[:i] + near.get(word[i], "e") + word[i + 1 :]


def baseline(ws: Workspace) -> Callable[[str], list[str]]:
    """The naive search (see the module docstring): top ten entity ids for a query."""
    from linkwise.search.query import build_query

    conn = ws.engine.connect()

    def run(q: str) -> list[str]:
        query = build_query(q)
        params: dict[str, Any] = {}
        where = ["r.is_current"]
        order = "0"
        if query.name:
            words = query.name.words
            family, given = words[-1], words[0]
            where.append("r.family_name LIKE :f")
            params["f"] = family[:3] + "%"
            if len(words) > 1:
                where.append("r.given_name LIKE :g")
                params["g"] = given[:1] + "%"
            order = "(r.family_name = :fx) + (r.given_name = :gx)"
            params.update(fx=family, gx=given)
            if query.dob is not None:
                where.append("r.dob LIKE :d")
                params["d"] = query.dob.iso() + "%"
        if query.phones:
            where.append("r.phone = :p")
            params["p"] = query.phones[0]
        if query.identifiers:
            where.append(
                "r.id IN (SELECT record_id FROM record_identifiers "
                "WHERE replace(replace(upper(value), '-', ''), ' ', '') = :i)"
            )
            params["i"] = query.identifiers[0]
        sql = (
            f"SELECT m.entity_id, max({order}) AS rank FROM records r "
            "CROSS JOIN entity_members m ON m.record_id = r.id "
            f"WHERE {' AND '.join(where)} GROUP BY m.entity_id ORDER BY rank DESC LIMIT 10"
        )
        return [str(row[0]) for row in conn.execute(text(sql), params)]

    return run


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--world", type=Path, default=WORLD)
    parser.add_argument("--name", default="1m")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--baseline-queries", type=int, default=None)
    args = parser.parse_args()
    ws, build_seconds = prepare(args.source, OUT / args.name)
    with ws.engine.connect() as conn:
        records = conn.execute(text("SELECT count(*) FROM records WHERE is_current")).scalar()
        keys = conn.execute(text("SELECT count(*) FROM search_keys")).scalar()
    queries = sample_queries(ws, args.world, args.queries)
    password = demo_password(ws).read_text(encoding="utf-8").strip()
    ana = ws.login("ana", password)
    case_id = min(c.case.id for c in _cases(ws, ana))
    ours: dict[str, list[float]] = defaultdict(list)
    hits: dict[str, list[bool]] = defaultdict(list)
    with ws.session(ana, case_id) as session:
        for item in queries[:10]:  # warm-up: imports, caches, the first page of the index
            session.search(item["q"], limit=10)
        for item in queries:
            started = time.perf_counter()
            found = session.search(item["q"], limit=10)
            ours[item["kind"]].append((time.perf_counter() - started) * 1000)
            got = {r["entity_id"] for r in found["results"]}
            hits[item["kind"]].append(bool(got & item["entities"]))
    naive = baseline(ws)
    theirs: dict[str, list[float]] = defaultdict(list)
    their_hits: dict[str, list[bool]] = defaultdict(list)
    for item in queries[: args.baseline_queries or len(queries)]:
        started = time.perf_counter()
        got_ids = set(naive(item["q"]))
        theirs[item["kind"]].append((time.perf_counter() - started) * 1000)
        their_hits[item["kind"]].append(bool(got_ids & item["entities"]))
    print()
    print(
        f"{records:,} current records, {keys:,} search keys (index built in "
        f"{build_seconds:.1f} s); {len(queries)} queries"
    )
    print()
    print("| method | queries | p50 ms | p95 ms | max ms | recall@10 |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, times, found in (
        ("linkwise search (governed)", ours, hits),
        ("naive LIKE scan (ungoverned)", theirs, their_hits),
    ):
        flat = [x for v in times.values() for x in v]
        ok = [x for v in found.values() for x in v]
        p50, p95, top = percentiles(flat)
        print(
            f"| {label} | {len(flat)} | {p50:.1f} | {p95:.1f} | {top:.1f} | "
            f"{sum(ok) / len(ok):.3f} |"
        )
    print()
    print(
        "| kind | queries | ours p50 / p95 ms | ours recall@10 | naive p95 ms | naive recall@10 |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for kind in KINDS:
        p50, p95, _ = percentiles(ours[kind])
        recall = sum(hits[kind]) / len(hits[kind])
        naive_p95 = percentiles(theirs[kind])[1] if theirs[kind] else float("nan")
        naive_recall = (
            sum(their_hits[kind]) / len(their_hits[kind]) if their_hits[kind] else float("nan")
        )
        print(
            f"| {kind} | {len(ours[kind])} | {p50:.1f} / {p95:.1f} | {recall:.3f} | "
            f"{naive_p95:.1f} | {naive_recall:.3f} |"
        )
    ws.close()


def _cases(ws: Workspace, user: Any) -> list[Any]:
    from linkwise.workspace import case_work

    return [
        c
        for c in case_work.list_cases(ws, user, statuses=("open", "in_review"))
        if c.case.purpose == "criminal_investigation"
    ]


if __name__ == "__main__":
    main()
