"""Measuring a workspace's resolution (or a dedupe output) against a truth file.

The truth names records as ``file,record_id,true_id`` or, for the demo world,
``source,source_key,person_id``; a workspace's records are keyed the same way (source name,
source key). Built-in groups come from the records' own canonical fields; an optional tags
file (``source,source_key,tags`` with ``;``-separated tags, as the demo world writes) adds
the swapped-name-order flag.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import Engine, select

from linkwise.evaluate import (
    Assignment,
    Blocking,
    EvaluationInputError,
    EvaluationReport,
    Key,
    Truth,
    evaluate,
    read_assignments_csv,
    read_truth_csv,
)
from linkwise.model.records import composite_key
from linkwise.resolve.blocking import blocking_recall, by_name, conditions
from linkwise.store import resolution as store
from linkwise.store import tables as t


def evaluate_workspace(
    engine: Engine,
    truth_path: Path,
    *,
    by: Sequence[str] | None = None,
    tags_path: Path | None = None,
    prepared: Path | None = None,
) -> EvaluationReport:
    """``prepared`` is the last full run's model input (the incremental cache); with it,
    the report also says how many true pairs the run's blocking rules generate."""
    truth = read_truth_csv(truth_path)
    r, s, m, lk = t.records, t.sources, t.entity_members, t.links
    assignments: list[Assignment] = []
    fields: dict[tuple[str, str], dict[str, Any]] = {}
    key_of: dict[int, tuple[str, str]] = {}
    stats: dict[str, Any] | None
    with engine.connect() as conn:
        query = (
            select(
                r.c.id,
                s.c.name,
                r.c.source_key,
                r.c.given_name,
                r.c.family_name,
                r.c.dob,
                r.c.name_original,
                m.c.entity_id,
            )
            .join(s, s.c.id == r.c.source_id)
            .join(m, m.c.record_id == r.c.id)
            .where(r.c.is_current)
        )
        for row in conn.execute(query):
            key = (row.name, row.source_key)
            key_of[row.id] = key
            assignments.append(Assignment(key, row.entity_id, None))
            fields[key] = {
                "given_name": row.given_name,
                "family_name": row.family_name,
                "dob": row.dob,
                "name_original": row.name_original,
            }
        pairs = [
            (key_of[a], key_of[b], float(p))
            for a, b, p in conn.execute(
                select(lk.c.record_l, lk.c.record_r, lk.c.match_probability)
            )
            if a in key_of and b in key_of
        ]
        stats = store.last_full_run_stats(conn)
    if not assignments:
        raise ValueError("the workspace has no resolved records: run `linkwise resolve` first")
    if tags_path is not None:
        for key, tags in _tags(tags_path).items():
            if key in fields:
                fields[key]["name_order_swapped"] = "yes" if "swapped_order" in tags else "no"
    truth = as_stored(truth, fields, truth_path)
    report = evaluate(assignments, truth, fields=fields, by=by, pairs=pairs)
    if prepared is not None and prepared.is_file() and stats and stats.get("rules"):
        kept = by_name([name for name, _pairs, used in stats["rules"] if used])
        record_of = {key: rid for rid, key in key_of.items()}
        measured = blocking_recall(
            pq.read_table(prepared), conditions(kept), true_pairs(truth, record_of)
        )
        report = dataclasses.replace(
            report,
            blocking=Blocking(measured.pairs, measured.covered, measured.recall, measured.per_rule),
        )
    return report


def as_stored(truth: Sequence[Truth], known: Container[Key], path: Path) -> list[Truth]:
    """``truth`` with a record of a source keyed by several columns named as ingestion wrote
    its key (``["NJ", "X1"]``), however the file spaced it (``known``: the workspace's
    keys). One record named twice, spaced two ways, is refused: the check of the file's
    reader sees two keys."""
    out: list[Truth] = []
    typed: dict[Key, Key] = {}
    for row in truth:
        source, key = row.key
        if (source, key) not in known and (written := composite_key(key)) is not None:
            row = dataclasses.replace(row, key=(source, written))
        if (first := typed.setdefault(row.key, (source, key))) != (source, key):
            raise EvaluationInputError(
                f"{first[0]}:{first[1]} and {source}:{key} are one record (a key of several "
                "columns, spaced differently); give it once",
                path=path,
            )
        out.append(row)
    return out


def true_pairs(truth: Iterable[Truth], record_of: Mapping[Key, int]) -> list[tuple[int, int]]:
    """Every pair of records the truth says are one person (record ids, lower first)."""
    people: dict[str, list[int]] = defaultdict(list)
    for row in truth:
        if (rid := record_of.get(row.key)) is not None:
            people[row.true_id].append(rid)
    return [(a, b) for ids in people.values() for a, b in itertools.combinations(sorted(ids), 2)]


def evaluate_file(
    predictions: Path, truth_path: Path, *, by: Sequence[str] | None = None
) -> EvaluationReport:
    """Score a ``linkwise dedupe`` output (no record fields: only the truth's groups)."""
    return evaluate(read_assignments_csv(predictions), read_truth_csv(truth_path), by=by)


def _tags(path: Path) -> dict[tuple[str, str], set[str]]:
    """The tags file's (source, source key) -> tags; a file that cannot be read, or lacks
    those columns, is an ``EvaluationInputError`` naming it."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:  # as the truth is read
            reader = csv.DictReader(fh)
            missing = [c for c in ("source", "source_key") if c not in (reader.fieldnames or [])]
            if missing:
                raise EvaluationInputError(
                    f"no column {', '.join(map(repr, missing))} (a tags file has the columns "
                    "source,source_key,tags)",
                    path=path,
                    line=1,
                )
            return {
                (row["source"], row["source_key"]): set(
                    filter(None, (row.get("tags") or "").split(";"))
                )
                for row in reader
            }
    except OSError as exc:
        raise EvaluationInputError(f"cannot read it ({exc.strerror or exc})", path=path) from None
    except UnicodeDecodeError:
        raise EvaluationInputError("not UTF-8 text", path=path) from None
    except csv.Error as exc:
        raise EvaluationInputError(f"not a readable CSV ({exc})", path=path) from None


@dataclasses.dataclass(frozen=True, slots=True)
class JudgementAgreement:
    """How the current entities agree with the reviewers' judgements: pairwise precision and
    recall taking each pair's latest "same" or "different" judgement as the truth.

    Resolution applies judgements made before it as constraints, so on those pairs it agrees
    by construction; disagreement comes from judgements made since, or from a record's newer
    version that no longer holds what was judged. Pairs whose records are not both current
    and resolved are counted apart (``unplaced``); "unsure" judgements are not scored.
    """

    same_together: int  # true positives
    same_apart: int  # missed links
    different_together: int  # false merges
    different_apart: int  # true negatives
    unsure: int
    unplaced: int

    @property
    def pairs(self) -> int:
        return self.same_together + self.same_apart + self.different_together + self.different_apart

    @property
    def precision(self) -> float | None:
        joined = self.same_together + self.different_together
        return self.same_together / joined if joined else None

    @property
    def recall(self) -> float | None:
        same = self.same_together + self.same_apart
        return self.same_together / same if same else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)


def agreement_with_judgements(engine: Engine) -> JudgementAgreement:
    """Score the current entities against the stored judgements (latest per pair)."""
    counts: dict[str, int] = defaultdict(int)
    with engine.connect() as conn:
        decisions = store.latest_decisions(conn)
        keys = {key for pair in decisions for key in pair}
        record_of = {key: store.current_record_id(conn, key) for key in keys}
        ids = [rid for rid in record_of.values() if rid is not None]
        entity = store.entity_of_records(conn, ids) if ids else {}
    for (left, right), decision in decisions.items():
        if decision not in ("same", "different"):
            counts["unsure"] += 1
            continue
        a, b = record_of.get(left), record_of.get(right)
        ea = entity.get(a) if a is not None else None
        eb = entity.get(b) if b is not None else None
        if ea is None or eb is None:
            counts["unplaced"] += 1
            continue
        counts[f"{decision}_{'together' if ea == eb else 'apart'}"] += 1
    return JudgementAgreement(
        same_together=counts["same_together"],
        same_apart=counts["same_apart"],
        different_together=counts["different_together"],
        different_apart=counts["different_apart"],
        unsure=counts["unsure"],
        unplaced=counts["unplaced"],
    )
