"""The shapes governed reads return, each built value by value through a ``Read``.

Every structure here is assembled from an explicit list of what it shows, never by copying a
stored row and blanking the parts known to be sensitive: a column added to the store later
stays out of every view until someone decides how it is governed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from linkwise.govern.gate import (
    Read,
    RecordRef,
    field_of,
    marker,
    most_restrictive,
)
from linkwise.govern.policy import Decision
from linkwise.model.fields import FIELDS, IDENTIFIER_FIELDS, RECORD_COLUMNS
from linkwise.model.manifest import Manifest
from linkwise.model.provenance import value_origins
from linkwise.model.weights import probability_of, weight_of

SUMMARY_FIELDS = (
    "given_name",
    "middle_name",
    "family_name",
    "dob",
    "sex",
    "address_line",
    "city",
    "postcode",
    "phone",
    "email",
)
"""The values an entity's record list shows (an export shows every canonical field)."""
LIST_FIELDS = ("given_name", "family_name", "dob")
"""The values a review item or match result shows to say which person a record is about."""
QUOTABLE_FIELDS = ("given_name", "middle_name", "family_name", "dob", "address_line")
"""Fields a clustering flag's sentence may quote (names, dates of birth, an address)."""


def reason_fields(kind: str, reason: str | None) -> tuple[str, ...]:
    """The fields a clustering flag's sentence may rest on: names, dates of birth and an
    address (``QUOTABLE_FIELDS``), and for a conflict over identifiers ("hold different SSN
    numbers") every identifier, or over name suffixes the suffix and the family name it may
    have been read off. The sentence forms are ``resolve.clustering``'s. An uncertain pair's
    sentence gives only its probability and what the run did (``review_item`` governs
    that figure), so it rests on no field; an ambiguous record's quotes the model's weights
    of two links, which rest on every field a comparison reads."""
    if kind == "uncertain_pair":
        return ()
    if kind == "ambiguous":
        return tuple(FIELDS)
    text = reason or ""
    fields: tuple[str, ...] = QUOTABLE_FIELDS
    if kind == "conflict" and " numbers" in text:
        fields += IDENTIFIER_FIELDS
    if kind == "conflict" and "name suffixes" in text:
        fields += ("name_suffix",)
    return fields


TELLING_KINDS = frozenset({"household", "conflict"})
"""Kinds that say something of the records' values by themselves ("household": the same
family name and address); shown as ``flagged`` when the item's sentence is withheld."""
_NAMED = re.compile(r"records (\d+) and (\d+)")


def link_view(
    read: Read, link: Mapping[str, Any], left: RecordRef, right: RecordRef
) -> dict[str, Any]:
    """A stored link with its per-comparison levels; a level compared on a value the reader
    may not see is withheld too, since an "exact" beside a shown value would give it away.
    So are the model's figures then: the weight and probability are those of the evidence
    shown (``shown_weight``), and ``evidence_withheld`` names the comparisons left out."""
    found = link["contributions"]
    if read.unrestricted(left) and read.unrestricted(right):
        # every level may be shown, and so may the model's figures (``link_figures``); the
        # levels are this read's own copy of the row (``reads.links_among``), handed on
        return {
            "id": link["id"],
            "record_l": link["record_l"],
            "record_r": link["record_r"],
            "match_probability": link["match_probability"],
            "match_weight": link["match_weight"],
            "evidence_withheld": [],
            "model_version": link["model_version"],
            "contributions": dict(found),
        }
    # decided once per set of names and records' share keys
    markers, withheld = read.withheld_levels(tuple(found), (left, right))
    contributions = {
        name: list(parts) if (withheld_as := markers.get(name)) is None else dict(withheld_as)
        for name, parts in found.items()
    }
    return {
        "id": link["id"],
        "record_l": link["record_l"],
        "record_r": link["record_r"],
        **link_figures(read, link, withheld),
        "model_version": link["model_version"],
        "contributions": contributions,
    }


def link_figures(read: Read, link: Mapping[str, Any], withheld: Sequence[str]) -> dict[str, Any]:
    """A stored link's match weight and probability as a reader may see them: the model's,
    unless some of its comparisons are withheld (``withheld``), when they are the figures
    of the evidence shown (``shown_weight``). The model's own figure less the shown terms
    would be exactly the weight of the withheld levels, which tells them apart as well as
    the level would."""
    if not withheld:
        return {
            "match_probability": link["match_probability"],
            "match_weight": link["match_weight"],
            "evidence_withheld": [],
        }
    lam = read.prior(link["model_version"]) or 0.5
    weight = shown_weight(weight_of(lam), dict(link["contributions"]), withheld)
    return {
        "match_probability": probability_of(weight),
        "match_weight": weight,
        "evidence_withheld": list(withheld),
    }


def shown_weight(
    prior: float, contributions: Mapping[str, Sequence[Any]], withheld: Iterable[str]
) -> float:
    """The prior and the terms (level weight and term-frequency adjustment) of the shown
    comparisons; ``contributions`` as a link stores them (name → gamma, weight,
    term-frequency adjustment). Summed, not taken off the model's figure: that
    subtraction's rounding would differ with the levels left out."""
    left_out = set(withheld)
    terms = [
        float(p[1] or 0.0) + float(p[2] or 0.0)
        for name, p in contributions.items()
        if name not in left_out
    ]
    return math.fsum([prior, *terms])


def withheld_evidence(
    read: Read, link: Mapping[str, Any], refs: Sequence[RecordRef]
) -> tuple[Decision, list[str]] | None:
    """The most restrictive decision on the comparisons of ``link`` (between the records of
    ``refs``) the reader may not see, and their names; None when every one may be seen."""
    if all(read.unrestricted(r) for r in refs):
        return None
    names = tuple(dict(link["contributions"]))
    decided = read.comparisons(names, refs)
    withheld = [n for n, (w, _) in zip(names, decided, strict=True) if w is not None]
    worsts = [w for w, _ in decided if w is not None]
    return (most_restrictive(worsts), withheld) if worsts else None


def level_or_marker(
    read: Read, comparison: str, refs: Sequence[RecordRef | None], level: Any
) -> Any:
    """``level`` if every value the comparison read may be seen (a None ref is the reader's
    own input), else the marker of the most restrictive decision."""
    (answer,) = read.comparisons((comparison,), refs)
    return _level(read, refs, level, answer)


def _level(
    read: Read,
    refs: Sequence[RecordRef | None],
    level: Any,
    answer: tuple[Decision | None, tuple[tuple[int, str | None, Decision], ...]],
) -> Any:
    """``level`` or, when ``answer`` (``Read.comparisons``) withholds it, the marker of the
    most restrictive decision, each withheld value noted in the read's audit event."""
    worst, hidden = answer
    if worst is None:
        return level
    read.count_hidden(refs, hidden)
    return read.marker(worst)


def record_view(
    read: Read, ref: RecordRef, versions: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Every stored version of a record with where each value came from, governed."""
    return {
        "record_id": ref.record_id,
        "source": ref.source,
        "source_key": read.value(ref, None, ref.source_key),
        "entity_id": read.subject(ref),
        "decision": read.standing(ref).to_json(),
        "versions": [_version(read, ref, item) for item in versions],
    }


def _version(read: Read, ref: RecordRef, item: Mapping[str, Any]) -> dict[str, Any]:
    manifest = Manifest.model_validate(item["run_manifest"])
    canonical = {c: item[c] for c in RECORD_COLUMNS}
    notes = dict(item["notes"] or {})
    origins = value_origins(manifest, dict(item["raw"] or {}), canonical, notes)
    columns = _column_fields(manifest)
    return {
        "record_id": item["id"],
        "version": item["version"],
        "is_current": item["is_current"],
        "run_id": item["run_id"],
        "locator": item["locator"],
        "ingested_at": item["ingested_at"],
        "content_hash": read.value(ref, None, item["content_hash"]),
        "fields": read.fields(ref, canonical),
        "identifiers": identifiers(read, ref, item["identifiers"]),
        "facts": {k: read.value(ref, None, v) for k, v in dict(item["facts"] or {}).items()},
        "notes": {k: read.value(ref, field_of(k), v) for k, v in notes.items()},
        "raw": {
            k: read.value_of(ref, columns.get(k, (None,)), v)
            for k, v in dict(item["raw"] or {}).items()
        },
        "origins": {
            name: {
                "raw": read.value_of(
                    ref, (field_of(name), *_also(origin.derived_from)), origin.raw
                ),
                "columns": list(origin.columns),
                "derived_from": origin.derived_from,
                "constant": origin.constant,
                "note": read.value(ref, field_of(name), origin.note),
            }
            for name, origin in origins.items()
            if not read.omitted_field(ref, field_of(name))
        },
    }


def identifiers(
    read: Read, ref: RecordRef, found: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A record's identifiers: the type and validity always, the number, the text it was
    read from and any validation note only when the identifier's field may be seen."""
    out = []
    for ident in found:
        kind = str(ident["type"])
        field = kind if kind in FIELDS else None
        if read.omitted_field(ref, field):
            read.note_omitted(ref, field)
            continue
        out.append(
            {
                "type": kind,
                "valid": ident["valid"],
                "value": read.value(ref, field, ident["value"]),
                "raw": read.value(ref, field, ident["raw"]),
                "issue": read.value(ref, field, ident.get("issue")),
            }
        )
    return out


def export_record(read: Read, ref: RecordRef, values: Mapping[str, Any]) -> dict[str, Any]:
    """A record as an export carries it: every canonical field, identifiers and facts."""
    out = read.summary(ref, {c: values.get(c) for c in RECORD_COLUMNS})
    out["identifiers"] = identifiers(read, ref, values.get("identifiers") or [])
    out["facts"] = {k: read.value(ref, None, v) for k, v in dict(values.get("facts") or {}).items()}
    return out


def named_records(reason: str | None) -> list[int]:
    """The record ids a clustering flag's sentence names ("records 12 and 40 share ..."):
    its values may come from any record of the two clusters, not only the item's two."""
    return sorted({int(i) for pair in _NAMED.findall(reason or "") for i in pair})


def sentence_decision(
    read: Read, kind: str, reason: str | None, refs: Sequence[RecordRef]
) -> Decision | None:
    """The most restrictive decision on what a clustering flag's sentence may rest on
    (``reason_fields``), over ``refs`` (the flag's records and those the sentence names,
    ``named_records``); None when all of it may be seen."""
    fields = reason_fields(kind, reason)
    gates = [read.decision(r, f) for r in refs for f in (None, *fields)]
    return most_restrictive(gates) if gates else None


def review_item(
    read: Read,
    item: Mapping[str, Any],
    refs: Sequence[RecordRef],
    values: Mapping[int, Any],
    named: Sequence[RecordRef] = (),
    link: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A review item with its records named as far as the reader may see them. Its sentence
    is shown only when every value it may quote can be, of the item's records and of the
    records it names (``named_records``); its kind, where the kind itself tells of values,
    only then too; its probability only when no record of the item is prohibited here (the
    link would be prohibited evidence). An uncertain pair's probability, and the sentence
    and priority made from it, are the model's only where the reader may see every
    comparison of its link (``link``, the stored link between its two records); else they
    are of the evidence shown (``link_figures``), and without the link, withheld."""
    worst = sentence_decision(read, str(item["kind"]), item["reason"], [*refs, *named])
    prohibited = [d for r in refs if (d := read.standing(r)).outcome == "prohibited"]
    probability: Any = item["match_probability"]
    priority: Any = item["priority"]
    reason: Any = item["reason"]
    if prohibited and probability is not None:
        # the priority is worked out from the probability (and the reason quotes it)
        probability = priority = marker(prohibited[0])
        if item["kind"] == "uncertain_pair":
            reason = marker(prohibited[0])
    elif probability is not None and not all(read.unrestricted(r) for r in refs):
        hidden = _hidden_evidence(read, refs, link)
        if hidden is not None and link is not None:
            shown = link_figures(read, link, hidden[1])["match_probability"]
            together = len({r.entity_id for r in refs}) == 1
            verdict = "joined" if together else "kept apart"
            probability = shown
            reason = (
                f"{shown:.0%} likely the same person on the evidence shown; {verdict} by this run"
            )
            priority = marker(hidden[0])  # worked out from the model's own figure
        elif hidden is not None:
            probability = reason = priority = marker(hidden[0])
    told = worst is None or worst.shown
    return {
        "id": item["id"],
        "kind": item["kind"] if told or item["kind"] not in TELLING_KINDS else "flagged",
        "priority": priority,
        "match_probability": probability,
        "reason": reason if told or worst is None else marker(worst),
        "records": [
            read.summary(r, {f: dict(values.get(r.record_id) or {}).get(f) for f in LIST_FIELDS})
            for r in refs
        ],
    }


def _hidden_evidence(
    read: Read, refs: Sequence[RecordRef], link: Mapping[str, Any] | None
) -> tuple[Decision, list[str]] | None:
    """The most restrictive decision on what an item's figure rests on, and the names of the
    link's comparisons withheld; None when all of it may be seen. Without a link, every
    canonical field of the records counts."""
    if link is not None:
        return withheld_evidence(read, link, refs)
    gates = [d for r in refs for f in FIELDS if not (d := read.decision(r, f)).shown]
    return (most_restrictive(gates), []) if gates else None


def _column_fields(manifest: Manifest) -> dict[str, tuple[str | None, ...]]:
    """Per raw key, the canonical fields it feeds. A nested JSON column such as
    ``address.street`` is stored under ``address``, so that key feeds every field read from
    inside it; a flat column whose name has a dot keeps its own name too."""
    out: dict[str, set[str | None]] = {}
    for name, spec in manifest.fields.items():
        for column in spec.source_columns():
            for key in {column, column.split(".", 1)[0]}:
                out.setdefault(key, set()).add(field_of(name))
    return {k: tuple(sorted(v, key=lambda f: f or "")) for k, v in out.items()}


def _also(derived_from: str | None) -> tuple[str | None, ...]:
    return () if derived_from is None else (field_of(derived_from),)
