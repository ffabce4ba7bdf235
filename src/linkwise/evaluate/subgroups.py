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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from linkwise.evaluate.clusters import Contingency

NO_VALUE = "(none)"
RateName = Literal["false_merge_rate", "missed_link_rate"]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class RecordErrors:
    false_merge: Flags
    has_coreferent: Flags
    missed_link: Flags


def record_errors(table: Contingency) -> RecordErrors:
    has_coreferent = table.record_true > 1
    return RecordErrors(
        false_merge=table.record_predicted > table.record_cell,
        has_coreferent=has_coreferent,
        missed_link=has_coreferent & (table.record_cell < table.record_true),
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

    def rate(self, name: RateName) -> float | None:
        return self.false_merge_rate if name == "false_merge_rate" else self.missed_link_rate


@dataclass(frozen=True, slots=True)
class Disparity:
    """How unevenly one rate falls on the eligible groups of one column.

    ``worst_to_best`` is None with fewer than two eligible groups or when the best rate is
    0 (a ratio to zero says nothing about size); ``worst_to_all`` (worst group ÷ all
    records) stays defined then, and is None only when the all-records rate is 0.
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


@dataclass(frozen=True, slots=True)
class GroupBreakdown:
    column: str
    groups: list[GroupRates]
    disparity: list[Disparity]


def overall_rates(errors: RecordErrors) -> GroupRates:
    return _rates("all", errors.false_merge, errors.has_coreferent, errors.missed_link)


def _rates(group: str, fm: Flags, mate: Flags, missed: Flags) -> GroupRates:
    n, n_mate = int(fm.size), int(mate.sum())
    false_merges, missed_links = int(fm.sum()), int(missed.sum())
    return GroupRates(
        group=group,
        n=n,
        n_with_coreferent=n_mate,
        false_merges=false_merges,
        missed_links=missed_links,
        false_merge_rate=false_merges / n if n else 0.0,
        missed_link_rate=missed_links / n_mate if n_mate else None,
    )


def breakdown(
    column: str, labels: Sequence[str], errors: RecordErrors, min_group_size: int
) -> GroupBreakdown:
    """Rates per distinct label (one label per evaluated record, in record order)."""
    codes: dict[str, int] = {}
    index = np.fromiter(
        (codes.setdefault(label, len(codes)) for label in labels), np.int64, len(labels)
    )
    size = len(codes)
    n = np.bincount(index, minlength=size)
    mate = np.bincount(index, weights=errors.has_coreferent, minlength=size)
    fm = np.bincount(index, weights=errors.false_merge, minlength=size)
    missed = np.bincount(index, weights=errors.missed_link, minlength=size)
    groups = []
    for label in sorted(codes, key=_natural):
        i = codes[label]
        n_i, mate_i = int(n[i]), int(mate[i])
        groups.append(
            GroupRates(
                group=label,
                n=n_i,
                n_with_coreferent=mate_i,
                false_merges=int(fm[i]),
                missed_links=int(missed[i]),
                false_merge_rate=float(fm[i]) / n_i,
                missed_link_rate=float(missed[i]) / mate_i if mate_i else None,
            )
        )
    overall = overall_rates(errors)
    disparity = [
        _disparity(groups, overall, rate, min_group_size)
        for rate in ("false_merge_rate", "missed_link_rate")
    ]
    return GroupBreakdown(column, groups, disparity)


def _disparity(
    groups: list[GroupRates], overall: GroupRates, rate: RateName, min_group_size: int
) -> Disparity:
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
    )


def _natural(label: str) -> tuple[object, ...]:
    """Sort key putting "2" before "10" and ``(none)`` last."""
    parts = re.split(r"(\d+)", label)
    return (label == NO_VALUE, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])
