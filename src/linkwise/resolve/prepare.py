"""Canonical person records → the one flat table the linkage model reads.

Splink compares columns, so everything a comparison level needs is derived here once per
record rather than per pair in SQL: name sound keys, nickname sets, surname tokens, the
parts of a (possibly partial) date of birth, the house number, the e-mail's user part. The
result is an Arrow table with an explicit schema, so an all-null column keeps its type (a
null string column inferred as DOUBLE breaks string functions in DuckDB).

Generic values (a sample SSN, a shelter's address, a switchboard phone) are found here too,
and blanked in the model's input: a value shared by implausibly many different people
proves nothing about any two of them. They are returned so they can be listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from linkwise.normalize import fold, nickname_candidates, surname_tokens
from linkwise.normalize.phonetic import sound_key

PERSON_IDENTIFIERS: tuple[str, ...] = (
    "ssn",
    "passport",
    "drivers_licence",
    "national_id",
    "a_number",
    "tax_id",
)
"""Identifier types that belong to one person for life. Case and booking numbers are
excluded: they name an event, and one person has many of them."""

GENERIC_FIELDS: tuple[str, ...] = (*PERSON_IDENTIFIERS, "phone", "email", "address")
GENERIC_MIN_PEOPLE: dict[str, int] = {
    **{k: 4 for k in PERSON_IDENTIFIERS},
    "phone": 6,
    "email": 6,
    "address": 12,
}
"""How many clearly different people may share a value before it counts as generic. An
identifier belongs to one person, so a handful of different people is already implausible
(typos and identity theft explain two or three); a family shares a phone and a household
an address, so those bounds are higher."""

SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("source", pa.string()),
        ("given", pa.string()),
        ("given_key", pa.string()),
        ("given_nicks", pa.list_(pa.string())),
        ("middle", pa.string()),
        ("family", pa.string()),
        ("family_key", pa.string()),
        ("family_tokens", pa.list_(pa.string())),
        ("dob", pa.string()),
        ("dob_y", pa.int32()),
        ("dob_m", pa.int32()),
        ("dob_d", pa.int32()),
        ("sex", pa.string()),
        ("address", pa.string()),
        ("address_num", pa.string()),
        ("postcode", pa.string()),
        ("city", pa.string()),
        ("phone", pa.string()),
        ("email", pa.string()),
        ("email_user", pa.string()),
        *[(k, pa.string()) for k in PERSON_IDENTIFIERS],
    ]
)
COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)
EXTRA_PREFIX = "x_"
"""Extra attributes (``linkwise dedupe --map COLUMN=attribute``: a birth place, an
occupation) become columns ``x_<name>`` after the fixed ones, compared exact with term
frequencies. Workspaces have none: their records hold canonical fields only."""


@dataclass(frozen=True, slots=True)
class GenericValue:
    """A value shared by ``people`` clearly different people across ``records`` records."""

    field: str
    value: str
    records: int
    people: int


@dataclass
class Prepared:
    """The model's input table and what preparing it found."""

    table: pa.Table
    generic: list[GenericValue] = field(default_factory=list)

    @property
    def present(self) -> dict[str, int]:
        """Non-null count per column (what the model may compare)."""
        return {
            name: len(self.table) - self.table.column(name).null_count
            for name in self.table.column_names
        }


def prepare(
    records: Iterable[Mapping[str, Any]],
    *,
    generic_min_people: Mapping[str, int] | None = None,
    known_generic: Iterable[tuple[str, str]] = (),
) -> Prepared:
    """Derive the model's columns from canonical records.

    Each record is a mapping with ``record_id`` (int), ``source`` and any of the canonical
    columns (``given_name``, ``middle_name``, ``family_name``, ``dob``, ``sex``,
    ``address_line``, ``postcode``, ``city``, ``phone``, ``email``) plus ``identifiers``:
    a mapping of identifier type to its valid normal form. Values are already normalised
    (ingestion did that); this only derives matching keys.

    ``known_generic`` adds (field, value) pairs to blank whatever their counts (values a
    reviewer marked generic earlier, or found in a fuller run).
    """
    bounds = dict(GENERIC_MIN_PEOPLE)
    bounds.update(generic_min_people or {})
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    extras: dict[str, list[Any]] = {}
    for n, rec in enumerate(records):
        _derive(rec, columns)
        for name, value in (rec.get("extras") or {}).items():
            extras.setdefault(EXTRA_PREFIX + name, [None] * n).append(_name(value))
        for col in extras.values():
            if len(col) <= n:
                col.append(None)
    generic = _find_generic(columns, bounds, set(known_generic))
    if generic:
        blank = {(g.field, g.value) for g in generic}
        for name in GENERIC_FIELDS:
            col = columns[name]
            columns[name] = [None if (name, v) in blank else v for v in col]
            if name == "email":
                columns["email_user"] = [
                    None if e is None else u
                    for e, u in zip(columns["email"], columns["email_user"], strict=True)
                ]
            if name == "address":
                columns["address_num"] = [
                    None if a is None else n
                    for a, n in zip(columns["address"], columns["address_num"], strict=True)
                ]
    schema = SCHEMA
    for name in sorted(extras):
        columns[name] = extras[name]
        schema = schema.append(pa.field(name, pa.string()))
    return Prepared(pa.table(columns, schema=schema), generic)


def _derive(rec: Mapping[str, Any], out: dict[str, list[Any]]) -> None:
    given = _name(rec.get("given_name"))
    family = _name(rec.get("family_name"))
    middle = _name(rec.get("middle_name"))
    out["unique_id"].append(int(rec["record_id"]))
    out["source"].append(str(rec.get("source") or ""))
    out["given"].append(given)
    out["given_key"].append(sound_key(given) if given else None)
    out["given_nicks"].append(sorted(nickname_candidates(given)) if given else None)
    out["middle"].append(middle)
    out["family"].append(family)
    out["family_key"].append(sound_key(family) if family else None)
    out["family_tokens"].append(list(surname_tokens(family)) if family else None)
    dob = rec.get("dob") or None
    y = m = d = None
    if dob:
        parts = str(dob).split("-")
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else None
        d = int(parts[2]) if len(parts) > 2 else None
    out["dob"].append(dob if d is not None else None)
    out["dob_y"].append(y)
    out["dob_m"].append(m)
    out["dob_d"].append(d)
    out["sex"].append(rec.get("sex") or None)
    address = _upper(rec.get("address_line"))
    out["address"].append(address)
    out["address_num"].append(_house_number(address))
    out["postcode"].append(_upper(rec.get("postcode")))
    out["city"].append(_upper(rec.get("city")))
    out["phone"].append(rec.get("phone") or None)
    email = rec.get("email") or None
    out["email"].append(email)
    out["email_user"].append(email.split("@", 1)[0] if email else None)
    ids: Mapping[str, str] = rec.get("identifiers") or {}
    for kind in PERSON_IDENTIFIERS:
        out[kind].append(ids.get(kind) or None)


def _name(value: Any) -> str | None:
    if not value:
        return None
    return fold(str(value)) or None


def _upper(value: Any) -> str | None:
    if not value:
        return None
    text = " ".join(str(value).upper().split())
    return text or None


def _house_number(address: str | None) -> str | None:
    if not address:
        return None
    first = address.split(" ", 1)[0]
    return first if first[:1].isdigit() else None


def _find_generic(
    columns: Mapping[str, Sequence[Any]],
    bounds: Mapping[str, int],
    known: set[tuple[str, str]],
) -> list[GenericValue]:
    """Values shared by at least ``bounds[field]`` clearly different people.

    "Clearly different" is counted coarsely, by distinct (surname sound key, birth year)
    signatures among the records holding the value: name spelling variants of one person
    mostly keep both, so one person rarely counts twice, and a family (one surname, many
    birth years) counts as several people only where it should.
    """
    signature = [(fk, y) for fk, y in zip(columns["family_key"], columns["dob_y"], strict=True)]
    found: list[GenericValue] = []
    for name in GENERIC_FIELDS:
        holders: dict[str, set[tuple[Any, Any]]] = defaultdict(set)
        counts: dict[str, int] = defaultdict(int)
        for value, sig in zip(columns[name], signature, strict=True):
            if value is None:
                continue
            counts[value] += 1
            if sig != (None, None):
                holders[value].add(sig)
        limit = bounds[name]
        for value, n in counts.items():
            people = len(holders.get(value, ()))
            if people >= limit or (name, value) in known:
                found.append(GenericValue(name, value, n, people))
    found.sort(key=lambda g: (g.field, -g.people, g.value))
    return found
