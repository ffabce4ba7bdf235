"""Blocking recall: which known matching pairs the blocking rules would put up for scoring."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from linkwise.resolve import linkage
from linkwise.resolve.blocking import CANDIDATES, _rule, blocking_recall, by_name, conditions
from linkwise.resolve.engines import open_backend


def _table() -> pa.Table:
    return pa.table(
        {
            "unique_id": pa.array([1, 2, 3, 4, 5], pa.int64()),
            "given": ["ann", "ann", "bob", "robert", "li"],
            "family": ["lee", "lee", "ross", "ross", "wei"],
            "given_nicks": [["ann"], ["ann"], ["robert", "bob"], ["robert"], ["li"]],
            "dob": ["1980-01-02", None, "1970-05-05", "1970-05-06", None],
            "ssn": [None, None, None, None, "123456789"],
        }
    )


def test_each_rule_is_evaluated_on_the_pairs_themselves() -> None:
    rules = by_name(
        ["same surname, given names nickname-related", "same ssn", "no such rule any more"]
    )
    assert [r.name for r in rules] == ["same surname, given names nickname-related", "same ssn"]
    got = blocking_recall(_table(), conditions(rules), [(1, 2), (3, 4), (1, 5), (2, 99)])
    # (2, 99) names a record the table does not hold: not counted
    assert got.pairs == 3
    # ann/ann and bob/robert (nickname arrays share "robert") are generated; (1, 5) is not
    assert got.covered == 2
    assert got.recall == 2 / 3
    assert got.per_rule == {"same surname, given names nickname-related": 2, "same ssn": 0}


def test_a_missing_value_never_blocks_and_no_pairs_means_no_recall() -> None:
    rules = by_name(["same date of birth and surname sound"])
    table = _table().append_column("family_key", pa.array(["l", "l", "rs", "rs", "w"]))
    got = blocking_recall(table, conditions(rules), [(1, 2)])
    assert (got.pairs, got.covered) == (1, 0)  # record 2 has no date of birth
    assert blocking_recall(table, conditions(rules), []).recall is None


def test_every_candidate_rule_has_a_condition_duckdb_can_run() -> None:
    columns = {col for c in CANDIDATES for col in c.columns} | {"dob_y"}

    def value(col: str, row: int) -> object:
        if col == "given_nicks":
            return ["x"]
        return None if (col == "dob_y" and row == 3) else "xyz"

    table = pa.table(
        {
            "unique_id": pa.array([1, 2, 3], pa.int64()),
            **{col: pa.array([value(col, r) for r in (1, 2, 3)]) for col in sorted(columns)},
        }
    )
    # records 1 and 2 agree on everything; record 3 also, but has no date of birth
    both = blocking_recall(table, conditions(CANDIDATES), [(1, 2)])
    missing = "same surname, given names nickname-related, a date of birth missing"
    assert both.covered == 1
    assert {n for n, k in both.per_rule.items() if k == 0} == {missing}
    one_missing = blocking_recall(table, conditions(by_name([missing])), [(1, 3)])
    assert one_missing.covered == 1


def _rule_choice(budget_pairs: float, monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Which of three rules ``_choose_rules`` keeps on 3,000 records: a postcode rule
    (about 8 pairs per record), a city rule (about 3) and names in swapped order (0.5), when
    all kept rules together may add ``budget_pairs`` pairs."""
    rng = random.Random(5)
    half = 1500
    given = [f"g{i}" for i in range(half)] + [f"f{i}" for i in range(half)]
    family = [f"f{i}" for i in range(half)] + [f"g{i}" for i in range(half)]
    table = pa.table(
        {
            "unique_id": pa.array(range(1, 2 * half + 1), pa.int64()),
            "given": given,
            "family": family,
            "postcode": [f"P{rng.randrange(176)}" for _ in range(2 * half)],
            "city": [f"C{rng.randrange(500)}" for _ in range(2 * half)],
        }
    )
    n = len(table)
    monkeypatch.setattr(linkage, "TOTAL_PAIRS_PER_RECORD_BUDGET", (budget_pairs - 10_000) / n)
    swapped = next(c for c in CANDIDATES if c.name == "given and family name swapped")
    rules = [_rule("postcode", "postcode"), _rule("city", "city"), swapped]
    db = open_backend("duckdb", 1)
    try:
        chosen = linkage._choose_rules(db.register(table, table_name="lw_records"), rules, n)
    finally:
        db.close()
    return {c.name: r.kept for c, r in chosen}


def test_a_cheap_rule_is_kept_when_the_broad_ones_have_used_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # postcode ~25,000 pairs and city ~9,000 fit in 34,500; the 1,500 swapped pairs would
    # overrun it, but a rule adding under one pair per record is always kept
    kept = _rule_choice(34_500, monkeypatch)
    assert kept == {"postcode": True, "city": True, "given and family name swapped": True}
    # a rule of more than one pair per record that overruns the total is still dropped
    kept = _rule_choice(30_000, monkeypatch)
    assert kept == {"postcode": True, "city": False, "given and family name swapped": True}


def test_names_swapped_and_respelled_are_blocked_by_their_sound_keys() -> None:
    """ "hwang wah" beside "wah huang": the plain swap rule wants both names exactly, the
    sound-key rule blocks them unless both birth years are known and differ (and never two
    people whose names merely share one key)."""
    table = pa.table(
        {
            "unique_id": pa.array([1, 2, 3, 4, 5], pa.int64()),
            "given_key": ["hnk", "f", "f", "f", "f"],
            "family_key": ["f", "hnk", "lng", "hnk", "hnk"],
            "given": ["hwang", "wah", "wah", "wah", "wah"],
            "family": ["wah", "huang", "leung", "huang", "huang"],
            "dob_y": pa.array([1953, 1953, 1953, None, 1961], pa.int64()),
        }
    )
    rule = "given and family name sound swapped, birth years not apart"
    rules = by_name([rule, "given and family name swapped"])
    got = blocking_recall(table, conditions(rules), [(1, 2), (1, 3), (1, 4), (1, 5)])
    assert got.covered == 2
    assert got.per_rule == {rule: 2, "given and family name swapped": 0}
