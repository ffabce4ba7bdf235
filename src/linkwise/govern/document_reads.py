"""Governed reads of source documents: one document with its mentions, the documents that
mention an entity (with the passages highlighted), and full-text search.

A document's text is person data of its source, so it is decided like a record of it: the
text is shown only when the case may see the whole record of every person the document
names (the mention records), *and* the source's records in general (the decision with no
subject: the text may name people extraction missed), *and* every field a marking of the
source restricts on its own (a marking that restricts only SSNs must still hide an SSN
written in the text). Each mention is decided as the canonical field it is (a name as the
name fields, a date of birth as ``dob``, ...) of the mention record it belongs to, so an
order naming one person unlocks that person's mentions in a document without unlocking the
text about everyone else; a mention that belongs to no mention record (an event date, a
warrant number) is shown only where the text is. Offsets go with the value: a
withheld mention's offsets are withheld too (their span would give away its length).

A source the law never discloses is answered as if the document did not exist; search
leaves out every hit whose text the reader may not see, without saying how many (a count
would tell whether a restricted document contains the words searched for). Every read names
the documents and the records it touched in its audit event; the disclosure record names
the mention records whose values, or whose document's text, were shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from linkwise.govern.gate import NotFoundError, Read, RecordRef, marker, most_restrictive
from linkwise.govern.policy import Decision, decide
from linkwise.normalize.terms import search_terms
from linkwise.store import source_documents as store

MENTION_FIELDS: dict[str, tuple[str | None, ...]] = {
    "person": ("given_name", "middle_name", "family_name", "full_name"),
    "phone": ("phone",),
    "address": ("address_line", "city", "region", "postcode"),
    "ssn": ("ssn",),
    "passport": ("passport",),
    "drivers_licence": ("drivers_licence",),
    "case_number": ("case_number",),
}
"""The canonical fields a mention is decided as (others, such as an event date or a warrant
number, are decided as the record as a whole)."""
PASSAGE_WIDTH = 120
"""At most this many characters of context either side of a highlighted mention, within its
line."""


def fields_of(mention: dict[str, Any]) -> tuple[str | None, ...]:
    if mention["type"] == "date":
        return ("dob",) if mention["role"] == "dob" else (None,)
    return MENTION_FIELDS.get(mention["type"], (None,))


class _Doc:
    """What a read needs of one document: its row, text, mentions, and the mention records
    as refs (by key)."""

    def __init__(
        self,
        meta: store.StoredDocument,
        text: str | None,
        mentions: list[dict[str, Any]],
        refs: dict[str, RecordRef],
    ) -> None:
        self.meta = meta
        self.text = text
        self.mentions = mentions
        self.refs = refs
        self.text_decision: Decision | None = None


def _load(read: Read, found: dict[int, tuple[store.StoredDocument, str | None]]) -> list[_Doc]:
    """The documents with their mentions and, for each mention record they name that is
    current, its ref (record id, source, key, entity)."""
    by_doc: dict[int, list[dict[str, Any]]] = {}
    for m in store.mentions_of(read.conn, found):
        by_doc.setdefault(m["document_id"], []).append(m)
    keys: dict[int, set[str]] = {}
    for doc_id, (meta, _) in found.items():
        keys.setdefault(meta.source_id, set()).update(
            m["record_key"] for m in by_doc.get(doc_id, []) if m["record_key"]
        )
    ids = {
        (source_id, key): rid
        for source_id, names in keys.items()
        for key, rid in store.record_ids(read.conn, source_id, names).items()
    }
    refs = read.refs(ids.values())
    docs = []
    for doc_id, (meta, text) in found.items():
        mentions = by_doc.get(doc_id, [])
        named = {m["record_key"] for m in mentions if m["record_key"]}
        mine = {
            key: refs[rid]
            for key in named
            if (rid := ids.get((meta.source_id, key))) is not None and rid in refs
        }
        docs.append(_Doc(meta, text, mentions, mine))
    return docs


def _omitted(read: Read, doc: _Doc) -> bool:
    """Whether the document's source is one the law never discloses (noted for the
    auditor on every mention record it has)."""
    never = read.pack.never_discloses(read.markings(doc.meta.source))
    if never:
        for ref in doc.refs.values():
            read.note_omitted(ref)
    return never


def _source_decision(read: Read, source: str, field: str | None) -> Decision:
    """The decision on the source's records in general (no particular person)."""
    return decide(
        read.pack,
        purpose=read.purpose,
        markings=read.markings(source),
        field=field,
        authorisations=read.authorisations,
        subject=None,
        source=source,
        now=read.now,
        case_id=read.case.id,
    )


def _restricted_fields(read: Read, source: str) -> set[str | None]:
    fields: set[str | None] = {None}
    for name in read.markings(source):
        marking = read.pack.markings.get(name)
        if marking is not None and marking.fields:
            fields.update(marking.fields)
    return fields


def text_decision(read: Read, doc: _Doc) -> Decision:
    """May the document's text be shown here (see the module docstring)? Counted in the
    read's audit event on every mention record the document has."""
    if doc.text_decision is None:
        fields = _restricted_fields(read, doc.meta.source)
        decisions = [_source_decision(read, doc.meta.source, f) for f in fields]
        decisions += [read.decision(ref, f) for ref in doc.refs.values() for f in fields]
        doc.text_decision = most_restrictive(decisions)
        for ref in doc.refs.values():
            read.count(ref, None, doc.text_decision)
        _note_document(read, doc, doc.text_decision)
    return doc.text_decision


def _note_document(read: Read, doc: _Doc, decision: Decision) -> None:
    """Name the document and what was decided on its text in the read's audit event."""
    listed = read.objects.setdefault("source_documents", [])
    listed.append({"id": doc.meta.id, "text": decision.outcome, "rule": decision.rule})


def _mention_decision(read: Read, doc: _Doc, mention: dict[str, Any]) -> Decision:
    ref = doc.refs.get(mention["record_key"] or "")
    fields = fields_of(mention)
    if ref is None:
        own = [_source_decision(read, doc.meta.source, f) for f in fields]
        return most_restrictive([text_decision(read, doc), *own])
    decisions = [read.decision(ref, f) for f in fields]
    for f, d in zip(fields, decisions, strict=True):
        read.count(ref, f, d)
    return most_restrictive(decisions)


def mention_view(read: Read, doc: _Doc, mention: dict[str, Any]) -> dict[str, Any] | None:
    """One mention, governed; None when its field is one the law never discloses."""
    ref = doc.refs.get(mention["record_key"] or "")
    if ref is not None and any(read.omitted_field(ref, f) for f in fields_of(mention)):
        read.note_omitted(ref, next(f for f in fields_of(mention) if read.omitted_field(ref, f)))
        return None
    decision = _mention_decision(read, doc, mention)
    hide = None if decision.shown else marker(decision)
    return {
        "n": mention["n"],
        "type": mention["type"],
        "role": mention["role"],
        "person": mention["person"],
        "refers_to": mention["refers_to"],
        "record": None if ref is None else ref.record_id,
        "text": hide or mention["text"],
        "value": hide or mention["value"],
        "start": hide or mention["start_offset"],
        "end": hide or mention["end_offset"],
    }


def _meta(read: Read, doc: _Doc) -> dict[str, Any]:
    decision = text_decision(read, doc)
    hide = None if decision.shown else marker(decision)
    meta = doc.meta
    return {
        "id": meta.id,
        "source": meta.source,
        "path": hide or meta.path,
        "type": meta.type,
        "status": meta.status,
        "error": hide or meta.error,
        "version": meta.version,
        "sha256": meta.sha256,
        "decision": decision.to_json(),
    }


def document_view(read: Read, source: str, path: str) -> dict[str, Any]:
    """A document's text and mentions (``source_document.view``)."""
    found = store.current_document(read.conn, source, path)
    missing = f"no current document {path!r} in source {source!r}"
    if found is None:
        raise NotFoundError(missing)
    meta, text = found
    doc = _load(read, {meta.id: (meta, text)})[0]
    read.touch(records=[r.record_id for r in doc.refs.values()])
    read.touch(entities=[r.entity_id for r in doc.refs.values()])
    if _omitted(read, doc):
        raise NotFoundError(missing)
    out = _meta(read, doc)
    decision = text_decision(read, doc)
    out["text"] = doc.text if decision.shown else marker(decision)
    out["mentions"] = [v for m in doc.mentions if (v := mention_view(read, doc, m)) is not None]
    return out


def _passage(read: Read, doc: _Doc, mention: dict[str, Any]) -> dict[str, Any]:
    """The text around a mention, with the mention's place in it highlighted."""
    decision = text_decision(read, doc)
    if not decision.shown or doc.text is None:
        return {"text": marker(decision), "highlight": marker(decision)}
    start, end = window(doc.text, mention["start_offset"], mention["end_offset"])
    return {
        "text": doc.text[start:end],
        "highlight": [mention["start_offset"] - start, mention["end_offset"] - start],
    }


def window(text: str, start: int, end: int) -> tuple[int, int]:
    """The passage around ``text[start:end]``: its lines, cut to at most ``PASSAGE_WIDTH``
    characters either side, and then at whole words, so a passage never opens or ends in
    the middle of a word (or a name)."""
    lo = max(text.rfind("\n", 0, start) + 1, start - PASSAGE_WIDTH)
    hi = text.find("\n", end)
    hi = min(len(text) if hi < 0 else hi, end + PASSAGE_WIDTH)
    if lo > 0 and not text[lo - 1].isspace():
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else start
    if hi < len(text) and not text[hi].isspace():
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else end
    return lo, hi


def entity_documents(read: Read, entity_id: str) -> list[dict[str, Any]]:
    """The documents that mention an entity's people, each with its passages
    (``entity.documents``): the mentions that belong to the entity's mention records."""
    read.touch(entities=[entity_id])
    ev = read.evidence(entity_id)
    if ev is None or not ev.refs:
        raise NotFoundError(f"no entity {entity_id!r}")
    usable = {(r.source_id, r.source_key) for i, r in ev.refs.items() if i not in ev.withheld}
    for i, why in ev.withheld.items():
        read.note_withheld(ev.refs[i], why)
    hits = store.mentions_of_records(read.conn, sorted(usable))
    doc_ids = sorted({m["document_id"] for m in hits})
    docs = _load(read, store.documents_by_id(read.conn, doc_ids))
    out = []
    for doc in docs:
        if _omitted(read, doc):
            continue
        mine = {r.source_key for r in doc.refs.values() if (r.source_id, r.source_key) in usable}
        item = _meta(read, doc)
        item["passages"] = []
        for m in doc.mentions:
            if m["record_key"] not in mine or m["type"] != "person":
                continue
            view = mention_view(read, doc, m)
            if view is not None:
                item["passages"].append({"mention": view, **_passage(read, doc, m)})
        out.append(item)
    return out


def search(read: Read, query: str, limit: int) -> list[dict[str, Any]]:
    """Current documents holding every word of ``query``, newest first, each with a snippet
    around its first hit (``source_documents.search``). Hits the reader may not see are left out
    and named only in the audit event (see the module docstring)."""
    terms = sorted(search_terms(query))
    if not terms:
        return []
    out: list[dict[str, Any]] = []
    left_out: list[int] = []
    offset = 0
    while len(out) < limit:
        ids = store.search_terms(read.conn, terms, limit + offset)[offset:]
        if not ids:
            break
        offset += len(ids)
        loaded = {d.meta.id: d for d in _load(read, store.documents_by_id(read.conn, ids))}
        for doc in (loaded[i] for i in ids if i in loaded):  # newest first, as ranked
            if _omitted(read, doc) or not text_decision(read, doc).shown:
                left_out.append(doc.meta.id)
                continue
            if len(out) < limit:
                item = _meta(read, doc)
                item["snippet"] = _snippet(doc.text or "", terms)
                out.append(item)
    if left_out:
        read.objects["withheld_documents"] = sorted(left_out)
    return out


def _snippet(text: str, terms: Sequence[str]) -> dict[str, Any]:
    """The text around the first word that is one of ``terms``, with that word marked."""
    wanted = set(terms)
    hit = next((m for m in _WORD.finditer(text) if search_terms(m.group()) & wanted), None)
    if hit is None:
        return {"text": text[: 2 * PASSAGE_WIDTH], "highlight": None}
    start, end = window(text, hit.start(), hit.end())
    return {"text": text[start:end], "highlight": [hit.start() - start, hit.end() - start]}


_WORD = re.compile(r"\w[\w']*")
