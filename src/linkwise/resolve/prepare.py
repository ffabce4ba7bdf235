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

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pyarrow as pa

from linkwise.normalize import fold, nickname_candidates, surname_tokens
from linkwise.normalize.names import name_suffix, peel_suffix
from linkwise.normalize.phonetic import sound_key
from linkwise.normalize.romanisation import roman_list
from linkwise.resolve import name_order as order_of_names
from linkwise.resolve.generic import (
    GENERIC_FIELDS,
    GENERIC_MIN_PEOPLE,
    PERSON_IDENTIFIERS,
    GenericValue,
    find_generic,
)

__all__ = [
    "COLUMNS",
    "COLUMN_FIELDS",
    "EXTRA_PREFIX",
    "GENERIC_FIELDS",
    "GENERIC_MIN_PEOPLE",
    "PERSON_IDENTIFIERS",
    "PREPARED_VERSION",
    "SCHEMA",
    "TABLE_PACKAGES",
    "GenericValue",
    "Prepared",
    "conform",
    "prepare",
    "prepared_mark",
]

PREPARED_VERSION = 2
"""What this version makes of a record for the model, as a number: raise it whenever a
record's prepared row changes, here or in what it calls (a key, the nickname or
romanisation tables of ``linkwise.normalize``, ``name_order.apply``, which rewrites the
rows a full run keeps). Kept prepared input made under another mark (``prepared_mark``) is
not reused (``workspace.incremental``): the next run is a full one. 2: the first marked
version (Chinese and Korean romanisation keys); files without a mark are older."""

TABLE_PACKAGES = ("nicknames", "anyascii")
"""Packages whose tables ``prepare`` reads (nickname sets, transliteration): a new release
may change a record's row as surely as a change here, so their versions are part of the
mark."""


@functools.cache
def prepared_mark() -> str:
    """The mark of what this installation makes of a record: ``PREPARED_VERSION`` and the
    versions of ``TABLE_PACKAGES`` (read from their metadata once per process)."""
    return " ".join([str(PREPARED_VERSION), *(f"{p}={_version(p)}" for p in TABLE_PACKAGES)])


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("source", pa.string()),
        ("given", pa.string()),
        ("given_key", pa.string()),
        ("given_nicks", pa.list_(pa.string())),
        ("given_roman", pa.list_(pa.string())),
        ("middle", pa.string()),
        ("suffix", pa.string()),
        ("family", pa.string()),
        ("family_key", pa.string()),
        ("family_tokens", pa.list_(pa.string())),
        ("family_roman", pa.list_(pa.string())),
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
_NAMES = ("given_name", "family_name")
COLUMN_FIELDS: dict[str, tuple[str, ...]] = {
    "unique_id": (),
    "source": (),
    # a record's names may be read the other way round (``name_order``): either field
    **dict.fromkeys(
        (
            "given",
            "given_key",
            "given_nicks",
            "given_roman",
            "family",
            "family_key",
            "family_tokens",
            "family_roman",
        ),
        _NAMES,
    ),
    "middle": ("middle_name",),
    "suffix": ("name_suffix", "family_name"),  # a suffix may be read off the family name
    **dict.fromkeys(("dob", "dob_y", "dob_m", "dob_d"), ("dob",)),
    "sex": ("sex",),
    **dict.fromkeys(("address", "address_num"), ("address_line",)),
    "postcode": ("postcode",),
    "city": ("city",),
    "phone": ("phone",),
    **dict.fromkeys(("email", "email_user"), ("email",)),
    **{k: (k,) for k in PERSON_IDENTIFIERS},
}
"""The canonical fields each column of the model's input is derived from: what a reader
must be allowed to see of a record before a pair may rest on that column."""
EXTRA_PREFIX = "x_"
"""Extra attributes (``linkwise dedupe --map COLUMN=attribute``: a birth place, an
occupation) become columns ``x_<name>`` after the fixed ones, compared exact with term
frequencies. Workspaces have none: their records hold canonical fields only."""


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
    name_order: order_of_names.NameOrder | None = None,
) -> Prepared:
    """Derive the model's columns from canonical records.

    Each record is a mapping with ``record_id`` (int), ``source`` and any of the canonical
    columns (``given_name``, ``middle_name``, ``family_name``, ``name_suffix``, ``dob``,
    ``sex``, ``address_line``, ``postcode``, ``city``, ``phone``, ``email``) plus
    ``identifiers``: a mapping of identifier type to its valid normal form. Values are
    already normalised (ingestion did that); this only derives matching keys, and takes a
    generational suffix ("jr", "iii") off the end of a family name that holds one.

    ``known_generic`` adds (field, value) pairs to blank whatever their counts (values a
    reviewer marked generic earlier, or found in a fuller run). ``name_order`` reads records
    whose names it finds in swapped order the other way round (``resolve.name_order``: a
    saved model's, so a record is read as the run that trained it read it).
    """
    bounds = dict(GENERIC_MIN_PEOPLE)
    bounds.update(generic_min_people or {})
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    extras: dict[str, list[Any]] = {}
    seen = _Seen()
    for n, rec in enumerate(records):
        _derive(rec, columns, seen)
        for name, value in (rec.get("extras") or {}).items():
            extras.setdefault(EXTRA_PREFIX + name, [None] * n).append(_name(value))
        for col in extras.values():
            if len(col) <= n:
                col.append(None)
    generic = find_generic(columns, bounds, set(known_generic))
    for name in GENERIC_FIELDS:
        blank = {g.value for g in generic if g.field == name}
        if not blank:
            continue
        columns[name] = [None if v in blank else v for v in columns[name]]
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
    table = order_of_names.apply(pa.table(columns, schema=schema), name_order)
    return Prepared(table, generic)


def conform(table: pa.Table) -> pa.Table:
    """A prepared ``table`` in ``SCHEMA``: columns it lacks are added empty (a table
    saved by a version before ``suffix``, say; the incremental resolver no longer reads
    such tables, see ``PREPARED_VERSION``, but other saved tables may still be read)."""
    if table.schema == SCHEMA:
        return table
    columns = [
        table.column(f.name) if f.name in table.column_names else pa.nulls(len(table), f.type)
        for f in SCHEMA
    ]
    return pa.table(columns, names=SCHEMA.names).cast(SCHEMA)


GivenParts = tuple[str | None, str | None, list[str] | None, list[str] | None]
"""A given name folded, its sound key, nicknames and romanisations."""
FamilyParts = tuple[str | None, str | None, str | None, list[str] | None, list[str] | None]
"""A family name folded without its suffix, the suffix, sound key, words and
romanisations."""


_UNSEEN: Any = object()


@dataclass
class _Seen:
    """Derivations of the name and place values met so far in one ``prepare``: names and
    places repeat across records, and deriving each once halves the work per record. The
    lists are shared between the records holding a value; nothing changes them."""

    given: dict[Any, GivenParts] = field(default_factory=dict)
    family: dict[Any, FamilyParts] = field(default_factory=dict)
    middle: dict[Any, str | None] = field(default_factory=dict)
    upper: dict[Any, str | None] = field(default_factory=dict)


def _given_parts(raw: Any) -> GivenParts:
    given = _name(raw)
    if not given:
        return given, None, None, roman_list(given)
    return given, sound_key(given), sorted(nickname_candidates(given)), roman_list(given)


def _family_parts(raw: Any) -> FamilyParts:
    family = _name(raw)
    peeled = None
    if family:
        family, peeled = peel_suffix(family)
    if not family:
        return family, peeled, None, None, roman_list(family)
    return family, peeled, sound_key(family), list(surname_tokens(family)), roman_list(family)


def _derive(rec: Mapping[str, Any], out: dict[str, list[Any]], seen: _Seen) -> None:
    raw = rec.get("given_name")
    if (g := seen.given.get(raw)) is None:
        g = seen.given[raw] = _given_parts(raw)
    raw = rec.get("family_name")
    if (f := seen.family.get(raw)) is None:
        f = seen.family[raw] = _family_parts(raw)
    raw = rec.get("middle_name")
    if (middle := seen.middle.get(raw, _UNSEEN)) is _UNSEEN:
        middle = seen.middle[raw] = _name(raw)
    given, given_key, given_nicks, given_roman = g
    family, peeled, family_key, family_tokens, family_roman = f
    suffix = name_suffix(rec.get("name_suffix")) or peeled
    out["unique_id"].append(int(rec["record_id"]))
    out["source"].append(str(rec.get("source") or ""))
    out["given"].append(given)
    out["given_key"].append(given_key)
    out["given_nicks"].append(given_nicks)
    out["given_roman"].append(given_roman)
    out["middle"].append(middle)
    out["suffix"].append(suffix)
    out["family"].append(family)
    out["family_key"].append(family_key)
    out["family_tokens"].append(family_tokens)
    out["family_roman"].append(family_roman)
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
    for column, key in (("postcode", "postcode"), ("city", "city")):
        raw = rec.get(key)
        if (place := seen.upper.get(raw, _UNSEEN)) is _UNSEEN:
            place = seen.upper[raw] = _upper(raw)
        out[column].append(place)
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
