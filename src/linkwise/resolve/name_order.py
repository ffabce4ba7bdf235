"""Names recorded in swapped order, put back the way the rest of the data writes them.

Clerks and forms swap given and family name, above all for names whose order differs
between cultures ("Nguyen Lan" for Lan Nguyen, "Wang Wei" for Wei Wang). The model has a
level for a pair whose names are swapped against each other, but a record in swapped order
also misleads everything that looks at one field at a time: "nguyen" as a given name is rare
among given names, so two unrelated swapped records sharing it ("nguyen lan", "nguyen son")
draw the rare-name weight; household checks look for a shared family name and find none;
and blocking on the family name misses the record.

So resolution learns from the data which names are recorded almost only as family names
and which almost only as given names (the anchors: at least ``RATIO`` times as often in
their usual field as in the other, and at least ``MIN_RECORDS`` times), and which names
merely lean one way (at least ``LEAN_RATIO`` times as often, at least ``LEAN_RECORDS``
times). A record is read in the other order when one of its names is an anchor of the
other field and the other name at least leans the opposite way: "nguyen lan" when "nguyen"
is an anchor family name and "lan" leans given. Nothing is learned from outside lists, and
a name recorded about as often in either field is in no list.

One anchor is enough because of who gets swapped. Where a people writes the family name
first, a clerk may swap a sixth of its names or more; then each of its names is found in the
other field too often to be an anchor of its own (1 in 6 swapped is a ratio of 5), and
requiring both names to be anchors missed most swapped records of exactly the names that
need it. For the same reason the counts are taken twice (``ROUNDS``): the second time with
the records the first reading turned round counted in their usual fields, which makes
anchors of names whose own swapped records had hidden them.

On three demo worlds of 100,000 people (development script, generator seeds 2026–2028) the
two-anchor rule of before read back 63% of the records the generator had swapped and
none it had not; this reading reads back 84%, and wrongly at most one name
pair per world ("kim james", a "Kim" that is a given name). What it does to accuracy is in
benchmarks/RESULTS.md.

The learned lists are part of the saved model (``MODEL_KEY``), so incremental runs,
real-time matching and explanations read a record's names exactly as the full run did.
Stored records keep their names as the source gave them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkwise.normalize import nickname_candidates, surname_tokens
from linkwise.normalize.phonetic import sound_key
from linkwise.normalize.romanisation import roman_list

RATIO = 5
"""A name is an anchor family name (given name) when recorded as one at least this many
times as often as the other way round."""
MIN_RECORDS = 20
"""... and at least this many times: rarer names say too little about their usual field."""
LEAN_RATIO = 3
"""A name leans to a field when recorded in it at least this many times as often as in the
other ..."""
LEAN_RECORDS = 3
"""... and at least this many times (a name seen once or twice leans nowhere)."""
ROUNDS = 2
"""How many times the names are counted: each count after the first reads the records the
previous lists turn round in their usual order."""
BESIDE_PREFIX = "linkwise_"
"""What starts every key linkwise keeps in a saved model beside Splink's settings."""
MODEL_KEY = BESIDE_PREFIX + "name_order"
"""Where the learned lists are kept in a saved model; Splink is handed the model without
them (``splink_settings``)."""


@dataclass(frozen=True, slots=True)
class NameOrder:
    family_names: frozenset[str]
    """Anchor family names: recorded almost only as family names."""
    given_names: frozenset[str]
    """Anchor given names: recorded almost only as given names."""
    family_leaning: frozenset[str] = frozenset()
    """Names, not anchors, that lean to the family field."""
    given_leaning: frozenset[str] = frozenset()
    """Names, not anchors, that lean to the given field."""
    family_set: pa.Array = field(init=False, repr=False, compare=False)
    given_set: pa.Array = field(init=False, repr=False, compare=False)
    family_or_leaning_set: pa.Array = field(init=False, repr=False, compare=False)
    given_or_leaning_set: pa.Array = field(init=False, repr=False, compare=False)
    """The lists as Arrow value sets, built once: a real-time match reads one record at a
    time with the same order."""

    def __post_init__(self) -> None:
        def values(names: frozenset[str]) -> pa.Array:
            # a value set needs no order; sorting was most of the cost of reading a saved
            # order, which every explanation does (1.25 → 0.52 ms, demo world's model)
            return pa.array(list(names), pa.string())

        sets = {
            "family_set": self.family_names,
            "given_set": self.given_names,
            "family_or_leaning_set": self.family_names | self.family_leaning,
            "given_or_leaning_set": self.given_names | self.given_leaning,
        }
        for name, names in sets.items():
            object.__setattr__(self, name, values(names))

    def swapped(self, given: str | None, family: str | None) -> bool:
        """Whether a record with these names has them in swapped order: one of them is an
        anchor of the other field, and the other at least leans the opposite way."""
        if given is None or family is None:
            return False
        if given in self.family_names:
            return family in self.given_names or family in self.given_leaning
        return family in self.given_names and given in self.family_leaning

    def to_json(self) -> dict[str, list[str]]:
        return {
            "family_names": sorted(self.family_names),
            "given_names": sorted(self.given_names),
            "family_leaning": sorted(self.family_leaning),
            "given_leaning": sorted(self.given_leaning),
        }

    @classmethod
    def from_model(cls, model: Mapping[str, Any]) -> NameOrder | None:
        """The lists saved with ``model``; None for a model saved before they were. A model
        saved before the leaning lists reads records as it did: both names anchors."""
        found = model.get(MODEL_KEY)
        if not found:
            return None
        return cls(
            frozenset(found["family_names"]),
            frozenset(found["given_names"]),
            frozenset(found.get("family_leaning", ())),
            frozenset(found.get("given_leaning", ())),
        )


def learn(table: pa.Table) -> NameOrder:
    """The lists, from a prepared table's ``given`` and ``family`` columns."""
    pairs = Counter(
        zip(table.column("given").to_pylist(), table.column("family").to_pylist(), strict=True)
    )
    order = _count(pairs, None)
    for _ in range(ROUNDS - 1):
        again = _count(pairs, order)
        if again == order:
            break
        order = again
    return order


def _count(pairs: Counter[tuple[str | None, str | None]], order: NameOrder | None) -> NameOrder:
    """The lists from counts of (given, family) pairs, each pair that ``order`` finds
    swapped counted the other way round."""
    as_given: Counter[str] = Counter()
    as_family: Counter[str] = Counter()
    for (given, family), n in pairs.items():
        if order is not None and order.swapped(given, family):
            given, family = family, given
        if given:
            as_given[given] += n
        if family:
            as_family[family] += n
    family_names = _usual(as_family, as_given, RATIO, MIN_RECORDS)
    given_names = _usual(as_given, as_family, RATIO, MIN_RECORDS)
    return NameOrder(
        family_names,
        given_names,
        _usual(as_family, as_given, LEAN_RATIO, LEAN_RECORDS) - family_names,
        _usual(as_given, as_family, LEAN_RATIO, LEAN_RECORDS) - given_names,
    )


def _usual(here: Counter[str], there: Counter[str], ratio: int, least: int) -> frozenset[str]:
    return frozenset(
        name for name, n in here.items() if n >= least and n >= ratio * there.get(name, 0)
    )


def apply(table: pa.Table, order: NameOrder | None) -> pa.Table:
    """``table`` with each swapped record's names (and the keys derived from them) read in
    the other order; the same table when nothing is swapped. Only the swapped rows are
    touched in Python: the columns are rebuilt by Arrow (at a million records the table
    must not pass through Python objects)."""
    if order is None or not (order.family_names or order.given_names):
        return table
    given, family = table.column("given"), table.column("family")
    mask = pc.or_(
        pc.and_(
            pc.is_in(given, value_set=order.family_set),
            pc.is_in(family, value_set=order.given_or_leaning_set),
        ),
        pc.and_(
            pc.is_in(family, value_set=order.given_set),
            pc.is_in(given, value_set=order.family_or_leaning_set),
        ),
    )
    rows = pc.indices_nonzero(mask)
    if len(rows) == 0:
        return table
    new_given = family.take(rows).to_pylist()
    new_family = given.take(rows).to_pylist()
    replacements: dict[str, list[Any]] = {
        "given": new_given,
        "family": new_family,
        "given_key": [sound_key(g) for g in new_given],
        "given_nicks": [sorted(nickname_candidates(g)) for g in new_given],
        "family_key": [sound_key(f) for f in new_family],
        "family_tokens": [list(surname_tokens(f)) for f in new_family],
        "given_roman": [roman_list(g) for g in new_given],
        "family_roman": [roman_list(f) for f in new_family],
    }
    n = len(table)
    index = np.arange(n, dtype=np.int64)
    index[rows.to_numpy()] = n + np.arange(len(rows), dtype=np.int64)
    take = pa.array(index)
    for name, values in replacements.items():
        i = table.schema.get_field_index(name)
        column = table.schema.field(i)
        combined = pa.concat_arrays(
            [table.column(i).combine_chunks(), pa.array(values, column.type)]
        )
        table = table.set_column(i, column, combined.take(take))
    return table


def splink_settings(model: Mapping[str, Any]) -> dict[str, Any]:
    """A saved model as Splink settings: without what linkwise keeps beside them (every key
    starting ``linkwise_``: these lists, and the date check of ``resolve.pipeline``)."""
    return {k: v for k, v in model.items() if not k.startswith(BESIDE_PREFIX)}
