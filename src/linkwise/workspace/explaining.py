"""Explanations from what a run stored, for one governed read: why two records were linked
(or not), why each record is in its entity (its path of links), and why a named record is
not in one.

Links keep their per-comparison levels and weights, and the model they were scored with is
stored under its version, so an explanation is rebuilt without scoring anything again: the
records are prepared (the same derived columns the model compared), and ``resolve.explain``
turns the stored contributions into a waterfall and a sentence. Every value and every level
passes the session's ``Read`` first (``governed_rows``): a comparison of a value the reader
may not see is withheld whole, since its level beside the other side's value would give the
value away, and the sentence is made from what remains.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from linkwise.govern.evidence import EntityEvidence, Step
from linkwise.govern.gate import (
    Read,
    RecordRef,
    SessionError,
    is_withheld,
    marker,
    value_fields,
)
from linkwise.govern.views import (
    TELLING_KINDS,
    level_or_marker,
    link_figures,
    named_records,
    sentence_decision,
    withheld_evidence,
)
from linkwise.model.weights import probability_of
from linkwise.resolve.explain import (
    ADJUSTMENT_RESTS_ON,
    Contribution,
    sentence,
    waterfall,
    why_not,
)
from linkwise.resolve.name_order import NameOrder
from linkwise.resolve.namesakes import MIN_PEOPLE, find_namesakes
from linkwise.resolve.pipeline import NO_DOB_PENALTY
from linkwise.resolve.prepare import PERSON_IDENTIFIERS, prepare
from linkwise.store import reads
from linkwise.store import resolution as store

_WITHHELD_LEVEL = {
    "label": None,
    "gamma": None,
    "weight": None,
    "tf_adjustment": None,
    "combined": None,
    "m_probability": None,
    "u_probability": None,
    "is_null": None,
}


def governed_rows(
    read: Read,
    rows: Sequence[Contribution],
    left: RecordRef | None,
    right: RecordRef | None,
) -> tuple[list[dict[str, Any]], str]:
    """The waterfall as the reader may see it, and its sentence. ``left`` or ``right`` is
    None for the reader's own input (a match query), which is always shown. An adjustment
    row is left out when a comparison it would give away (``ADJUSTMENT_RESTS_ON``) is
    withheld. With any comparison withheld, the total is that of the rows shown (its
    ``evidence_withheld`` names the rest): the model's total less the rows shown would be
    the withheld rows' weight, which tells their levels apart."""
    out: list[dict[str, Any]] = []
    visible: list[Contribution] = []
    hidden: list[str] = []
    withheld: set[str] = set()  # comparisons whose level the reader may not see
    for row in rows:
        data = row.to_dict()
        if row.kind == "total" and withheld:
            row = _shown_total(visible)
            data = {**row.to_dict(), "evidence_withheld": sorted(withheld)}
        if row.kind == "adjustment":
            # Left out, not marked: even a withheld row would say that it applied (that
            # both names agree, say). The comparisons it rests on are marked withheld.
            if not any(n in withheld for n in ADJUSTMENT_RESTS_ON.get(row.name, ())):
                out.append(data)
                visible.append(row)
            continue
        if row.kind != "comparison":
            out.append(data)
            visible.append(row)
            continue
        identifier = row.name in PERSON_IDENTIFIERS
        level = level_or_marker(read, row.name, (left, right), row.gamma)
        data["left"] = None if identifier else _side(read, left, row.name, row.left)
        data["right"] = None if identifier else _side(read, right, row.name, row.right)
        if is_withheld(level):
            data.update(_WITHHELD_LEVEL, withheld=level)
            withheld.add(row.name)
            hidden.append(_noun(row.description or row.name))
        else:
            visible.append(row)
        out.append(data)
    text = sentence(visible)
    if hidden:
        text += (
            f" Not shown (restricted in this case): {', '.join(hidden)}; the probability "
            "counts only the evidence shown."
        )
    return out, text


def _shown_total(visible: Sequence[Contribution]) -> Contribution:
    weight = math.fsum(r.combined for r in visible)
    return Contribution(
        "total",
        "total",
        "Match weight on the evidence shown",
        weight=weight,
        probability=probability_of(weight),
    )


def shown_figures(
    read: Read, rows: Sequence[Mapping[str, Any]], link: Mapping[str, Any]
) -> dict[str, Any]:
    """A link's probability and weight as ``governed_rows`` showed its waterfall: the
    entity view's figures (``link_figures``) for the comparisons the total row says were
    withheld. Both sum the same prior and terms, so they equal the total to the last bit."""
    total = next((r for r in rows if r.get("kind") == "total"), None)
    withheld = [] if total is None else list(total.get("evidence_withheld") or [])
    return link_figures(read, link, withheld)


def _noun(description: str) -> str:
    """A comparison named in a sentence: "Given name" becomes "given name", "SSN" stays."""
    if description[1:2].isupper():
        return description
    return description[:1].lower() + description[1:]


def _side(read: Read, ref: RecordRef | None, comparison: str, value: Any) -> Any:
    if ref is None or value is None:
        return value
    return read.value_of(ref, value_fields(comparison), value)


def ref_view(read: Read, ref: RecordRef) -> dict[str, Any]:
    return {
        "record_id": ref.record_id,
        "source": ref.source,
        "source_key": read.value(ref, None, ref.source_key),
        "entity_id": read.subject(ref),
    }


def _prepared(
    read: Read, ids: Sequence[int], model: Mapping[str, Any] | None
) -> dict[int, dict[str, Any]]:
    """The records as ``model`` read them (names in the order it learned)."""
    rows = store.current_person_rows(read.conn, ids=list(ids))
    order = None if model is None else NameOrder.from_model(model)
    table = prepare(rows, name_order=order).table
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


def _link_rows(
    read: Read,
    link: Mapping[str, Any],
    refs: Mapping[int, RecordRef],
    prepared: Mapping[int, Any],
) -> tuple[list[dict[str, Any]], str]:
    model = read.model(link["model_version"]) or read.model(None)
    if model is None:
        raise SessionError("nothing is resolved yet: run `linkwise resolve` first")
    pair = _pair(link)
    left, right = int(link["record_l"]), int(link["record_r"])
    rows = waterfall(model, pair, prepared.get(left), prepared.get(right))
    return governed_rows(read, rows, refs[left], refs[right])


def explain_pair(read: Read, a: RecordRef, b: RecordRef) -> dict[str, Any]:
    """The stored link between two current records, as waterfall rows and a sentence; a
    pair with a record prohibited for the case's purpose is not explained at all (its link
    is evidence drawn from that record)."""
    out: dict[str, Any] = {"left": ref_view(read, a), "right": ref_view(read, b)}
    blocked = [d for r in (a, b) if (d := read.standing(r)).outcome == "prohibited"]
    if blocked:
        return {
            **out,
            "linked": None,
            "withheld": marker(blocked[0]),
            "sentence": None,
            "waterfall": [],
        }
    link = reads.link_between(read.conn, a.record_id, b.record_id)
    model = read.model(link["model_version"] if link else None)
    if model is None:
        raise SessionError("nothing is resolved yet: run `linkwise resolve` first")
    if link is None:
        return {**out, "linked": False, "sentence": why_not(model, None), "waterfall": []}
    prepared = _prepared(read, [a.record_id, b.record_id], model)
    rows, text = _link_rows(read, link, {a.record_id: a, b.record_id: b}, prepared)
    return {
        **out,
        "linked": True,
        **shown_figures(read, rows, link),
        "model_version": link["model_version"],
        "sentence": text,
        "waterfall": rows,
    }


def explain_entity(
    read: Read,
    ev: EntityEvidence,
    outsider: RecordRef | None = None,
    names: Callable[[], pa.Table | None] | None = None,
) -> dict[str, Any]:
    """Why each record the reader may know of is in the entity: the link (or reviewer's
    judgement) that attached it, back to the entity's first record, each with its sentence;
    a record prohibited here, or tied in only through prohibited evidence, says so instead.
    With ``outsider``, also why that record is not in the entity; ``names`` gives the
    resolved records' names (``incremental.resolved_names``), read only when the answer
    needs the namesake penalty."""
    ids = sorted(ev.shown) + ([outsider.record_id] if outsider is not None else [])
    prepared = _prepared(read, ids, read.model(None))
    refs = dict(ev.refs)
    if outsider is not None:
        refs[outsider.record_id] = outsider
    explained = []
    for rid, ref in ev.refs.items():
        why = ev.decision_for(rid)
        if why is not None:
            if rid in ev.withheld:
                read.note_withheld(ref, why)
            read.count(ref, None, why)
            explained.append(
                {
                    "record_id": rid,
                    "source": ref.source,
                    "source_key": marker(why),
                    "path": [rid],
                    "step": marker(why),
                }
            )
            continue
        step = ev.steps.get(rid)
        explained.append(
            {
                "record_id": rid,
                "source": ref.source,
                "source_key": read.value(ref, None, ref.source_key),
                "path": _path(ev, rid),
                "step": None if step is None else _step(read, step, refs, prepared),
            }
        )
    result: dict[str, Any] = {"entity_id": ev.entity_id, "records": explained}
    if outsider is not None:
        result["why_not"] = _why_not(read, ev, outsider, refs, prepared, names)
    return result


def _path(ev: EntityEvidence, rid: int) -> list[int]:
    path, node, seen = [rid], rid, {rid}
    while (step := ev.steps.get(node)) is not None and step.joined_to not in seen:
        node = step.joined_to
        seen.add(node)
        path.append(node)
    return path


def _step(
    read: Read, step: Step, refs: Mapping[int, RecordRef], prepared: Mapping[int, Any]
) -> dict[str, Any]:
    if step.link is None:
        return {
            "joined_to": step.joined_to,
            "match_probability": None,
            "judgement": "same",
            "sentence": "A reviewer judged them the same person.",
        }
    rows, text = _link_rows(read, step.link, refs, prepared)
    figures = shown_figures(read, rows, step.link)
    return {
        "joined_to": step.joined_to,
        "match_probability": figures["match_probability"],
        "evidence_withheld": figures["evidence_withheld"],
        "sentence": text,
    }


def _why_not(
    read: Read,
    ev: EntityEvidence,
    outsider: RecordRef,
    refs: Mapping[int, RecordRef],
    prepared: Mapping[int, Any],
    names: Callable[[], pa.Table | None] | None = None,
) -> Any:
    standing = read.standing(outsider)
    if standing.outcome == "prohibited":
        read.count(outsider, None, standing)
        return marker(standing)
    if (withheld := ev.decision_for(outsider.record_id)) is not None:
        # a member this reader may not know as one: answered as its place in the entity is
        read.count(outsider, None, withheld)
        return marker(withheld)
    candidates = [
        lk
        for lk in reads.links_touching(read.conn, outsider.record_id)
        if {int(lk["record_l"]), int(lk["record_r"])} & ev.shown
    ]
    best = max(candidates, key=lambda lk: _shown_probability(read, lk, refs), default=None)
    if best is None:
        model = read.model(None)
        if model is None:
            raise SessionError("nothing is resolved yet: run `linkwise resolve` first")
        return why_not(model, None)
    rows, text = _link_rows(read, best, refs, prepared)
    ids = f"records {best['record_l']} and {best['record_r']}"
    verdict = _merge_verdict(read, best, rows, prepared, names, outsider)
    return f"Its best link into the entity is between {ids}. {text} {verdict}"


def _shown_probability(read: Read, link: Mapping[str, Any], refs: Mapping[int, RecordRef]) -> float:
    """The link's probability on the evidence the reader may see (``link_figures``): which
    link is "best" must not rest on the withheld comparisons either."""
    ends = (refs[int(link["record_l"])], refs[int(link["record_r"])])
    hidden = withheld_evidence(read, link, ends)
    return float(link_figures(read, link, [] if hidden is None else hidden[1])["match_probability"])


def _merge_verdict(
    read: Read,
    link: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    prepared: Mapping[int, Any],
    names: Callable[[], pa.Table | None] | None,
    outsider: RecordRef,
) -> str:
    """Whether ``link`` was strong enough to merge, as the clustering weighed it: the
    model's probability, less the bits clustering asks of a link with no date of birth to
    compare (``pipeline.NO_DOB_PENALTY``) or between two records bearing one full name
    more people share than its parts suggest (``namesakes``), against the run's
    threshold; for a link strong enough, the clustering's flags on ``outsider`` (its record
    id) say why the merge was refused, by kind (their sentences can quote values). A clause
    is said only where what it rests on is shown: where any comparison of the link is
    withheld, no verdict at all (the model's figure against the threshold, a penalty, the
    figure it leaves, or that none applied would each tell of the withheld levels; the
    sentence before it gives the figure of the evidence shown); a flag whose kind tells of
    values ("household", "conflict") only as a review item's kind would be told
    (``_tellable``), else as a check on values not shown here."""
    if any(r.get("withheld") for r in rows):
        # the model's figure against the threshold, a penalty clustering applied, or even
        # that none did, would each tell of the withheld levels
        return (
            "Whether the model's figure for the link was enough for a merge, and how "
            "clustering weighed it, rest on values not shown here."
        )
    threshold = reads.clustering_threshold(read.conn)
    model_p = float(link["match_probability"])
    said = f"The model gives the link {_percent(model_p)}"
    if model_p < threshold:
        return f"{said}, short of the {_percent(threshold)} a merge needs."
    reasons: list[str] = []
    bits = 0.0
    contributions = dict(link["contributions"])
    if "dob" in contributions and int(contributions["dob"][0]) == -1:
        bits += NO_DOB_PENALTY
        reasons.append(f"{NO_DOB_PENALTY:g} bits because neither date of birth could be compared")
    name_bits = _namesake_bits(link, prepared, names)
    if name_bits > 0:
        bits += name_bits
        reasons.append(
            f"{name_bits:.1f} bits because both records bear one full name (or one slip "
            f"from it) that at least {MIN_PEOPLE} people in the data bear, more often than "
            "its parts suggest"
        )
    weight = float(link["match_weight"]) - bits
    counted = probability_of(weight)
    if reasons and counted < threshold:
        return (
            f"{said}, but for a merge clustering counts it {' and '.join(reasons)} less: "
            f"{_percent(counted)}, short of the {_percent(threshold)} a merge needs."
        )
    flags = list(
        dict.fromkeys(
            _FLAGS.get(kind, kind) if _tellable(read, kind, ids, reason, outsider) else _UNTOLD
            for kind, ids, reason in reads.flags_on(read.conn, outsider.record_id)
        )
    )
    if flags:
        return (
            f"{said}, enough for a merge ({_percent(threshold)}), but clustering refused it: "
            f"{'; '.join(flags)} (see the review queue)."
        )
    return (
        f"{said}, enough for a merge ({_percent(threshold)}), but clustering did not join "
        "them: the entity's other records lend the link too little support (their mean "
        "probability against this record falls short)."
    )


_FLAGS = {
    "conflict": "conflicting evidence (different identifiers, dates of birth years apart or, "
    "where the data keeps dates well, apart in a way no slip explains, or different name "
    "suffixes)",
    "household": "the household check (the same family name and address, with given names "
    "that cannot be one person's, or one name with dates of birth no slip explains)",
    "ambiguous": "the record fits two entities about equally",
    "cannot_link": "a reviewer judged records of the two sides different people",
    "judgement_conflict": "reviewers' judgements contradict each other",
}


_UNTOLD = "a check on values not shown here"


def _tellable(
    read: Read, kind: str, ids: Sequence[int], reason: str | None, outsider: RecordRef
) -> bool:
    """Whether a flag of ``kind`` may be named: as for a review item's kind
    (``views.review_item``), every value its sentence may rest on, of its records and of
    the records the sentence names, may be seen, and none of them is one the law never
    discloses."""
    if kind not in TELLING_KINDS:
        return True
    refs = [outsider, *read.refs([*ids, *named_records(reason)]).values()]
    if any(read.omitted(r) for r in refs):
        return False
    worst = sentence_decision(read, kind, reason, refs)
    return worst is None or worst.shown


def _namesake_bits(
    link: Mapping[str, Any],
    prepared: Mapping[int, Any],
    names: Callable[[], pa.Table | None] | None,
) -> float:
    """The namesake penalty on ``link`` (its caller has made sure both name comparisons
    may be seen: saying the names agree would otherwise tell what the case may not see)."""
    left, right = prepared.get(int(link["record_l"])), prepared.get(int(link["record_r"]))
    if names is None or left is None or right is None:
        return 0.0
    if not all(side.get(part) for side in (left, right) for part in ("given", "family")):
        return 0.0
    table = names()
    if table is None:
        return 0.0
    ids = [int(link["record_l"]), int(link["record_r"])]
    return float(find_namesakes(table, only=ids).penalty([ids[0]], [ids[1]])[0])


def _percent(p: float) -> str:
    if p > 0.999:
        return "over 99.9%"
    if p < 0.001:
        return "under 0.1%"
    return f"{p:.0%}" if 0.01 <= p <= 0.99 else f"{p:.1%}"
