"""Namesakes: a full name more people bear than its parts suggest costs its pairs weight in
clustering, and only when at least two people are known to bear it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from linkwise.resolve.namesakes import (
    Namesakes,
    find_namesakes,
    name_bearer,
    penalty_bits,
    people_by_year,
)
from linkwise.resolve.pipeline import NO_DOB_PENALTY, clustering_edges


def _table(rows: list[tuple[str | None, str | None, str | None]]) -> pa.Table:
    years = [int(d[:4]) if d else None for _, _, d in rows]
    months = [int(d[5:7]) if d and len(d) >= 7 else None for _, _, d in rows]
    return pa.table(
        {
            "unique_id": pa.array(range(1, len(rows) + 1), pa.int64()),
            "given": [g for g, _, _ in rows],
            "family": [f for _, f, _ in rows],
            "dob": [d if d and len(d) == 10 else None for _, _, d in rows],
            "dob_y": pa.array(years, pa.int32()),
            "dob_m": pa.array(months, pa.int32()),
        }
    )


def _population(extra: list[tuple[str | None, str | None, str | None]]) -> pa.Table:
    """Forty family names, each borne by forty people with given names spread evenly over
    all of them (given and family name independent), plus ``extra``."""
    rows: list[tuple[str | None, str | None, str | None]] = []
    for f in range(40):
        for g in range(40):
            rows.append(
                (f"given{(f + g) % 40}", f"family{f}", f"19{50 + g % 40}-01-{1 + f % 28:02d}")
            )
    return _table(rows + extra)


def test_independent_names_have_no_penalty() -> None:
    # each full name once among 1600 records, parts each 40 of 1600: exactly as the
    # product of the parts predicts
    u = 40 * (1 / 40) ** 2
    assert penalty_bits(1, 1600, 40, 1600, u, 40, 1600, u) == pytest.approx(0.0, abs=1e-9)


def test_concentrated_name_is_penalised_by_its_excess() -> None:
    # a given name held only by people of one family name: the full name is as common as
    # the given name, 40 times more than the product of the parts says
    u = 40 * (1 / 40) ** 2
    bits = penalty_bits(40, 1600, 40, 1600, u, 40, 1600, u, cap=100.0)
    assert bits == pytest.approx(math.log2(40), abs=1e-9)
    # the rare-name cap already took part of the boost back: only the rest is penalised
    capped = penalty_bits(4, 1600, 4, 1600, u, 40, 1600, u, cap=2.0)
    uncapped = penalty_bits(4, 1600, 4, 1600, u, 40, 1600, u, cap=100.0)
    assert uncapped == pytest.approx(math.log2(40))
    assert capped == pytest.approx(uncapped - (math.log2(u * 1600 / 4) - 2.0))


def test_name_of_three_people_is_penalised_and_of_one_person_is_not() -> None:
    three_people = [
        ("nam", "nguyen", "1981-12-14"),
        ("nam", "nguyen", "1981-12-14"),
        ("nam", "nguyen", "1962-03-09"),
        ("nam", "nguyen", "1962-03-09"),
        ("nam", "nguyen", None),
        ("nam", "nguyen", "1990-07-21"),
        ("nam", "nguyen", "1990"),
    ]
    # one person, four copies: a typo'd date, a missing one, a year only
    one_person = [
        ("linh", "tran", "1975-05-06"),
        ("linh", "tran", "1975-05-16"),
        ("linh", "tran", None),
        ("linh", "tran", "1975"),
    ]
    table = _population(
        three_people + one_person + [("x", "nguyen", None)] * 30 + [("y", "tran", None)] * 30
    )
    found = find_namesakes(table)
    assert found.of(("nam", "nguyen")) > 3.0
    assert found.of(("linh", "tran")) == 0.0
    assert found.of(("given1", "family0")) == 0.0


def test_a_copy_one_slip_from_a_penalised_name_bears_it_too() -> None:
    """A mistyped copy ("nam nguyem") pays the penalty of the common name it spells with one
    slip, paired with an exact bearer or another such copy; a name two slips away, or the
    same family name with another given name, does not."""
    bearers = [("nam", "nguyen", f"19{y}-01-01") for y in (50, 60, 70, 80) for _ in (1, 2)]
    slips = [("nam", "nguyem", None), ("nma", "nguyen", None), ("nam", "ngyuen", None)]
    others = [("nam", "ngyuem", None), ("tam", "nguyem", None)]
    table = _population(bearers + slips + others + [("x", "nguyen", None)] * 30)
    found = find_namesakes(table)
    ids = table.column("unique_id").to_pylist()
    exact = ids[1600]
    slip_ids = ids[1608:1611]
    other_ids = ids[1611:1613]
    bits = found.of(("nam", "nguyen"))
    assert bits > 3.0
    pairs = found.penalty([exact] * 5 + [slip_ids[0]], [*slip_ids, *other_ids, slip_ids[1]])
    assert pairs.tolist() == [bits, bits, bits, 0.0, 0.0, bits]


def test_a_pairs_penalty_is_the_same_whichever_records_are_counted_for() -> None:
    """Incremental runs and explanations count names for a few records only (``only``):
    every pair gets the penalty a full run gives it, for two slips of one name (two slips
    apart from each other) and for a slip between two penalised names alike."""
    nam = [("nam", "nguyen", f"19{y}-01-01") for y in (50, 60, 70, 80) for _ in (1, 2)]
    john = [("john", "lee", f"19{y}-02-02") for y in (50, 60, 70, 80) for _ in (1, 2)]
    jon = [("jon", "lee", f"19{y}-03-03") for y in (51, 61, 71, 81) for _ in (1, 2)]
    odd = [("nam", "nguyem", None), ("nma", "nguyen", None), ("joh", "lee", None)]
    table = _population(nam + john + jon + odd + [("x", "nguyen", None), ("y", "lee", None)] * 30)
    ids = table.column("unique_id").to_pylist()
    wanted = [ids[1600], ids[1608], ids[1616], *ids[1624:1627]]  # one of each, the odd ones
    full = find_namesakes(table)
    assert full.of(("nam", "nguyen")) > 0
    assert full.of(("john", "lee")) > 0
    assert full.of(("jon", "lee")) > 0
    for a in wanted:
        for b in wanted:
            alone = find_namesakes(table, only=[a, b]).penalty([a], [b])
            assert alone.tolist() == full.penalty([a], [b]).tolist(), (a, b)
    # the two slips of "nam nguyen" are two slips apart and still bear it together
    assert full.penalty([ids[1624]], [ids[1625]]).tolist() == [full.of(("nam", "nguyen"))]


def test_a_slip_is_one_insertion_deletion_substitution_or_swap_in_one_part() -> None:
    bears = name_bearer([("nam", "nguyen"), ("nma", "nguyen")])
    for a, b in [("nguyen", "nguyem"), ("nguyen", "nguye"), ("nguyen", "nguyeen"), ("ab", "ba")]:
        assert name_bearer([("x", b)])("x", a) == 0
        assert name_bearer([(a, "y")])(b, "y") == 0
    for a, b in [("nguyen", "ngyuem"), ("nguyen", "nguy"), ("abc", "cba")]:
        assert name_bearer([("x", b)])("x", a) is None
    # a name's own holders bear it, even beside a penalised name one slip away
    assert bears("nma", "nguyen") == 1
    assert bears("nam", "nguyen") == 0
    # two slips, in one part or one in each, make no bearer
    assert bears("nam", "ngyuem") is None
    assert name_bearer([("nam", "nguyen")])("nma", "nguyem") is None


def test_penalty_applies_to_pairs_bearing_the_same_name_only() -> None:
    found = Namesakes(
        np.array([1, 2, 3, 5], dtype=np.int64),
        np.array([0, 0, 1, 1], dtype=np.int64),
        np.array([4.0, 4.0, 2.5, 2.5]),
        (("nam", "nguyen"), ("tao", "li")),
    )
    got = found.penalty([1, 1, 3, 2, 4, 7], [2, 3, 5, 4, 5, 8])
    assert got.tolist() == [4.0, 0.0, 2.5, 0.0, 0.0, 0.0]
    assert Namesakes.empty().penalty([1], [2]).tolist() == [0.0]


def test_clustering_edges_take_the_penalty_off_the_weight() -> None:
    found = Namesakes(
        np.array([1, 2], dtype=np.int64), np.array([0, 0], dtype=np.int64), np.array([4.0, 4.0])
    )
    left = np.array([1, 1])
    right = np.array([2, 3])
    weight = np.array([5.0, 5.0])
    gamma: Any = np.array([-1, 2])
    edges = clustering_edges(left, right, weight, gamma, found)
    assert list(edges.weight) == pytest.approx([5.0 - NO_DOB_PENALTY - 4.0, 5.0])
    assert edges.probability[0] == pytest.approx(1 / (1 + 2 ** -(5.0 - NO_DOB_PENALTY - 4.0)))


def test_penalties_of_some_records_are_counted_over_everyone() -> None:
    namesakes = [("nam", "nguyen", f"19{y}-01-01") for y in (50, 60, 70, 80) for _ in (1, 2)]
    table = _population(namesakes + [("x", "nguyen", None)] * 30)
    everyone = find_namesakes(table)
    ids = table.column("unique_id").to_pylist()
    nam = [i for i, g in zip(ids, table.column("given").to_pylist(), strict=True) if g == "nam"]
    some = find_namesakes(table, only=[nam[0], nam[2], ids[0]])
    assert some.ids.tolist() == [nam[0], nam[2]]
    assert some.bits.tolist() == [everyone.of(("nam", "nguyen"))] * 2 > [0.0] * 2
    assert find_namesakes(table, only=[ids[0]]).ids.tolist() == []


def test_people_are_counted_by_birth_years_that_one_person_could_not_span() -> None:
    assert people_by_year([]) == 0
    assert people_by_year([2007, 2008, 2007]) == 1  # one person's mistyped years
    assert people_by_year([1986, 1987, 1988, 1996]) == 1  # 1996 seen once: a typo
    assert people_by_year([1986, 1987, 1988, 1996, 1996]) == 2
    assert people_by_year(list(range(1960, 1972))) == 4  # 1960-62, 63-65, 66-68, 69-71
    # fifty copies of one person, three with a mistyped year: one person
    assert people_by_year([1857] * 47 + [1847, 1867, 1887]) == 1
    # three people with a few records each
    assert people_by_year([1950, 1950, 1970, 1970, 1990, 1990, 1990]) == 3
