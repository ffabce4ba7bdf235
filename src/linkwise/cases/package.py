"""The case package: everything a case holds about its subjects, in one governed document.

For each subject entity: its records grouped by source, each with its provenance (source,
key, version, ingestion run, where every value came from), how it joined the entity (its
path of links, the confidence of the link that attached it and that link's explanation)
and whether that tie is **confirmed**; a timeline of dated facts; the discrepancies between
sources (dates of birth, name spellings, addresses); what is restricted, as the gate's
markers with the process that would unlock each; and the values resolution found generic.

Everything in it comes out of one governed read (``linkwise.govern.gate.Read``): the
records through ``govern.views.record_view``, the explanation through the caller's
``explain`` (the workspace's entity explanation), and every derived part (timeline,
discrepancies) from those governed structures only, never from the store, so a value the
case may not see cannot reach the package, its JSON or its PDF by a side door.

The confirmed rule is the one case prioritisation uses (``linkwise.cases.priority``): a
record is **confirmed** when it is in the entity's confirmed core, the largest group of its
shown records held together by links at or above the pack's
``priority_settings.confirmation_threshold`` and by reviewers' "same" judgements. A fact
resting only on records outside it is marked unconfirmed wherever it is used (case views,
drafted documents).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from linkwise.cases.priority import confirmed_core
from linkwise.cases.subjects import subject_state
from linkwise.govern.evidence import EntityEvidence
from linkwise.govern.gate import Read, RecordRef, is_withheld, marker
from linkwise.govern.session import current_ids
from linkwise.govern.views import record_view
from linkwise.model.cases import Subject
from linkwise.model.manifest import Manifest
from linkwise.resolve.prepare import GENERIC_FIELDS, PERSON_IDENTIFIERS, prepare
from linkwise.store import cases as case_store
from linkwise.store import records as record_store
from linkwise.store import resolution as resolution_store

__all__ = [
    "FORMAT",
    "NOTICE",
    "Explain",
    "case_package",
    "subject_package",
]

FORMAT = "linkwise.case-package/1"
NOTICE = (
    "Values this case may not use are replaced by markers naming the rule, the authority and "
    "what would lawfully unlock them. A match is a lead with a measured error rate, not a "
    "finding: facts resting on unconfirmed links are marked so."
)

Explain = Callable[[Read, EntityEvidence], dict[str, Any]]
"""The entity explanation (``linkwise.workspace.explaining.explain_entity``): per record,
its path of links and the sentence of the step that attached it."""

_DISCREPANCY_LABELS = {"dob": "Date of birth", "name": "Name", "address": "Address"}
_GENERIC_TARGET = {"phone": "phone", "email": "email", "address": "address_line"}
"""Canonical field each non-identifier generic column is prepared from."""


def case_package(read: Read, explain: Explain, *, threshold: float | None = None) -> dict[str, Any]:
    """The package of the read's case: one part per active subject, oldest first.
    ``threshold`` defaults to the pack's ``priority_settings.confirmation_threshold``."""
    if threshold is None:
        threshold = read.pack.priority_settings.confirmation_threshold
    subjects = case_store.subjects_of_case(read.conn, read.case.id)
    purpose = read.pack.purposes.get(read.purpose)
    return {
        "format": FORMAT,
        "generated_at": read.now.isoformat(),
        "generated_by": read.actor.username,
        "case": {
            "id": read.case.id,
            "title": read.case.title,
            "purpose": read.purpose,
            "purpose_title": purpose.title if purpose is not None else read.purpose,
            "status": read.case.status,
        },
        "policy_pack": {"name": read.pack.name, "version": read.pack.version},
        "confirmation_threshold": threshold,
        "subjects": [_subject(read, s, explain, threshold) for s in subjects],
        "notice": NOTICE,
    }


def _subject(read: Read, subject: Subject, explain: Explain, threshold: float) -> dict[str, Any]:
    """A subject's part, saying whether it needs confirmation after re-resolution and what
    changed: an entity that kept its id but took in another's records (or lost some) may
    now hold another person's, so its records are listed for the assignee to check, not
    to rely on (drafting and sign-off are refused until then)."""
    state = subject_state(read.conn, subject)
    part = subject_package(read, subject.entity_id, explain, threshold)
    part["needs_confirmation"] = state.needs_confirmation
    if state.needs_confirmation and part["status"] == "active":
        # not state.summary(): its record counts and entity ids include records the law
        # never discloses, which the package, an export, must not let anyone infer
        part["note"] = (
            "A later resolution run merged records into this entity or split records off "
            "it; confirm which person the case concerns before relying on its records."
        )
        part["now_in"] = _known(read, state.now_in)
    return part


def _known(read: Read, entity_ids: Iterable[str]) -> list[str]:
    """The active entities among ``entity_ids`` of which the reader may know a record (an
    entity made only of records the law never discloses is not named)."""
    return sorted(e for e in entity_ids if (ev := read.evidence(e)) is not None and ev.refs)


def subject_package(
    read: Read, entity_id: str, explain: Explain, threshold: float
) -> dict[str, Any]:
    """One subject's part of the package. An entity a later run merged or split is not
    guessed at: its part names the entities its records are in now, for the assignee to
    confirm which one the case concerns."""
    read.touch(entities=[entity_id])
    ev = read.evidence(entity_id)
    if ev is None:
        return {
            "entity_id": entity_id,
            "status": read.status(entity_id) or "unknown",
            "now_in": _known(read, current_ids(read.conn, [entity_id]) - {entity_id}),
            "note": (
                "The subject's entity was changed by a later resolution run; confirm which "
                "person the case concerns before relying on its records."
            ),
            "sources": [],
            "timeline": [],
            "discrepancies": [],
            "restricted": [],
        }
    explained = {int(r["record_id"]): r for r in explain(read, ev)["records"]}
    core, _, _ = confirmed_core(read, ev.refs, ev.shown, ev.links, threshold)
    generic = _generic(read, sorted(ev.shown))
    records = [
        _record(read, ref, ev, explained.get(rid), rid in core, generic.get(rid))
        for rid, ref in ev.refs.items()
    ]
    usable = [r for r in records if "withheld" not in r]
    return {
        "entity_id": entity_id,
        "status": "active",
        "sources": _by_source(records),
        "timeline": _timeline(usable),
        "discrepancies": _discrepancies(usable),
        "restricted": _restricted(records),
    }


# -- records -------------------------------------------------------------------------------


def _record(
    read: Read,
    ref: RecordRef,
    ev: EntityEvidence,
    explained: Mapping[str, Any] | None,
    confirmed: bool,
    generic: Sequence[dict[str, Any]] | None,
) -> dict[str, Any]:
    withheld = ev.withheld.get(ref.record_id)
    if withheld is not None:
        summary = read.summary(ref, {}, instead=withheld)
        return {
            "record_id": ref.record_id,
            "source": ref.source,
            "source_key": summary["source_key"],
            "withheld": marker(withheld),
            "confirmed": False,
        }
    versions = record_store.record_versions(read.conn, ref.source, ref.source_key)
    current = [v for v in versions if v["is_current"]] or versions[-1:]
    view = record_view(read, ref, current)
    version = view["versions"][0]
    manifest = Manifest.model_validate(current[0]["run_manifest"])
    dated = sorted(n for n, spec in manifest.facts.items() if spec.type == "date")
    return {
        "record_id": ref.record_id,
        "source": ref.source,
        "source_title": manifest.title,
        "source_key": view["source_key"],
        "decision": view["decision"],
        "confirmed": confirmed,
        "match": _match(explained),
        "provenance": {
            "version": version["version"],
            "ingestion_run": version["run_id"],
            "locator": version["locator"],
            "ingested_at": _iso(version["ingested_at"]),
            "content_hash": version["content_hash"],
            "origins": version["origins"],
        },
        "fields": version["fields"],
        "identifiers": version["identifiers"],
        "facts": version["facts"],
        "dated_facts": dated,
        "generic": _visible_flags(version, generic or []),
    }


def _visible_flags(
    version: Mapping[str, Any], flags: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Generic-value flags of values the case may see: saying that a redacted value is shared
    by many people would say something about it."""
    shown = {name for name, value in version["fields"].items() if not is_withheld(value)}
    shown |= {str(i["type"]) for i in version["identifiers"] if not is_withheld(i["value"])}
    return [flag for flag in flags if flag["field"] in shown]


def _match(explained: Mapping[str, Any] | None) -> dict[str, Any]:
    if explained is None:
        return {"path": [], "joined_to": None, "match_probability": None, "explanation": None}
    step = explained.get("step")
    if step is None or is_withheld(step):
        return {
            "path": list(explained.get("path") or []),
            "joined_to": None,
            "match_probability": None,
            "explanation": step,
        }
    return {
        "path": list(explained.get("path") or []),
        "joined_to": step.get("joined_to"),
        "match_probability": step.get("match_probability"),
        "evidence_withheld": list(step.get("evidence_withheld") or []),
        "judgement": step.get("judgement"),
        "explanation": step.get("sentence"),
    }


def _by_source(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in records:
        grouped.setdefault(item["source"], []).append(item)
    return [
        {
            "source": name,
            "title": next((i["source_title"] for i in items if "source_title" in i), name),
            "records": items,
        }
        for name, items in sorted(grouped.items())
    ]


# -- derived parts (from governed structures only) -------------------------------------------


def _timeline(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dated facts and ingestion dates, oldest first. Dates of birth stay out: they are
    who the person is, not something that happened."""
    events = []
    for item in records:
        base = {
            "record_id": item["record_id"],
            "source": item["source"],
            "confirmed": item["confirmed"],
        }
        for name in item["dated_facts"]:
            value = item["facts"].get(name)
            if isinstance(value, str) and value:
                events.append({"date": value, "event": name, **base})
        ingested = item["provenance"]["ingested_at"]
        if ingested:
            events.append({"date": ingested[:10], "event": "ingested", **base})
    return sorted(events, key=lambda e: (e["date"], e["event"] == "ingested", e["record_id"]))


def _discrepancies(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where shown values of the subject's records disagree between sources."""
    found = []
    for field, values in (
        ("dob", _values(records, lambda f: _plain(f.get("dob")))),
        ("name", _values(records, _name)),
        ("address", _values(records, _address)),
    ):
        if field == "dob":
            conflict = any(not _compatible(a, b) for a in values for b in values if a < b)
        else:
            conflict = len(values) > 1
        if conflict:
            found.append(
                {
                    "field": field,
                    "label": _DISCREPANCY_LABELS[field],
                    "values": [
                        {"value": value, "record_ids": ids, "sources": sources}
                        for value, (ids, sources) in sorted(values.items())
                    ],
                }
            )
    return found


def _values(
    records: Sequence[dict[str, Any]], pick: Callable[[Mapping[str, Any]], str | None]
) -> dict[str, tuple[list[int], list[str]]]:
    out: dict[str, tuple[list[int], list[str]]] = {}
    for item in records:
        value = pick(item["fields"])
        if value is None:
            continue
        ids, sources = out.setdefault(value, ([], []))
        ids.append(item["record_id"])
        if item["source"] not in sources:
            sources.append(item["source"])
    return out


def _plain(value: Any) -> str | None:
    return None if value is None or is_withheld(value) or value == "" else str(value)


def _name(fields: Mapping[str, Any]) -> str | None:
    given, family = _plain(fields.get("given_name")), _plain(fields.get("family_name"))
    if given is None or family is None:
        return None
    return f"{given} {family}".lower()


def _address(fields: Mapping[str, Any]) -> str | None:
    line = _plain(fields.get("address_line"))
    if line is None:
        return None
    city = _plain(fields.get("city"))
    return f"{line}, {city}".upper() if city else line.upper()


def _compatible(a: str, b: str) -> bool:
    """Two dates of birth agree when one is the other or a part of it ("1988-04" and
    "1988-04-10")."""
    return a.startswith(b) or b.startswith(a)


def _restricted(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every kind of value withheld from the package, once per source, field and rule, with
    the records it was withheld from and the marker (reason, authority, what unlocks it)."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}

    def note(item: Mapping[str, Any], field: str, value: Any) -> None:
        if not is_withheld(value):
            return
        key = (item["source"], field, str(value.get("rule")))
        entry = found.setdefault(
            key, {"source": item["source"], "field": field, "record_ids": [], "marker": value}
        )
        if item["record_id"] not in entry["record_ids"]:
            entry["record_ids"].append(item["record_id"])

    for item in records:
        if "withheld" in item:
            note(item, "record", item["withheld"])
            continue
        note(item, "record", item["source_key"])
        for name, value in item["fields"].items():
            note(item, name, value)
        for ident in item["identifiers"]:
            note(item, str(ident["type"]), ident["value"])
        for value in item["facts"].values():
            note(item, "facts", value)
    return [found[k] for k in sorted(found)]


def _generic(read: Read, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Per record, the values resolution found generic (shared by too many different people
    to count as evidence of identity), as the latest full run listed them: which field and
    how many people share it, never the value."""
    listed = resolution_store.generic_list(read.conn)
    if not listed or not ids:
        return {}
    known = {(g["field"], g["value"]): g for g in listed}
    rows = resolution_store.current_person_rows(read.conn, ids=list(ids))
    never = dict.fromkeys(GENERIC_FIELDS, 10**9)
    table = prepare(rows, generic_min_people=never).table.to_pylist()
    out: dict[int, list[dict[str, Any]]] = {}
    for row in table:
        for name in GENERIC_FIELDS:
            hit = known.get((name, row.get(name)))
            if hit is not None:
                out.setdefault(int(row["unique_id"]), []).append(
                    {
                        "field": name if name in PERSON_IDENTIFIERS else _GENERIC_TARGET[name],
                        "people": int(hit["people"]),
                        "records": int(hit["records"]),
                    }
                )
    return out


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
