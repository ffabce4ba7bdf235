"""Names recorded in swapped order, put back the way the rest of the data writes them.

Clerks and forms swap given and family name, above all for names whose order differs
between cultures ("Nguyen Lan" for Lan Nguyen, "Wang Wei" for Wei Wang). The model has a
level for a pair whose names are swapped against each other, but a record in swapped order
also misleads everything that looks at one field at a time: "nguyen" as a given name is rare
among given names, so two unrelated swapped records sharing it ("nguyen lan", "nguyen son")
draw the rare-name weight; household checks look for a shared family name and find none;
and blocking on the family name misses the record.

So resolution learns from the data which names are recorded almost only as family names
and which almost only as given names, and reads a record whose given name is one of the
first and whose family name is one of the second in the other order. Nothing is learned
from outside lists, so a name that is both ("James", "Thomas", "Kim") is left alone: a name
counts only when it is recorded in its usual field at least ``RATIO`` times as often as in
the other, and at least ``MIN_RECORDS`` times. In a development analysis of the demo world
(100,000 people) that read most of the records its generator had swapped back in order, and
no record it had not swapped; what it does to accuracy is in benchmarks/RESULTS.md.

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
"""A name is a family name (a given name) when recorded as one at least this many times as
often as the other way round."""
MIN_RECORDS = 20
"""... and at least this many times: rarer names say too little about their usual field."""
BESIDE_PREFIX = "linkwise_"
"""What starts every key linkwise keeps in a saved model beside Splink's settings."""
MODEL_KEY = BESIDE_PREFIX + "name_order"
"""Where the learned lists are kept in a saved model; Splink is handed the model without
them (``splink_settings``)."""


@dataclass(frozen=True, slots=True)
class NameOrder:
    family_names: frozenset[str]
    """Names recorded almost only as family names."""
    given_names: frozenset[str]
    """Names recorded almost only as given names."""
    family_set: pa.Array = field(init=False, repr=False, compare=False)
    given_set: pa.Array = field(init=False, repr=False, compare=False)
    """The two lists as Arrow value sets, built once: a real-time match reads one record at
    a time with the same order."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "family_set", pa.array(sorted(self.family_names), pa.string()))
        object.__setattr__(self, "given_set", pa.array(sorted(self.given_names), pa.string()))

    def swapped(self, given: str | None, family: str | None) -> bool:
        """Whether a record with these names has them in swapped order."""
        return (
            given is not None
            and family is not None
            and given in self.family_names
            and family in self.given_names
        )

    def to_json(self) -> dict[str, list[str]]:
        return {"family_names": sorted(self.family_names), "given_names": sorted(self.given_names)}

    @classmethod
    def from_model(cls, model: Mapping[str, Any]) -> NameOrder | None:
        """The lists saved with ``model``; None for a model saved before they were."""
        found = model.get(MODEL_KEY)
        if not found:
            return None
        return cls(frozenset(found["family_names"]), frozenset(found["given_names"]))


def learn(table: pa.Table) -> NameOrder:
    """The lists, from a prepared table's ``given`` and ``family`` columns."""
    as_given = Counter(v for v in table.column("given").to_pylist() if v)
    as_family = Counter(v for v in table.column("family").to_pylist() if v)
    return NameOrder(
        family_names=_usual(as_family, as_given),
        given_names=_usual(as_given, as_family),
    )


def _usual(here: Counter[str], there: Counter[str]) -> frozenset[str]:
    return frozenset(
        name for name, n in here.items() if n >= MIN_RECORDS and n >= RATIO * there.get(name, 0)
    )


def apply(table: pa.Table, order: NameOrder | None) -> pa.Table:
    """``table`` with each swapped record's names (and the keys derived from them) read in
    the other order; the same table when nothing is swapped. Only the swapped rows are
    touched in Python: the columns are rebuilt by Arrow (at a million records the table
    must not pass through Python objects)."""
    if order is None or not (order.family_names and order.given_names):
        return table
    given, family = table.column("given"), table.column("family")
    mask = pc.and_(
        pc.is_in(given, value_set=order.family_set),
        pc.is_in(family, value_set=order.given_set),
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
