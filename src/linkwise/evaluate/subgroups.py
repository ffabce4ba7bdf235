"""Who bears the errors: false-merge and missed-link rates per record, broken down by group.

A match in linkwise is a lead with a measured error rate, and an error rate averaged over
everyone hides the groups it falls on (people with common surnames are merged with
strangers, people whose names were transliterated are missed). So errors are counted per
record, where a person's group is known, rather than per pair:

* **false merge**: the record's predicted cluster holds at least one record of another
  true person (``a[i] > n[i, j]`` in the contingency table).
* **missed link**: the record has at least one true co-referent among the evaluated
  records and at least one of them is outside its predicted cluster
  (``b[j] > 1 and n[i, j] < b[j]``). The rate's denominator is the records that have a
  co-referent: a record alone in the truth cannot miss a link.

Disparity compares groups only where a rate is stable enough to mean something: groups
with at least ``min_group_size`` records (for missed links, records with a co-referent),
and never the ``(none)`` group of records whose value is unknown, which mixes people of
every group.

Rates of a few dozen errors move a lot by chance, and a ratio of two of them more, so every
rate and every worst-to-best ratio carries a 95% interval from a bootstrap over people
(``Resampling``): the records of one person are resampled together, as they are not
independent (one false merge flags every record in the cluster).

That interval is for the two groups as named after seeing the rates, and the highest of
several noisy rates over the lowest is larger than 1 even where every group has the same
rate: the more groups and the fewer errors, the larger. So each worst-to-best ratio also
carries a chance reference (``_chance``): the same errors dealt out again with the groups
shuffled among people, the ratio this gives in the median shuffle, and the share of
shuffles at least as uneven as what was measured. A measured ratio no larger than chance
gives is no sign of a disparity, and a target ratio below chance's cannot be shown met
with that many records and errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from linkwise.evaluate.align import Codes
from linkwise.evaluate.clusters import Contingency

NO_VALUE = "(none)"
RateName = Literal["false_merge_rate", "missed_link_rate"]
Flags = npt.NDArray[np.bool_]
Interval = tuple[float, float]
RatioInterval = tuple[float, float | None]
"""An interval of a ratio; the upper end is None (unbounded) when the lower rate of the
pair is 0 in enough resamples."""

INTERVAL_LEVEL = 0.95
RESAMPLES = 200
"""Bootstrap resamples behind each interval: enough for the 2.5% and 97.5% points to be
stable to about a tenth of the interval's width, few enough to cost well under a second
per group column at 100,000 records."""
RESAMPLING_SEED = 2026
"""Fixed, so the same evaluation always reports the same intervals."""
CHANCE_SHUFFLES = 200
"""Shuffles behind each chance reference: the share of shuffles at least as uneven is then
known to about 3 points either way, enough to tell "often" from "rarely"."""
CHANCE_SEED = 2027
"""Fixed, so the same evaluation always reports the same chance reference."""
_CHUNK = 50
"""Resamples weighed at once in the dense path: its weights take 50 floats per cell."""
_DENSE_CELLS = 2**22
"""Above this many (cell, group) entries the dense table would be too large (a group
column with thousands of values), and each resample is counted on its own instead."""


class Resampling:
    """A Poisson bootstrap over people (Hanley & MacGibbon 2006): in each of ``RESAMPLES``
    resamples every true person is drawn a Poisson(1) number of times, with all their
    records. A group's rate in a resample is its weighted errors over its weighted
    records. The weights are drawn once, so every group and column of one evaluation is
    resampled alike (a ratio is taken within one resample)."""

    def __init__(self, person: Codes, resamples: int = RESAMPLES) -> None:
        self.person = person
        n_people = int(person.max()) + 1 if person.size else 0
        rng = np.random.default_rng(RESAMPLING_SEED)
        self.weights = rng.poisson(1.0, size=(resamples, n_people)).astype(np.uint8)

    def sums(
        self, index: Codes, size: int, values: list[Flags]
    ) -> tuple[list[npt.NDArray[np.float64]], list[npt.NDArray[np.int64]]]:
        """Per resample and group (``index``: each record's group, 0..size-1), the weighted
        count of records where each of ``values`` holds, as arrays of shape (resamples,
        size); and per group, how many people have such a record."""
        resamples = self.weights.shape[0]
        # a person's records in one group move together: count them once per (person,
        # group) cell, and weigh the cells
        cells, inverse = np.unique(self.person * np.int64(size) + index, return_inverse=True)
        inverse = inverse.reshape(-1)
        people, groups = cells // size, cells % size
        counts = [np.bincount(inverse, weights=v, minlength=cells.size) for v in values]
        present = [
            np.bincount(groups, weights=c > 0, minlength=size).astype(np.int64) for c in counts
        ]
        # float32 sums are exact while no sum can reach 2**24
        exact = index.size * int(self.weights.max(initial=0)) < 2**24
        kind = np.float32 if exact else np.float64
        out = [np.empty((resamples, size)) for _ in values]
        if cells.size * size <= _DENSE_CELLS:
            # few groups: one matrix product per chunk of resamples against a dense
            # (cell, group) table of each value
            table = np.zeros((cells.size, size * len(values)), kind)
            for k, c in enumerate(counts):
                table[np.arange(cells.size), k * size + groups] = c
            for lo in range(0, resamples, _CHUNK):
                w = self.weights[lo : lo + _CHUNK, people].astype(kind)
                both = w @ table
                for k, total in enumerate(out):
                    total[lo : lo + _CHUNK] = both[:, k * size : (k + 1) * size]
        else:
            # many groups: one weighted count per resample, in time and memory that grow
            # with the cells, not with the groups
            for b in range(resamples):
                w = self.weights[b, people].astype(np.float64)
                for total, c in zip(out, counts, strict=True):
                    total[b] = np.bincount(groups, weights=w * c, minlength=size)
        return out, present


@dataclass(frozen=True, slots=True)
class RecordErrors:
    false_merge: Flags
    has_coreferent: Flags
    missed_link: Flags
    resampling: Resampling
    key_rank: Codes
    """Each record's position among the records sorted by key: an order that neither the
    rows' order nor any label changes (the chance reference deals cells out in it)."""


def key_ranks(keys: Sequence[Any]) -> Codes:
    """Each record's position among the records sorted by key."""
    rank = np.empty(len(keys), np.int64)
    rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    return rank


def people_in_key_order(true: Codes, rank: Codes) -> Codes:
    """Each record's true cluster renumbered in the order of the clusters' first record
    key (``rank``: ``key_ranks``), so that the resampling (which draws by number) and with
    it every interval is the same whatever the cluster labels and the order of the rows."""
    first = np.full(int(true.max()) + 1 if true.size else 0, rank.size, np.int64)
    np.minimum.at(first, true, rank)
    renumber = np.empty(first.size, np.int64)
    renumber[np.argsort(first)] = np.arange(first.size)
    return renumber[true]


def record_errors(table: Contingency, true: Codes, keys: Sequence[Any]) -> RecordErrors:
    """Each record's errors; ``true`` is each record's true cluster, renumbered here as
    ``people_in_key_order`` does (the unit the intervals resample)."""
    rank = key_ranks(keys)
    has_coreferent = table.record_true > 1
    return RecordErrors(
        false_merge=table.record_predicted > table.record_cell,
        has_coreferent=has_coreferent,
        missed_link=has_coreferent & (table.record_cell < table.record_true),
        resampling=Resampling(people_in_key_order(true, rank)),
        key_rank=rank,
    )


@dataclass(frozen=True, slots=True)
class GroupRates:
    """Error counts and rates of one group (or of all records, named ``"all"``)."""

    group: str
    n: int
    n_with_coreferent: int
    false_merges: int
    missed_links: int
    false_merge_rate: float
    missed_link_rate: float | None  # None when no record of the group has a co-referent
    false_merge_interval: Interval | None = None
    """95% interval of the rate (bootstrap over people); None when undefined."""
    missed_link_interval: Interval | None = None

    def rate(self, name: RateName) -> float | None:
        return self.false_merge_rate if name == "false_merge_rate" else self.missed_link_rate


@dataclass(frozen=True, slots=True)
class Disparity:
    """How unevenly one rate falls on the eligible groups of one column.

    ``worst_to_best`` is None with fewer than two eligible groups or when the best rate is
    0 (a ratio to zero says nothing about size); ``worst_to_all`` (worst group ÷ all
    records) stays defined then, and is None only when the all-records rate is 0.
    ``worst_to_best_interval`` is the 95% interval of the ratio between those two groups
    (bootstrap over people), None where the ratio is.
    """

    rate: RateName
    min_group_size: int
    eligible_groups: int
    worst_group: str | None
    worst_rate: float | None
    best_group: str | None
    best_rate: float | None
    all_rate: float | None
    worst_to_best: float | None
    worst_to_all: float | None
    worst_to_best_interval: RatioInterval | None = None
    chance_ratio: float | None = None
    """The worst-to-best ratio chance alone gives: its median over ``CHANCE_SHUFFLES``
    shuffles of the eligible groups among people (each person's records of one group keep
    their errors and move together). None where ``worst_to_best`` is, and where in more
    than half of the shuffles some group has no error (the median is unbounded)."""
    chance_share: float | None = None
    """The share of those shuffles whose ratio is at least ``worst_to_best``: small when
    the measured disparity is more than chance explains. None where ``worst_to_best`` is."""


@dataclass(frozen=True, slots=True)
class GroupBreakdown:
    column: str
    groups: list[GroupRates]
    disparity: list[Disparity]


def overall_rates(errors: RecordErrors) -> GroupRates:
    everyone = np.zeros(errors.false_merge.size, np.int64)
    groups, _ = _group_rates(["all"], everyone, errors)
    return groups[0]


def breakdown(
    column: str,
    labels: Sequence[str],
    errors: RecordErrors,
    min_group_size: int,
    overall: GroupRates,
) -> GroupBreakdown:
    """Rates per distinct label (one label per evaluated record, in record order);
    ``overall`` is ``overall_rates(errors)``."""
    codes: dict[str, int] = {}
    index = np.fromiter(
        (codes.setdefault(label, len(codes)) for label in labels), np.int64, len(labels)
    )
    names = sorted(codes, key=_natural)
    order = np.empty(len(codes), np.int64)
    order[[codes[name] for name in names]] = np.arange(len(names))
    index = order[index]
    groups, resampled = _group_rates(names, index, errors)
    disparity = [
        _disparity(groups, overall, rate, min_group_size, resampled[rate], index, errors)
        for rate in ("false_merge_rate", "missed_link_rate")
    ]
    return GroupBreakdown(column, groups, disparity)


def _group_rates(
    names: Sequence[str], index: Codes, errors: RecordErrors
) -> tuple[list[GroupRates], dict[RateName, npt.NDArray[np.float64]]]:
    """The rates of each group (``index``: each record's position in ``names``), with
    their intervals, and each rate per resample and group (NaN where a resample drew no
    record the rate counts)."""
    size = len(names)
    flags = [errors.false_merge, errors.has_coreferent, errors.missed_link]
    n, fm, mate, missed = (np.bincount(index, weights=f, minlength=size) for f in (None, *flags))
    (r_n, r_fm, r_mate, r_missed), (people, _, people_mate, _) = errors.resampling.sums(
        index, size, [np.ones(index.size, np.bool_), *flags]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        resampled: dict[RateName, npt.NDArray[np.float64]] = {
            "false_merge_rate": r_fm / r_n,
            "missed_link_rate": r_missed / r_mate,
        }
    groups = []
    for i, name in enumerate(names):
        n_i, mate_i = int(n[i]), int(mate[i])
        groups.append(
            GroupRates(
                group=name,
                n=n_i,
                n_with_coreferent=mate_i,
                false_merges=int(fm[i]),
                missed_links=int(missed[i]),
                false_merge_rate=float(fm[i]) / n_i,
                missed_link_rate=float(missed[i]) / mate_i if mate_i else None,
                false_merge_interval=_interval(
                    resampled["false_merge_rate"][:, i], int(fm[i]), n_i, int(people[i])
                ),
                missed_link_interval=(
                    _interval(
                        resampled["missed_link_rate"][:, i],
                        int(missed[i]),
                        mate_i,
                        int(people_mate[i]),
                    )
                    if mate_i
                    else None
                ),
            )
        )
    return groups, resampled


def _interval(
    values: npt.NDArray[np.float64], errors: int, records: int, people: int
) -> Interval | None:
    """A rate's interval: the central part of its resampled values, except where the
    group has no error or nothing but errors. Every resample repeats such a rate, so the
    exact binomial bound over the group's people is given instead (Clopper-Pearson: no
    error among n people leaves a rate up to 1 - 0.025^(1/n), about 3.7/n, possible)."""
    if 0 < errors < records or people == 0:
        return _central(values)
    bound = ((1 - INTERVAL_LEVEL) / 2) ** (1 / people)
    return (0.0, 1 - bound) if errors == 0 else (bound, 1.0)


def _central(values: npt.NDArray[np.float64]) -> Interval | None:
    """The central ``INTERVAL_LEVEL`` of the resampled values that are defined (not NaN;
    an infinite ratio counts); None when none is."""
    defined = values[~np.isnan(values)]
    if not defined.size:
        return None
    tail = (1 - INTERVAL_LEVEL) / 2
    low, high = np.quantile(defined, [tail, 1 - tail], method="inverted_cdf")
    return float(low), float(high)


def _disparity(
    groups: list[GroupRates],
    overall: GroupRates,
    rate: RateName,
    min_group_size: int,
    resampled: npt.NDArray[np.float64],
    index: Codes,
    errors: RecordErrors,
) -> Disparity:
    """``index`` is each record's position in ``groups``."""
    eligible: list[tuple[float, str]] = []
    for g in groups:
        size = g.n if rate == "false_merge_rate" else g.n_with_coreferent
        value = g.rate(rate)
        if g.group != NO_VALUE and size >= min_group_size and value is not None:
            eligible.append((value, g.group))
    all_rate = overall.rate(rate)
    if not eligible:
        return Disparity(rate, min_group_size, 0, None, None, None, None, all_rate, None, None)
    # Ties go to the group listed first, so the answer does not depend on input order.
    order = {name: i for i, (_, name) in enumerate(eligible)}
    worst_rate, worst = max(eligible, key=lambda e: (e[0], -order[e[1]]))
    best_rate, best = min(eligible, key=lambda e: (e[0], order[e[1]]))
    to_best = worst_rate / best_rate if len(eligible) > 1 and best_rate > 0 else None
    to_all = worst_rate / all_rate if all_rate else None
    column = {g.group: i for i, g in enumerate(groups)}
    interval = chance = None
    if to_best is not None:
        interval = _ratio_interval(resampled[:, column[worst]], resampled[:, column[best]])
        chance = _chance(index, [column[name] for _, name in eligible], errors, rate)
    return Disparity(
        rate,
        min_group_size,
        len(eligible),
        worst,
        worst_rate,
        best,
        best_rate,
        all_rate,
        to_best,
        to_all,
        interval,
        *(chance or (None, None)),
    )


def _chance(
    index: Codes, eligible: list[int], errors: RecordErrors, rate: RateName
) -> tuple[float | None, float]:
    """The chance reference of one worst-to-best ratio over the ``eligible`` groups (their
    positions; ``index`` is each record's): the median ratio over ``CHANCE_SHUFFLES``
    shuffles (None when unbounded) and the share of shuffles at least as uneven as the
    unshuffled groups.

    The unit shuffled is a (person, group) cell, the records of one person in one group
    with their errors, as in ``Resampling``: one false merge flags every record of a
    cluster, so records are not independent and shuffling them one by one would make
    chance look tamer than it is. A shuffle keeps each group's number of cells, and so
    nearly its number of records."""
    counted = np.isin(index, eligible)
    if rate == "false_merge_rate":
        hits = errors.false_merge
    else:
        hits = errors.missed_link
        counted &= errors.has_coreferent  # the rate's denominator
    size = int(index.max()) + 1
    cells, inverse = np.unique(
        errors.resampling.person[counted] * np.int64(size) + index[counted],
        return_inverse=True,
    )
    inverse = inverse.reshape(-1)
    # deal the cells out in the order of their first record's key, which no label changes
    # (the order np.unique gives follows the groups' places, and so their names)
    first = np.full(cells.size, errors.key_rank.size, np.int64)
    np.minimum.at(first, inverse, errors.key_rank[counted])
    order = np.argsort(first)
    records = np.bincount(inverse, minlength=cells.size).astype(np.float64)[order]
    found = np.bincount(inverse, weights=hits[counted], minlength=cells.size)[order]
    group = (cells % size)[order]
    keep = np.asarray(eligible, np.int64)

    def ratio(labels: Codes) -> float:
        # every eligible group keeps at least one cell, so no group is ever empty
        n = np.bincount(labels, weights=records, minlength=size)[keep]
        e = np.bincount(labels, weights=found, minlength=size)[keep]
        rates = e / n
        low = float(rates.min())
        return float(rates.max()) / low if low > 0 else math.inf

    measured = ratio(group)
    rng = np.random.default_rng(CHANCE_SEED)
    # a shuffle moves places, not values: renaming the groups renames its outcome alone
    shuffled = np.array([ratio(rng.permutation(group)) for _ in range(CHANCE_SHUFFLES)])
    median = float(np.quantile(shuffled, 0.5, method="inverted_cdf"))
    # the measured ratio is worked out as each shuffle's is, so equal ties compare equal
    share = float(np.mean(shuffled >= measured))
    return (None if math.isinf(median) else median), share


def _ratio_interval(
    worst: npt.NDArray[np.float64], best: npt.NDArray[np.float64]
) -> RatioInterval | None:
    """The ratio's interval over the resamples where it is defined: a resample in which
    the best group has no error makes it infinite (the upper end is then None when it
    reaches that far), one in which neither group has any leaves it undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        found = _central(worst / best)  # x/0 is inf, 0/0 and NaN are NaN
    if found is None or np.isinf(found[0]):
        return None
    low, high = found
    return low, None if np.isinf(high) else high


def _natural(label: str) -> tuple[object, ...]:
    """Sort key putting "2" before "10" and ``(none)`` last."""
    parts = re.split(r"(\d+)", label)
    return (label == NO_VALUE, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])
