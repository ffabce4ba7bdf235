"""Document extraction and linking: precision/recall per mention type, throughput, and how
often a document's person lands in the right entity.

    .venv/bin/python benchmarks/documents.py [--docs 10000] [--people 20000] [--seed 2026]

1. **Extraction on generated documents** (``benchmarks/docgen.py``, the held-out ``test``
   split: names and phrasings the rules were never developed on), exact-span precision and
   recall per mention type, for each approach: rules without the given-name gazetteer,
   rules with it, and rules with spaCy's small English pipeline's names added (the
   approach linkwise uses when the pipeline is installed). Throughput of the chosen
   approach in one process and in one process per core.
2. **Extraction on the demo world's incident reports** (written by the demo generator, which
   the rules never saw), person names against ``truth_mentions.csv`` (which lists names
   only, as distinct strings per document, so names are scored as distinct strings), and
   dates by role, phones and addresses against ``truth_details.csv`` (every one a report
   writes), by type and text.
3. **Linking**: a demo world of ``--people`` people is ingested (its reports included) and
   resolved in a fresh SQLite workspace; each mention record (a person named in a report)
   is scored against the truth: *right* when its entity's row records are mostly that
   person's, *wrong* when they are mostly someone else's, *missed* when it is in no entity
   with a row record although the person has row records, *right alone* when the person has
   no row records and the mention stays apart.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from doceval import Score, keys  # noqa: E402
from docgen import generate  # noqa: E402
from linkwise.documents import spacy_names  # noqa: E402
from linkwise.documents.extract import extract, extract_many  # noqa: E402
from linkwise.documents.people import group  # noqa: E402

APPROACHES = {
    "rules": {"gazetteer": False},
    "rules+gazetteer": {"gazetteer": True},
}


def _score_generated(docs: list, approach: str) -> tuple[Score, float]:
    started = time.perf_counter()
    if approach == "rules+gazetteer+spacy":
        found = extract_many([d.text for d in docs])
    else:
        found = [extract(d.text, **APPROACHES[approach]) for d in docs]
    seconds = time.perf_counter() - started
    score = Score()
    for d, mentions in zip(docs, found, strict=True):
        score.add(keys(d.name, mentions), keys(d.name, d.mentions))
    return score, seconds


def _chunk(texts: list[str]) -> int:
    return sum(len(m) for m in extract_many(texts))


def _parallel_rate(texts: list[str], workers: int) -> float:
    parts = [texts[i::workers] for i in range(workers)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_chunk, parts)
    return len(texts) / (time.perf_counter() - started)


def _demo_names(world: Path, approach: str) -> tuple[float, float, int]:
    truth: dict[str, set[str]] = {}
    with (world / "truth_mentions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            truth.setdefault(row["document"], set()).add(row["mention"])
    names = sorted(truth)
    texts = [(world / "reports" / n).read_text(encoding="utf-8") for n in names]
    if approach == "rules+gazetteer+spacy":
        found = extract_many(texts)
    else:
        found = [extract(t, **APPROACHES[approach]) for t in texts]
    tp = fp = fn = 0
    for name, mentions in zip(names, found, strict=True):
        pred = {m.text for m in mentions if m.type == "person"}
        tp += len(pred & truth[name])
        fp += len(pred - truth[name])
        fn += len(truth[name] - pred)
    return tp / max(1, tp + fp), tp / max(1, tp + fn), tp + fn


DETAIL_TYPES = ("date:dob", "date:event", "phone", "address")


def _demo_details(world: Path) -> Score | None:
    """Dates (by role), phones and addresses in the demo reports against
    ``truth_details.csv`` (every one a report writes, as written), with the approach
    linkwise uses. A mention is right when its type and text match one in its document's
    truth (a multiset: the report's date is written twice). None for a world generated before
    the generator wrote that file."""
    path = world / "truth_details.csv"
    if not path.exists():
        return None
    truth: dict[str, Counter[tuple[str, str]]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            truth.setdefault(row["document"], Counter())[(row["type"], row["text"])] += 1
    names = sorted(truth)
    texts = [(world / "reports" / n).read_text(encoding="utf-8") for n in names]
    score = Score()
    for name, mentions in zip(names, extract_many(texts), strict=True):
        found: Counter[tuple[str, str]] = Counter()
        for m in mentions:
            kind = f"date:{m.role}" if m.type == "date" else m.type
            if kind in DETAIL_TYPES:
                found[(kind, m.text)] += 1
        score.count(found, truth[name])
    return score


def _demo_attribution(world: Path) -> Counter[tuple[str, str]] | None:
    """Whose record each date of birth, phone and address said of a person in the demo
    reports lands on (``linkwise.documents.people.group`` over the used approach's
    mentions): (type, "right" | "wrong" | "nobody's") counts. A person row is known by its
    name, which ``truth_mentions.csv`` gives with its person. None for a world without
    ``truth_details.csv``."""
    path = world / "truth_details.csv"
    if not path.exists():
        return None
    names: dict[str, dict[str, str]] = {}
    with (world / "truth_mentions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names.setdefault(row["document"], {})[row["mention"]] = row["person_id"]
    said: dict[str, list[tuple[str, str, str]]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["person_id"]:
                said.setdefault(row["document"], []).append(
                    (row["type"], row["text"], row["person_id"])
                )
    docs = sorted(said)
    texts = [(world / "reports" / d).read_text(encoding="utf-8") for d in docs]
    outcome: Counter[tuple[str, str]] = Counter()
    for doc, text, mentions in zip(docs, texts, extract_many(texts), strict=True):
        rows, _ = group(text, mentions)
        for kind, written, pid in said[doc]:
            column, value = _COLUMN[kind], written
            if kind == "date:dob":
                month, day, year = written.split("/")
                value = f"{year}-{month}-{day}"
            holders = [
                names[doc].get(r.values["name"]) for r in rows if r.values.get(column) == value
            ]
            verdict = "right" if pid in holders else "wrong" if holders else "nobody's"
            outcome[(kind, verdict)] += 1
    return outcome


_COLUMN = {"date:dob": "dob", "phone": "phone", "address": "address"}


def _linking(people: int, seed: int, out: Path) -> dict[str, object]:
    from linkwise.demo import generate_world
    from linkwise.workspace import Workspace

    world = out / "world"
    generate_world(world, people, seed)
    ws, _ = Workspace.init(out / "ws")
    try:
        for manifest in sorted(world.glob("*.yaml")):
            ws.add_source(manifest)
        started = time.perf_counter()
        outcomes = ws.ingest()
        ingest_s = time.perf_counter() - started
        reports = next(o for o in outcomes if o.source == "incident_reports")
        started = time.perf_counter()
        ws.resolve()
        resolve_s = time.perf_counter() - started
        with ws.engine.connect() as conn:
            members, names = _members(conn)
    finally:
        ws.close()
    return _score_links(world, members, names) | {
        "ingest_seconds": round(ingest_s, 1),
        "resolve_seconds": round(resolve_s, 1),
        "reports_run": reports.run.id if reports.run else None,
        "reports": len(list((world / "reports").glob("*.txt"))),
    }


def _members(conn: Any) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """(source, key) -> entity of every current record, and each mention record's name as
    written (its first person mention)."""
    from sqlalchemy import select

    from linkwise.store import resolution as resolution_store
    from linkwise.store.tables import mentions, sources

    source_names = {row.id: row.name for row in conn.execute(select(sources.c.id, sources.c.name))}
    keys = resolution_store.record_keys(conn)
    entity = resolution_store.entity_of_records(conn)
    members = {
        (source_names[sid], key): entity[rid] for rid, (sid, key) in keys.items() if rid in entity
    }
    names: dict[tuple[str, str], str] = {}
    query = (
        select(mentions.c.record_key, mentions.c.text)
        .where(mentions.c.type == "person", mentions.c.record_key.is_not(None))
        .order_by(mentions.c.document_id, mentions.c.n)
    )
    for row in conn.execute(query):
        names.setdefault(("incident_reports", row.record_key), row.text)
    details: dict[tuple[str, str], set[str]] = {}
    query = select(mentions.c.record_key, mentions.c.type, mentions.c.role).where(
        mentions.c.record_key.is_not(None), mentions.c.type != "person"
    )
    for row in conn.execute(query):
        kind = "dob" if row.type == "date" else row.type
        details.setdefault(("incident_reports", row.record_key), set()).add(kind)
    for key, name in names.items():
        names[key] = f"{name}\t{'+'.join(sorted(details.get(key, ()))) or 'name only'}"
    return members, names


def _score_links(
    world: Path, members: dict[tuple[str, str], str], names: dict[tuple[str, str], str]
) -> dict[str, object]:
    """Score each mention record against the truth (see the module docstring)."""
    person_of: dict[tuple[str, str], str] = {}
    with (world / "truth.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            person_of[(row["source"], row["source_key"])] = row["person_id"]
    mention_person: dict[tuple[str, str], str] = {}
    with (world / "truth_mentions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            mention_person[(row["document"], row["mention"])] = row["person_id"]
    has_rows = set(person_of.values())
    by_entity: dict[str, Counter[str]] = {}
    for key, entity in members.items():
        if key in person_of:
            by_entity.setdefault(entity, Counter())[person_of[key]] += 1
    outcome: Counter[str] = Counter()
    for (source, key), entity in members.items():
        if source != "incident_reports":
            continue
        doc = key.split("#")[0]
        name, detail = names.get((source, key), "\t").split("\t")
        truth = mention_person.get((doc, name))
        if truth is None:
            outcome["not a true name mention", detail] += 1
            continue
        rows = by_entity.get(entity)
        if not rows:
            outcome["right alone" if truth not in has_rows else "missed", detail] += 1
        elif rows.most_common(1)[0][0] == truth:
            outcome["right", detail] += 1
        else:
            outcome["wrong", detail] += 1
    return _link_table(outcome)


def _link_table(outcome: Counter[tuple[str, str]]) -> dict[str, object]:
    """Outcomes per kind of detail the mention record carried, and in total."""
    kinds = sorted({k for _, k in outcome})
    columns = ["right", "wrong", "missed", "right alone", "not a true name mention"]
    lines = [f"{'details':<16}" + "".join(f"{c:>14}" for c in ["records", *columns[:4]])]
    for kind in [*kinds, "all"]:
        counts = [
            sum(n for (c, k), n in outcome.items() if c == col and kind in (k, "all"))
            for col in columns
        ]
        lines.append(f"{kind:<16}{sum(counts):>14}" + "".join(f"{n:>14}" for n in counts[:4]))
    total = sum(outcome.values())
    right = sum(n for (c, _), n in outcome.items() if c in ("right", "right alone"))
    wrong = sum(n for (c, _), n in outcome.items() if c == "wrong")
    linked = sum(n for (c, _), n in outcome.items() if c in ("right", "wrong"))
    return {
        "table": "\n" + "\n".join(lines),
        "accuracy (right / all)": f"{right / max(1, total):.3f}",
        "precision of links (right / linked)": f"{(linked - wrong) / max(1, linked):.3f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--demo-world", type=Path, default=BENCH / "out/resolve_accuracy/demo_100k_world"
    )
    parser.add_argument("--skip-linking", action="store_true")
    args = parser.parse_args()
    if not spacy_names.available():
        sys.exit(f"the name model ({spacy_names.MODEL_PACKAGE}) is not installed")

    docs = generate(args.docs, args.seed, "test")
    size_mb = sum(len(d.text.encode()) for d in docs) / 2**20
    print(f"== extraction on {len(docs):,} generated documents (held-out split), {size_mb:.1f} MB")
    for approach in [*APPROACHES, "rules+gazetteer+spacy"]:
        score, seconds = _score_generated(docs, approach)
        print()
        rate = f"{len(docs) / seconds:,.0f} docs/s, {size_mb / seconds:.2f} MB/s"
        print(score.table(f"{approach}: {rate} (1 process)"))
    texts = [d.text for d in docs]
    rate = _parallel_rate(texts, 2)
    mb_s = rate * size_mb / len(docs)
    print(f"\nrules+gazetteer+spacy on 2 processes: {rate:,.0f} docs/s, {mb_s:.2f} MB/s")

    if args.demo_world.exists():
        print(f"\n== person names in the demo reports ({args.demo_world})")
        print(f"{'approach':<24}{'names':>7}{'precision':>11}{'recall':>8}")
        for approach in [*APPROACHES, "rules+gazetteer+spacy"]:
            p, r, n = _demo_names(args.demo_world, approach)
            print(f"{approach:<24}{n:>7}{p:>11.3f}{r:>8.3f}")
        details = _demo_details(args.demo_world)
        if details is None:
            print("\n(no truth_details.csv in this world: generated before it was written)")
        else:
            print()
            print(details.table("dates, phones and addresses in the demo reports"))
        attributed = _demo_attribution(args.demo_world)
        if attributed is not None:
            print("\nwhose record each detail said of a person lands on (demo reports)")
            print(f"{'type':<12}{'said':>7}{'right':>8}{'wrong':>8}{'nobody':>8}")
            for kind in _COLUMN:
                n = [attributed[(kind, v)] for v in ("right", "wrong", "nobody's")]
                print(f"{kind:<12}{sum(n):>7}{n[0]:>8}{n[1]:>8}{n[2]:>8}")

    if not args.skip_linking:
        print(f"\n== linking on a demo world of {args.people:,} people (seed {args.seed})")
        with tempfile.TemporaryDirectory() as tmp:
            result = _linking(args.people, args.seed, Path(tmp))
        for k, v in result.items():
            print(f"{k:<28}{v}")


if __name__ == "__main__":
    main()
