"""Facts a template may state, each bound to the records it rests on.

A template never sees a person's value. It sees ``Fact`` objects, which print as an opaque
token; after rendering, the renderer (``linkwise.drafting.compose``) swaps each token for
its value and gives the sentence that holds it the fact's citations. So a sentence cannot
state a fact from the case without citing the records the fact came from: there is no other
way for a value to reach the text.

Facts are built from the case package (``linkwise.cases.package``, format
``linkwise.case-package/1``), which was itself built inside a governed read: a value the
case may not see is a marker there, and a marker never becomes a Fact. Such values are
listed instead, as ``Withheld`` items naming the source, the field, the rule and what would
unlock them, never the value.

A fact is **unconfirmed** when every record it rests on is tied to the subject only through
an unconfirmed link (see ``linkwise.cases.package``): the sentence stating it is marked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from linkwise.govern.gate import is_withheld
from linkwise.model.documents import Citation

__all__ = [
    "TOKEN",
    "Discrepancy",
    "Event",
    "Fact",
    "FactTable",
    "RecordFacts",
    "SubjectFacts",
    "Withheld",
    "subject_facts",
    "withheld_items",
]

TOKEN = "\ue000{}\ue001"
"""How a fact prints inside a template: a private-use bracket around its index."""


@dataclass(frozen=True, slots=True)
class Use:
    """A governed value a fact rests on: a field of a record (None: the record as a whole,
    its key and facts). Kept with the draft so every later reading decides it again."""

    record_id: int
    field: str | None


class Fact:
    """A value from the package with its citations. Printing it in a template gives a token
    (see the module docstring); its value and citations are private to the renderer
    (the template sandbox refuses attributes starting with an underscore)."""

    __slots__ = ("_citations", "_index", "_text", "_uses")

    def __init__(
        self, table: FactTable, text: str, citations: Sequence[Citation], uses: Sequence[Use]
    ) -> None:
        if not citations:
            raise ValueError(f"a fact needs at least one citation: {text!r} has none")
        self._text = text
        self._citations = tuple(citations)
        self._uses = tuple(uses)
        self._index = table.add(self)

    def __str__(self) -> str:
        return TOKEN.format(self._index)

    def __repr__(self) -> str:
        return f"Fact#{self._index}"

    @property
    def _unconfirmed(self) -> bool:
        return not any(c.confirmed for c in self._citations)


class FactTable:
    """The facts of one rendering, by index."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []

    def add(self, fact: Fact) -> int:
        self.facts.append(fact)
        return len(self.facts) - 1

    def text(self, index: int) -> tuple[str, tuple[Citation, ...], tuple[Use, ...], bool]:
        """A fact's value, citations, uses and whether it is unconfirmed."""
        fact = self.facts[index]
        return fact._text, fact._citations, fact._uses, fact._unconfirmed


@dataclass(frozen=True, slots=True)
class RecordFacts:
    record_id: int
    source: str
    source_title: str
    confirmed: bool
    key: Fact | None
    facts: dict[str, Fact] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    date: Fact
    event: str
    """The fact's name in its source (``disposition_date``), made readable."""
    source_title: str


@dataclass(frozen=True, slots=True)
class Discrepancy:
    label: str
    values: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class Withheld:
    """A kind of value left out of a draft: where, why, and what would lawfully unlock it."""

    source: str
    field: str
    records: int
    outcome: str
    marking: str
    reason: str
    unlock: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "field": self.field,
            "records": self.records,
            "outcome": self.outcome,
            "marking": self.marking,
            "reason": self.reason,
            "unlock": list(self.unlock),
        }


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    entity_id: str
    name: Fact | None
    other_names: tuple[Fact, ...]
    dob: Fact | None
    addresses: tuple[Fact, ...]
    records: tuple[RecordFacts, ...]
    timeline: tuple[Event, ...]
    discrepancies: tuple[Discrepancy, ...]
    unconfirmed_records: int


def subject_facts(table: FactTable, subject: Mapping[str, Any]) -> SubjectFacts:
    """The facts of one active subject of a package."""
    records = [r for group in subject["sources"] for r in group["records"] if "withheld" not in r]
    by_id = {int(r["record_id"]): r for r in records}
    titles = {g["source"]: g["title"] for g in subject["sources"]}
    cite = _Citer(by_id)
    names = _grouped(records, _name_of)
    dobs = _grouped(records, lambda r: _value(r["fields"].get("dob")))
    addresses = _grouped(records, _address_of)
    name_facts = [
        Fact(table, text, cite(ids), cite.uses(ids, ("given_name", "family_name")))
        for text, ids in names
    ]
    return SubjectFacts(
        entity_id=str(subject["entity_id"]),
        name=name_facts[0] if name_facts else None,
        other_names=tuple(name_facts[1:]),
        dob=Fact(table, dobs[0][0], cite(dobs[0][1]), cite.uses(dobs[0][1], ("dob",)))
        if dobs
        else None,
        addresses=tuple(
            Fact(table, text, cite(ids), cite.uses(ids, ("address_line", "city")))
            for text, ids in addresses
        ),
        records=tuple(_record_facts(table, cite, r, titles) for r in records),
        timeline=tuple(_events(table, cite, subject["timeline"], titles)),
        discrepancies=tuple(_discrepancies(table, cite, subject["discrepancies"])),
        unconfirmed_records=sum(1 for r in records if not r["confirmed"]),
    )


def withheld_items(subjects: Iterable[Mapping[str, Any]]) -> list[Withheld]:
    """What each subject's package withheld, without values."""
    out = []
    for subject in subjects:
        for item in subject.get("restricted", []):
            mark = item["marker"]
            out.append(
                Withheld(
                    source=str(item["source"]),
                    field=str(item["field"]),
                    records=len(item["record_ids"]),
                    outcome=str(mark["outcome"]),
                    marking=str(mark.get("marking") or mark.get("rule")),
                    reason=str(mark["reason"]),
                    unlock=tuple(
                        str(u.get("title") or u.get("process")) for u in mark["would_unlock"]
                    ),
                )
            )
    return out


class _Citer:
    """Citations and uses for record ids of one subject."""

    def __init__(self, records: Mapping[int, Mapping[str, Any]]) -> None:
        self._records = records

    def __call__(self, ids: Iterable[int]) -> list[Citation]:
        out = []
        for rid in ids:
            record = self._records[rid]
            key = record["source_key"]
            out.append(
                Citation(
                    record_id=rid,
                    source=str(record["source"]),
                    source_key="(key withheld)" if is_withheld(key) else str(key),
                    confirmed=bool(record["confirmed"]),
                )
            )
        return out

    @staticmethod
    def uses(ids: Iterable[int], fields: Sequence[str | None]) -> list[Use]:
        return [Use(rid, f) for rid in ids for f in fields]


def _value(value: Any) -> str | None:
    if value is None or value == "" or is_withheld(value):
        return None
    return str(value)


def _name_of(record: Mapping[str, Any]) -> str | None:
    given = _value(record["fields"].get("given_name"))
    family = _value(record["fields"].get("family_name"))
    if given is None or family is None:
        return None
    return f"{given} {family}".title()


def _address_of(record: Mapping[str, Any]) -> str | None:
    line = _value(record["fields"].get("address_line"))
    if line is None:
        return None
    city = _value(record["fields"].get("city"))
    return f"{line}, {city}" if city else line


def _grouped(records: Sequence[Mapping[str, Any]], pick: Any) -> list[tuple[str, list[int]]]:
    """Distinct values with the records giving each: the value most confirmed records give
    first (then most records, then alphabetical), so a template's "name" is the best
    supported one."""
    found: dict[str, list[int]] = {}
    confirmed: Counter[str] = Counter()
    for record in records:
        value = pick(record)
        if value is None:
            continue
        found.setdefault(value, []).append(int(record["record_id"]))
        confirmed[value] += 1 if record["confirmed"] else 0
    return sorted(found.items(), key=lambda kv: (-confirmed[kv[0]], -len(kv[1]), kv[0]))


def _record_facts(
    table: FactTable, cite: _Citer, record: Mapping[str, Any], titles: Mapping[str, str]
) -> RecordFacts:
    rid = int(record["record_id"])
    whole = cite.uses([rid], (None,))
    key = _value(record["source_key"])
    return RecordFacts(
        record_id=rid,
        source=str(record["source"]),
        source_title=titles.get(record["source"], record["source"]),
        confirmed=bool(record["confirmed"]),
        key=None if key is None else Fact(table, key, cite([rid]), whole),
        facts={
            name: Fact(table, text, cite([rid]), whole)
            for name, value in record["facts"].items()
            if (text := _value(value)) is not None
        },
    )


def _events(
    table: FactTable,
    cite: _Citer,
    timeline: Sequence[Mapping[str, Any]],
    titles: Mapping[str, str],
) -> list[Event]:
    """Dated facts (ingestion dates are about linkwise, not the person, and stay out)."""
    return [
        Event(
            date=Fact(
                table,
                str(e["date"]),
                cite([int(e["record_id"])]),
                cite.uses([int(e["record_id"])], (None,)),
            ),
            event=str(e["event"]).replace("_", " "),
            source_title=titles.get(e["source"], e["source"]),
        )
        for e in timeline
        if e["event"] != "ingested"
    ]


_DISCREPANCY_FIELDS: dict[str, tuple[str, ...]] = {
    "dob": ("dob",),
    "name": ("given_name", "family_name"),
    "address": ("address_line", "city"),
}


def _discrepancies(
    table: FactTable, cite: _Citer, found: Sequence[Mapping[str, Any]]
) -> list[Discrepancy]:
    out = []
    for item in found:
        fields = _DISCREPANCY_FIELDS.get(item["field"], (None,))
        values = tuple(
            Fact(
                table,
                str(v["value"]),
                cite([int(i) for i in v["record_ids"]]),
                cite.uses([int(i) for i in v["record_ids"]], fields),
            )
            for v in item["values"]
        )
        out.append(Discrepancy(label=str(item["label"]), values=values))
    return out
