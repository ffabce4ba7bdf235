"""Measuring a workspace's resolution (or a dedupe output) against a truth file.

The truth names records as ``file,record_id,true_id`` or, for the demo world,
``source,source_key,person_id``; a workspace's records are keyed the same way (source name,
source key). Built-in groups come from the records' own canonical fields; an optional tags
file (``source,source_key,tags`` with ``;``-separated tags, as the demo world writes) adds
the swapped-name-order flag.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from linkwise.evaluate import (
    Assignment,
    EvaluationReport,
    evaluate,
    read_assignments_csv,
    read_truth_csv,
)
from linkwise.store import tables as t


def evaluate_workspace(
    engine: Engine,
    truth_path: Path,
    *,
    by: Sequence[str] | None = None,
    tags_path: Path | None = None,
) -> EvaluationReport:
    truth = read_truth_csv(truth_path)
    r, s, m, lk = t.records, t.sources, t.entity_members, t.links
    assignments: list[Assignment] = []
    fields: dict[tuple[str, str], dict[str, Any]] = {}
    key_of: dict[int, tuple[str, str]] = {}
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
    if not assignments:
        raise ValueError("the workspace has no resolved records: run `linkwise resolve` first")
    if tags_path is not None:
        for key, tags in _tags(tags_path).items():
            if key in fields:
                fields[key]["name_order_swapped"] = "yes" if "swapped_order" in tags else "no"
    return evaluate(assignments, truth, fields=fields, by=by, pairs=pairs)


def evaluate_file(
    predictions: Path, truth_path: Path, *, by: Sequence[str] | None = None
) -> EvaluationReport:
    """Score a ``linkwise dedupe`` output (no record fields: only the truth's groups)."""
    return evaluate(read_assignments_csv(predictions), read_truth_csv(truth_path), by=by)


def _tags(path: Path) -> dict[tuple[str, str], set[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {
            (row["source"], row["source_key"]): set(
                filter(None, (row.get("tags") or "").split(";"))
            )
            for row in csv.DictReader(fh)
        }
