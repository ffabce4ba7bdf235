"""Explanations from what a run stored: why two records were linked (or not), why each
record is in its entity (its path of links), and why a named record is not in one.

Links keep their per-comparison levels and weights, and the model they were scored with is
stored under its version, so an explanation is rebuilt without scoring anything again: the
two records are prepared (the same derived columns the model compared), and
``resolve.explain`` turns the stored contributions into a waterfall and a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, or_, select

from linkwise.resolve.explain import sentence, waterfall, why_not
from linkwise.resolve.prepare import PERSON_IDENTIFIERS, prepare
from linkwise.store import resolution as store
from linkwise.store import tables as t


def _model(conn: Any, version: str | None) -> dict[str, Any] | None:
    models = t.models
    query = select(models.c.settings)
    query = (
        query.where(models.c.version == version)
        if version
        else query.order_by(models.c.created_at.desc()).limit(1)
    )
    row = conn.execute(query).first()
    return dict(row.settings) if row else None


def _prepared(conn: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = store.current_person_rows(conn, ids=ids)
    table = prepare(rows).table
    return {int(r["unique_id"]): r for r in table.to_pylist()}


def _pair(link: Mapping[str, Any]) -> dict[str, Any]:
    pair: dict[str, Any] = {
        "unique_id_l": link["record_l"],
        "unique_id_r": link["record_r"],
        "match_weight": link["match_weight"],
        "match_probability": link["match_probability"],
    }
    for name, (gamma, weight, tf) in dict(link["contributions"]).items():
        pair[f"gamma_{name}"] = gamma
        pair[f"mw_{name}"] = weight
        pair[f"mw_tf_adj_{name}"] = tf
    return pair


def _waterfall(
    model: Mapping[str, Any], pair: Mapping[str, Any], records: Mapping[int, Any]
) -> list[Any]:
    return waterfall(
        model, pair, records.get(pair["unique_id_l"]), records.get(pair["unique_id_r"])
    )


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """Identifier numbers stay out of explanations (which process may see them is for the
    governed session to decide); names, dates and places are what a reviewer compares."""
    if row.get("name") in PERSON_IDENTIFIERS:
        row["left"] = row["right"] = None
    return row


def _link_between(conn: Any, a: int, b: int) -> dict[str, Any] | None:
    lk = t.links
    row = (
        conn.execute(
            select(lk).where(
                or_(
                    (lk.c.record_l == a) & (lk.c.record_r == b),
                    (lk.c.record_l == b) & (lk.c.record_r == a),
                )
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def explain_pair(engine: Engine, a: int, b: int) -> dict[str, Any]:
    """The stored link between two current records, as waterfall rows and a sentence."""
    with engine.connect() as conn:
        link = _link_between(conn, a, b)
        model = _model(conn, link["model_version"] if link else None)
        if model is None:
            raise ValueError("nothing is resolved yet: run `linkwise resolve` first")
        records = _prepared(conn, [a, b])
    if link is None:
        return {
            "linked": False,
            "sentence": why_not(model, None),
            "waterfall": [],
        }
    pair = _pair(link)
    rows = waterfall(
        model, pair, records.get(pair["unique_id_l"]), records.get(pair["unique_id_r"])
    )
    return {
        "linked": True,
        "match_probability": link["match_probability"],
        "match_weight": link["match_weight"],
        "model_version": link["model_version"],
        "sentence": sentence(rows),
        "waterfall": [_shown(r.to_dict()) for r in rows],
    }


def explain_entity(engine: Engine, entity_id: str, outsider: int | None = None) -> dict[str, Any]:
    """Why each record is in the entity: the link that attached it, back to the entity's
    first record (its path), each with its sentence. With ``outsider``, also why that
    record is not in the entity: its best stored link into it, or that there is none."""
    with engine.connect() as conn:
        members = store.entity_records(conn, entity_id)
        if not members:
            raise ValueError(f"no active entity {entity_id!r}")
        model = _model(conn, None)
        assert model is not None
        ids = [m["id"] for m in members]
        via_ids = [m["via_link"] for m in members if m["via_link"] is not None]
        links = (
            {
                row["id"]: dict(row)
                for row in conn.execute(select(t.links).where(t.links.c.id.in_(via_ids))).mappings()
            }
            if via_ids
            else {}
        )
        outside_links = store.links_of(conn, [outsider]) if outsider is not None else []
        records = _prepared(conn, ids + ([outsider] if outsider is not None else []))
    parent: dict[int, int | None] = {}
    steps: dict[int, dict[str, Any]] = {}
    for m in members:
        link = links.get(m["via_link"]) if m["via_link"] is not None else None
        if link is None:
            parent[m["id"]] = None
            continue
        other = link["record_l"] if link["record_r"] == m["id"] else link["record_r"]
        parent[m["id"]] = other
        pair = _pair(link)
        rows = waterfall(
            model, pair, records.get(pair["unique_id_l"]), records.get(pair["unique_id_r"])
        )
        steps[m["id"]] = {
            "joined_to": other,
            "match_probability": link["match_probability"],
            "sentence": sentence(rows),
        }
    explained = []
    for m in members:
        path, node, seen = [], m["id"], set()
        while parent.get(node) is not None and node not in seen:
            seen.add(node)
            path.append(node)
            node = parent[node] or node
        path.append(node)
        explained.append(
            {
                "record_id": m["id"],
                "source": m["source"],
                "source_key": m["source_key"],
                "path": path,
                "step": steps.get(m["id"]),
            }
        )
    result: dict[str, Any] = {"entity_id": entity_id, "records": explained}
    if outsider is not None:
        inside = set(ids)
        candidates = [lk for lk in outside_links if {lk["record_l"], lk["record_r"]} & inside]
        best = max(candidates, key=lambda lk: lk["match_probability"], default=None)
        if best is None:
            result["why_not"] = why_not(model, None)
        else:
            pair = _pair(best)
            result["why_not"] = why_not(
                model, pair, records.get(pair["unique_id_l"]), records.get(pair["unique_id_r"])
            )
    return result
