"""Namesakes: full names that more people bear than their parts suggest.

The model scores the given name and the family name as two independent pieces of evidence,
each adjusted for how common its value is (Splink's term frequencies). Two records agreeing
on both are then taken to share a name as rare as the product of the two frequencies. That
holds where given names are spread evenly over family names, and fails where they are not:
"Nam" is rare among all records but common among people named Nguyen, "Joaquin" among
people named Rodriguez, "Sergei" among people named Ivanov. A full name of a community
whose names are concentrated is therefore counted as far rarer than it is, and two
different people bearing it are merged on little more than the name: on the demo world the
false-merge rate of records with Vietnamese-origin names was 7.6 times that of Anglo ones.

The full name's own frequency measures what the product only estimates. For a full name
(given, family) held by records with ``c_gf`` of ``n_gf`` records, the chance that two
records share it is about ``c_gf / n_gf``; the model assumed about ``U_g · U_f · 2^-adj``,
where ``U`` is the chance that two records agree on that part (the exact level's u) and
``adj`` the two term-frequency adjustments the model gave the values. Where the first is
larger, the model overstated the name's evidence by the difference, in bits:

    penalty = log2(c_gf / n_gf) - log2(U_g · U_f) + adj_g + adj_f      (at least 0)

Without the cap on rare-name boosts (``linkage.NAME_TF_MAX_BITS``) this is the pointwise
mutual information of the two names; the cap already takes back part of it, and the
formula counts only what is left.

A name borne by one person is left alone whatever its counts: all records of a rare given
name may belong to one person who happens to have a common family name, and then the name
is exactly as rare as the model thought (this is where pointwise mutual information is at
its largest, and most misleading). So the penalty applies only to a full name that at
least ``MIN_PEOPLE`` different people bear, counted by birth year (``people_by_year``),
with guards against taking one person's mistyped years for namesakes.

A record whose full name spells a penalised one with one slip ("kofi te5faye") bears it
too: the model's fuzzy levels still count the name as the same, with the same overstated
weight, and exempting the mistyped copy let its link outweigh those of the exact bearers.

Like the penalty for a missing date of birth (``pipeline.NO_DOB_PENALTY``), this changes
the clustering's decision only: a pair bearing one penalised name counts the penalty against
its match weight when deciding a merge, and the stored link keeps the model's own
probability, so explanations show what the model said and the merge rule says why it did
not follow it.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from linkwise.resolve.likeness import one_edit

RARE_NAME_CAP_BITS = 2.0
"""The cap on a rare name's term-frequency boost the model applies
(``linkage.NAME_TF_MAX_BITS``; repeated here because linkage imports Splink and this module
must stay cheap to import)."""
MIN_PEOPLE = 3
"""A full name is penalised only when at least this many different people bear it (counted
loosely by date of birth). Two would be the natural bound, but one person's records with a
corrupted date of birth look like two people, and a rare name of one person would then be
penalised by its whole rarity: on Splink's fake_1000, whose people have up to ten heavily
corrupted copies, a bound of two cost 0.02 pairwise recall and bought no precision."""
YEAR_WINDOW = 2
"""Birth years at most this far apart may be one person's (the clustering's own bound for
dates of birth that conflict, ``cluster_records``'s ``dob_year_gap``)."""
MIN_GROUP_RECORDS = 2
"""A birth-year group of a single record is not counted as a person: a mistyped year
("1857" written "1847") is the likelier reading."""
MIN_GROUP_SHARE = 0.1
"""A birth-year group with fewer records than this share of the name's largest group is
taken for mistyped copies of that person, not for a namesake (``people_by_year``)."""
MIN_PENALTY_BITS = 0.5
"""Penalties below this are left out: within the noise of the counts."""
MAX_PENALTY_BITS = 10.0
"""No full name's penalty goes beyond this: a name held by many people with nothing else
in common is already far below any merge threshold."""


def penalty_bits(
    c_gf: int,
    n_gf: int,
    c_g: int,
    n_g: int,
    u_g: float,
    c_f: int,
    n_f: int,
    u_f: float,
    cap: float = RARE_NAME_CAP_BITS,
) -> float:
    """How many bits the model overstates the evidence of a full name held by ``c_gf`` of
    the ``n_gf`` records with both names, whose given name ``c_g`` of ``n_g`` and family
    name ``c_f`` of ``n_f`` records hold; ``u_g`` and ``u_f`` are the chances that two
    records agree on each part. At least 0; see the module docstring."""
    if min(c_gf, n_gf, c_g, n_g, c_f, n_f) <= 0 or u_g <= 0 or u_f <= 0:
        return 0.0
    adj_g = min(math.log2(u_g * n_g / c_g), cap)
    adj_f = min(math.log2(u_f * n_f / c_f), cap)
    bits = math.log2(c_gf / n_gf) - math.log2(u_g * u_f) + adj_g + adj_f
    return min(max(bits, 0.0), MAX_PENALTY_BITS)


def _collision(counts: Mapping[Any, int], total: int) -> float:
    """The chance that two records drawn at random agree on a value (the sum of squared
    shares): what the exact level's u estimates."""
    if total <= 0:
        return 0.0
    return sum((c / total) ** 2 for c in counts.values())


@dataclass(frozen=True)
class Namesakes:
    """Per record: a code of its full name and that name's penalty, for the full names
    that have one. ``ids`` is sorted; ``code`` is -1 where the record's name has none."""

    ids: npt.NDArray[np.int64]
    code: npt.NDArray[np.int64]
    bits: npt.NDArray[np.float64]
    names: tuple[tuple[str, str], ...] = ()
    """The penalised full names, indexed by ``code``."""

    @classmethod
    def empty(cls) -> Namesakes:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, np.zeros(0, dtype=np.float64))

    def penalty(self, left: npt.ArrayLike, right: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Per pair (record ids ``left[i]``, ``right[i]``): the penalty of the full name
        both records bear (exactly or with one slip, ``name_bearer``), or 0 where they bear
        different names or one without any."""
        left = np.asarray(left, dtype=np.int64)
        right = np.asarray(right, dtype=np.int64)
        out = np.zeros(len(left), dtype=np.float64)
        if not len(self.ids) or not len(left):
            return out
        li = np.minimum(np.searchsorted(self.ids, left), len(self.ids) - 1)
        ri = np.minimum(np.searchsorted(self.ids, right), len(self.ids) - 1)
        lc = np.where(self.ids[li] == left, self.code[li], -1)
        rc = np.where(self.ids[ri] == right, self.code[ri], -2)
        same = (lc >= 0) & (lc == rc)
        out[same] = self.bits[li[same]]
        return out

    def of(self, name: tuple[str, str]) -> float:
        """The penalty of one full name (0 when it has none)."""
        try:
            i = self.names.index(name)
        except ValueError:
            return 0.0
        return float(self.bits[np.flatnonzero(self.code == i)[0]])


def find_namesakes(table: pa.Table, only: Collection[int] | None = None) -> Namesakes:
    """The penalised full names of a prepared ``table`` (columns ``unique_id``, ``given``,
    ``family``, ``dob``, ``dob_y``, ``dob_m``), counted over all of its rows, for the records
    in ``only`` (all when None).

    Counting is vectorised (a million records take about a second); people are counted in
    Python only for the full names that have a penalty and that a wanted record bears,
    exactly or with one slip."""
    named = table.filter(pc.and_(pc.is_valid(table["given"]), pc.is_valid(table["family"])))
    if only is not None:
        wanted = pa.array(sorted(set(only)), pa.int64())
        mine = named.filter(pc.is_in(named["unique_id"], value_set=wanted))
    else:
        mine = named
    if not mine.num_rows:
        return Namesakes.empty()
    c_g = _counts(table["given"])
    c_f = _counts(table["family"])
    n_g, n_f = sum(c_g.values()), sum(c_f.values())
    u_g, u_f = _collision(c_g, n_g), _collision(c_f, n_f)
    full = named.group_by(["given", "family"]).aggregate([("unique_id", "count")])
    n_gf = named.num_rows
    candidates = {
        (str(g), str(f)): int(c)
        for g, f, c in zip(
            full["given"].to_pylist(),
            full["family"].to_pylist(),
            full["unique_id_count"].to_pylist(),
            strict=True,
        )
        if c >= MIN_PEOPLE
    }
    borne = set(zip(mine["given"].to_pylist(), mine["family"].to_pylist(), strict=True))
    # every name a wanted record bears, exactly or with one slip (``name_bearer``), so that
    # a record's code is the same whichever records are wanted
    relevant = candidates.keys() if only is None else _within_one_slip(borne, list(candidates))
    bits: dict[tuple[str, str], float] = {}
    for name in relevant:
        count = candidates[name]
        b = penalty_bits(count, n_gf, c_g[name[0]], n_g, u_g, c_f[name[1]], n_f, u_f)
        if b >= MIN_PENALTY_BITS:
            bits[name] = b
    if not bits:
        return Namesakes.empty()
    # the birth years of those names' holders only, to count their people
    key = pc.binary_join_element_wise(named["given"], named["family"], "\x1f")
    wanted_keys = pa.array([f"{g}\x1f{f}" for g, f in bits])
    holding = named.filter(
        pc.and_(pc.is_in(key, value_set=wanted_keys), pc.is_valid(named["dob_y"]))
    )
    years: dict[tuple[str, str], list[int]] = defaultdict(list)
    for g, f, y in zip(
        holding["given"].to_pylist(),
        holding["family"].to_pylist(),
        holding["dob_y"].to_pylist(),
        strict=True,
    ):
        years[(g, f)].append(int(y))
    kept = sorted(n for n, ys in years.items() if people_by_year(ys) >= MIN_PEOPLE)
    if not kept:
        return Namesakes.empty()
    bearing = name_bearer(kept)
    rows = sorted(
        (rid, code)
        for rid, g, f in zip(
            mine["unique_id"].to_pylist(),
            mine["given"].to_pylist(),
            mine["family"].to_pylist(),
            strict=True,
        )
        if (code := bearing(g, f)) is not None
    )
    return Namesakes(
        np.array([r for r, _ in rows], dtype=np.int64),
        np.array([c for _, c in rows], dtype=np.int64),
        np.array([bits[kept[c]] for _, c in rows], dtype=np.float64),
        tuple(kept),
    )


def _within_one_slip(
    borne: Collection[tuple[str, str]], names: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The ``names`` that are one of ``borne`` or one slip from one of them."""
    near = _slips(names)
    return {names[i] for g, f in borne for i in near(g, f)}


def name_bearer(penalised: Sequence[tuple[str, str]]) -> Callable[[str, str], int | None]:
    """For a full name (given, family): the index of the penalised name it bears, that name
    itself or else the first it spells with one slip (one part the same, the other one
    edit away), or None. A record bearing "kofi te5faye" is as much a bearer of the common
    "kofi tesfaye" as the model's fuzzy levels take it for; left out, a mistyped copy
    escaped the penalty its exact namesakes pay, and its link to one of them outweighed
    theirs."""
    index = {n: i for i, n in enumerate(penalised)}
    near = _slips(penalised)

    @functools.lru_cache(maxsize=65536)  # a matcher asks about the same names pair by pair
    def bearing(given: str, family: str) -> int | None:
        exact = index.get((given, family))
        if exact is not None:
            return exact
        return min(near(given, family), default=None)

    return bearing


def _slips(names: Sequence[tuple[str, str]]) -> Callable[[str, str], list[int]]:
    """For a full name: the indexes of ``names`` that are it or one slip from it (one part
    the same, the other at most one edit away, ``likeness.one_edit``)."""
    by_given: dict[str, list[tuple[str, int]]] = defaultdict(list)
    by_family: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for i, (g, f) in enumerate(names):
        by_given[g].append((f, i))
        by_family[f].append((g, i))

    def near(given: str, family: str) -> list[int]:
        found = [i for f, i in by_given.get(given, ()) if one_edit(family, f)]
        return found + [i for g, i in by_family.get(family, ()) if one_edit(given, g)]

    return near


def people_by_year(years: Sequence[int], window: int = YEAR_WINDOW) -> int:
    """How many different people the birth years ``years`` (one per record) show at least.

    The distinct years, in order, fall into groups spanning at most ``window`` years; each
    group may be one person whose copies disagree on the year (a typo, an estimate, a year
    off by one). A group counts as a person of its own only with at least
    ``MIN_GROUP_RECORDS`` records and ``MIN_GROUP_SHARE`` of the records of the largest
    group: one person with fifty records has a few with a mistyped year ("1857" written
    "1847"), and those are not namesakes. This undercounts namesakes seen once each, which
    errs towards merging as the model would have."""
    counts = Counter(years)
    sizes: list[int] = []
    start: int | None = None
    for y in sorted(counts):
        if start is None or y - start > window:
            sizes.append(0)
            start = y
        sizes[-1] += counts[y]
    if not sizes:
        return 0
    least = max(MIN_GROUP_RECORDS, MIN_GROUP_SHARE * max(sizes))
    return sum(1 for size in sizes if size >= least)


def _counts(column: pa.ChunkedArray) -> dict[str, int]:
    """How many rows hold each non-null value of ``column``."""
    counted = pc.value_counts(column.drop_null())
    return dict(
        zip(
            counted.field("values").to_pylist(),
            counted.field("counts").to_pylist(),
            strict=True,
        )
    )


def _dates(table: pa.Table) -> list[str | None]:
    """Each row's date of birth as ISO at the precision known ("1961", "1961-07", or the
    full date)."""
    dob = table.column("dob").to_pylist()
    year = table.column("dob_y").to_pylist()
    month = table.column("dob_m").to_pylist()
    out: list[str | None] = []
    for d, y, m in zip(dob, year, month, strict=True):
        if d:
            out.append(d)
        elif y is None:
            out.append(None)
        else:
            out.append(f"{y:04d}" + (f"-{m:02d}" if m is not None else ""))
    return out
