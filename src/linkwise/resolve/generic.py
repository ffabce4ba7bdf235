"""Generic values: an identifier, phone, e-mail or address shared by implausibly many people.

A sample SSN printed on forms, a shelter's address or a switchboard phone proves nothing
about any two of the people who give it, so preparation blanks such values in the model's
input and lists them. The hard part is counting *people*, not records or spellings: one
person's records carry typos, swapped names, a replaced surname or a mistyped birth year
(FEBRL's duplicates do all of these), and counting each variant as a person of its own
made one person's SSN look shared by five (22 of the 30 merges refused on FEBRL3 were
such pairs). So the holders of a value are grouped loosely into people
(``likeness.may_be_one_person``) before they are counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from linkwise.resolve.likeness import may_be_one_person

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
"""How many different people may share a value before it counts as generic. An
identifier belongs to one person, so a handful of different people is already implausible
(typos and identity theft explain two or three); a family shares a phone and a household
an address, so those bounds are higher."""

PEOPLE_COUNT_CAP = 50
"""People are counted one by one up to this many; beyond it a value is generic whatever
the bound, and its listed count is the coarse one (distinct surname sound and birth year),
which is close for values shared that widely."""

COMMON_NAME_YEARS = 3
"""A full name borne in the data with more than this many different birth years is
common: two of its holders with different dates of birth are namesakes, not one person
with a mistyped date. One person's copies rarely show more than two or three years."""

Holder = tuple[str | None, str | None, str | None]
"""(given name, family name, date of birth as ISO at the precision known)."""


@dataclass(frozen=True, slots=True)
class GenericValue:
    """A value shared by about ``people`` different people across ``records`` records."""

    field: str
    value: str
    records: int
    people: int


def count_people(
    holders: Sequence[Holder],
    cap: int = PEOPLE_COUNT_CAP,
    common: Collection[tuple[str, str]] = (),
) -> int:
    """How many different people ``holders`` are, at least, counted loosely: each holder
    joins the first person it may be (``may_be_one_person`` with that person's first
    holder) or starts a new one. Holders with no name and no date say nothing and are
    left out. Counting stops at ``cap``. Names in ``common`` (``likeness.name_key``
    form) are borne by many people, so agreeing on them with different dates of birth does
    not make one person.

    The most typical holders (whose given name, family name and date recur most among the
    holders) are taken first, so a person is represented by the copy most like the others
    rather than by a corrupted one that the rest would not recognise. Each new holder is
    compared with the first holder of each person only, not with every holder, so two
    different people are never chained together through a third record like both.
    """
    known = [h for h in holders if any(h)]
    counts: Counter[tuple[int, str]] = Counter(
        (i, part) for h in known for i, part in enumerate(h) if part
    )
    order = sorted(
        range(len(known)),
        key=lambda n: (-sum(counts[(i, p)] for i, p in enumerate(known[n]) if p), n),
    )
    people: list[Holder] = []
    for n in order:
        holder = known[n]
        if not any(may_be_one_person(holder, first, common) for first in people):
            people.append(holder)
            if len(people) >= cap:
                break
    return len(people)


def find_generic(
    columns: Mapping[str, Sequence[Any]],
    bounds: Mapping[str, int],
    known: set[tuple[str, str]],
) -> list[GenericValue]:
    """Values shared by at least ``bounds[field]`` different people, from the prepared
    ``columns`` (before any value is blanked), and every (field, value) in ``known``.

    First a coarse count, cheap enough for every value: distinct (surname sound key,
    birth year) signatures among the holders. It overcounts a person whose copies vary
    (a typo in the surname, a different birth year) and only rarely undercounts (two
    people of one surname born the same year), so a value below the bound there is not
    generic. Values at or above it are counted again by ``count_people``.
    """
    family_key = pa.array(columns["family_key"], pa.string())
    year = pa.array(columns["dob_y"], pa.int64())
    found: list[GenericValue] = []
    common: set[tuple[str, str]] | None = None  # counted once, when a value needs it
    for name in GENERIC_FIELDS:
        limit = bounds[name]
        mine = {v for f, v in known if f == name}
        counted = _coarse_counts(
            pa.array(columns[name], pa.string()), family_key, year, limit, mine
        )
        holding = _holders(columns, name, set(counted))
        if holding and common is None:
            common = _common_names(columns)
        for value, holders in holding.items():
            held_by, coarse = counted[value]
            people = count_people(holders, common=common or set())
            if people >= PEOPLE_COUNT_CAP:
                people = max(people, coarse)
            if people >= limit or value in mine:
                found.append(GenericValue(name, value, held_by, people))
    found.sort(key=lambda g: (g.field, -g.people, g.value))
    return found


def _coarse_counts(
    values: pa.Array, family_key: pa.Array, year: pa.Array, limit: int, known: set[str]
) -> dict[str, tuple[int, int]]:
    """Per value (nulls left out) whose holders show at least ``limit`` distinct (surname
    sound key, birth year) signatures, a signature with neither part not counted, and per
    value of ``known`` held at all: how many records hold it and how many signatures they
    show. Counted in Arrow: a Python pass over every record of every field cost more than
    the rest of ``find_generic``."""
    held = pa.table({"v": values, "k": family_key, "y": year}).filter(pc.is_valid(values))
    signed = held.filter(pc.or_(pc.is_valid(held["k"]), pc.is_valid(held["y"])))
    distinct = signed.group_by(["v", "k", "y"]).aggregate([]).group_by("v")
    signatures = distinct.aggregate([([], "count_all")]).rename_columns(["v", "signatures"])
    many = signatures.filter(pc.greater_equal(signatures["signatures"], limit))["v"]
    wanted = pa.chunked_array([*many.chunks, pa.array(sorted(known), pa.string())], pa.string())
    records = held.filter(pc.is_in(held["v"], value_set=wanted.combine_chunks()))
    counted = (
        records.group_by("v")
        .aggregate([([], "count_all")])
        .join(signatures, "v", join_type="left outer")
    )
    return {
        value: (held_by, signed_by or 0)
        for value, held_by, signed_by in zip(
            counted["v"].to_pylist(),
            counted["count_all"].to_pylist(),
            counted["signatures"].to_pylist(),
            strict=True,
        )
    }


def _holders(
    columns: Mapping[str, Sequence[Any]], name: str, wanted: set[str]
) -> dict[str, list[Holder]]:
    """Per value in ``wanted``, the (given, family, date of birth) of each record holding
    it in column ``name``."""
    out: dict[str, list[Holder]] = {}
    if not wanted:
        return out
    given, family = columns["given"], columns["family"]
    dob, year, month = columns["dob"], columns["dob_y"], columns["dob_m"]
    for i, value in enumerate(columns[name]):
        if value is None or value not in wanted:
            continue
        date = dob[i] or (
            None
            if year[i] is None
            else f"{year[i]:04d}" + (f"-{month[i]:02d}" if month[i] is not None else "")
        )
        out.setdefault(value, []).append((given[i], family[i], date))
    return out


def _common_names(columns: Mapping[str, Sequence[Any]]) -> set[tuple[str, str]]:
    """The full names (``likeness.name_key`` form) borne in ``columns`` with more than
    ``COMMON_NAME_YEARS`` different birth years, counted in Arrow (Python strings compare
    as their UTF-8 bytes do, so the order of the two names is ``name_key``'s)."""
    given = pa.array(columns["given"], pa.string())
    family = pa.array(columns["family"], pa.string())
    named = pa.table({"g": given, "f": family, "y": pa.array(columns["dob_y"], pa.int64())})
    named = named.filter(
        pc.and_(
            pc.and_(pc.greater(pc.utf8_length(given), 0), pc.greater(pc.utf8_length(family), 0)),
            pc.is_valid(named["y"]),
        )
    )
    first = pc.less_equal(named["g"], named["f"])
    keyed = pa.table(
        {
            "a": pc.if_else(first, named["g"], named["f"]),
            "b": pc.if_else(first, named["f"], named["g"]),
            "y": named["y"],
        }
    )
    years = keyed.group_by(["a", "b"]).aggregate([("y", "count_distinct")])
    common = years.filter(pc.greater(years["y_count_distinct"], COMMON_NAME_YEARS))
    return set(zip(common["a"].to_pylist(), common["b"].to_pylist(), strict=True))
