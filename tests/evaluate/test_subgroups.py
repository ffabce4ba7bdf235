"""False-merge and missed-link rates per group, and their disparity, counted by hand."""

from __future__ import annotations

import pytest

from linkwise.evaluate import EvaluationInputError, GroupBreakdown, evaluate
from tests.evaluate.helpers import assignment_rows, truth_rows

# Truth A={0,1,2} B={3,4} C={5}; prediction X={0,1} Y={2,3,4,5}.
TRUE = ["A", "A", "A", "B", "B", "C"]
PRED = ["X", "X", "Y", "Y", "Y", "Y"]
SIDE = ["a", "a", "a", "b", "b", "b"]


def _by(report_groups: list[GroupBreakdown], column: str) -> GroupBreakdown:
    return next(g for g in report_groups if g.column == column)


def test_overall_rates_by_hand() -> None:
    overall = evaluate(assignment_rows(PRED), truth_rows(TRUE)).overall
    # false merges: records 2-5 share Y with other people; 0 and 1 do not.
    assert (overall.n, overall.false_merges) == (6, 4)
    assert overall.false_merge_rate == pytest.approx(4 / 6)
    # co-referents: 0-4 (5 alone); missed: 0, 1 (miss 2) and 2 (misses 0, 1); 3, 4 complete.
    assert (overall.n_with_coreferent, overall.missed_links) == (5, 3)
    assert overall.missed_link_rate == pytest.approx(3 / 5)


def test_group_rates_by_hand() -> None:
    report = evaluate(assignment_rows(PRED), truth_rows(TRUE, side=SIDE), min_group_size=1)
    side = _by(report.groups, "side")
    a, b = side.groups
    assert (a.group, a.n, a.false_merges, a.n_with_coreferent, a.missed_links) == (
        "a",
        3,
        1,
        3,
        3,
    )
    assert a.false_merge_rate == pytest.approx(1 / 3)
    assert a.missed_link_rate == 1.0
    assert (b.group, b.n, b.false_merges, b.n_with_coreferent, b.missed_links) == (
        "b",
        3,
        3,
        2,
        0,
    )
    assert b.false_merge_rate == 1.0
    assert b.missed_link_rate == 0.0


def test_disparity_by_hand() -> None:
    report = evaluate(assignment_rows(PRED), truth_rows(TRUE, side=SIDE), min_group_size=1)
    fm, ml = _by(report.groups, "side").disparity
    assert fm.rate == "false_merge_rate"
    assert (fm.worst_group, fm.best_group, fm.eligible_groups) == ("b", "a", 2)
    assert fm.worst_to_best == pytest.approx(3.0)
    assert fm.all_rate == pytest.approx(4 / 6)
    assert fm.worst_to_all == pytest.approx(1.5)
    # Best missed-link rate is 0: the ratio is undefined, the comparison to all is not.
    assert (ml.worst_group, ml.best_group) == ("a", "b")
    assert ml.worst_to_best is None
    assert ml.worst_to_all == pytest.approx(1 / (3 / 5))


def test_disparity_counts_only_groups_of_min_size() -> None:
    # 100 records in "big" (half of them merged in pairs), 10 in "small" (all merged).
    true = [f"p{i}" for i in range(110)]
    pred = [500 + i // 2 if i < 50 else i for i in range(100)] + [1000] * 10
    side = ["big"] * 100 + ["small"] * 10
    report = evaluate(assignment_rows(pred), truth_rows(true, side=side))
    fm = _by(report.groups, "side").disparity[0]
    assert fm.min_group_size == 100
    assert fm.eligible_groups == 1
    assert fm.worst_group == fm.best_group == "big"
    assert fm.worst_to_best is None  # one group: nothing to compare with
    assert fm.worst_rate == 0.5
    assert fm.worst_to_all == pytest.approx(0.5 / (60 / 110))
    small = _by(report.groups, "side").groups[1]
    assert (small.group, small.n, small.false_merge_rate) == ("small", 10, 1.0)


def test_missing_group_values_are_shown_but_not_compared() -> None:
    true = ["A", "A", "B", "B"]
    pred = [1, 1, 1, 2]
    truth = truth_rows(true, side=["x", "x", "y", "y"])
    truth[3].groups.clear()
    report = evaluate(assignment_rows(pred), truth, min_group_size=1)
    side = _by(report.groups, "side")
    assert [g.group for g in side.groups] == ["x", "y", "(none)"]
    assert side.groups[2].n == 1
    assert side.disparity[0].eligible_groups == 2


def test_by_selects_and_orders_group_columns() -> None:
    truth = truth_rows(TRUE, side=SIDE, colour=["r"] * 6)
    report = evaluate(assignment_rows(PRED), truth, by=["colour"])
    assert [g.column for g in report.groups] == ["colour"]
    with pytest.raises(EvaluationInputError, match=r"no group 'shoe'.*side, colour"):
        evaluate(assignment_rows(PRED), truth, by=["shoe"])


def test_numeric_labels_sort_as_numbers() -> None:
    truth = truth_rows(range(12), n=[str(i) for i in range(12)])
    report = evaluate(assignment_rows(range(12)), truth)
    assert [g.group for g in report.groups[0].groups] == [str(i) for i in range(12)]


def _merged_pairs(n_people: int, n_merged: int, start: int) -> tuple[list[str], list[str]]:
    """``n_people`` people of one record each, numbered from ``start``; the first
    ``n_merged`` of them (an even number) put in pairs with each other by mistake."""
    true = [f"p{start + i}" for i in range(n_people)]
    pred = [f"m{start + i // 2}" if i < n_merged else f"s{start + i}" for i in range(n_people)]
    return true, pred


def _two_sides(n_people: int, merged_a: int, merged_b: int) -> GroupBreakdown:
    """Groups "a" and "b" of ``n_people`` people each (one record apiece), with the first
    ``merged_a`` and ``merged_b`` of them merged in pairs by mistake: the "side" breakdown."""
    true_a, pred_a = _merged_pairs(n_people, merged_a, 0)
    true_b, pred_b = _merged_pairs(n_people, merged_b, n_people * 10)
    side = ["a"] * n_people + ["b"] * n_people
    report = evaluate(assignment_rows(pred_a + pred_b), truth_rows(true_a + true_b, side=side))
    return _by(report.groups, "side")


def test_intervals_hold_the_rate_and_separate_a_clear_disparity() -> None:
    # 2,000 people in "a" with 10% merged in pairs, 2,000 in "b" with 1%.
    side = _two_sides(2000, 200, 20)
    a, b = side.groups
    for group, rate in ((a, 0.10), (b, 0.01)):
        assert group.false_merge_rate == pytest.approx(rate)
        assert group.false_merge_interval is not None
        low, high = group.false_merge_interval
        assert low < rate < high
        assert high - low < rate  # 200 or 20 errors: not all chance
    fm = side.disparity[0]
    assert fm.worst_to_best == pytest.approx(10.0)
    assert fm.worst_to_best_interval is not None
    ratio_low, ratio_high = fm.worst_to_best_interval
    assert ratio_high is not None
    assert 1.5 < ratio_low < 10.0 < ratio_high
    # the same input, the same intervals (test_properties shuffles and relabels)
    assert _two_sides(2000, 200, 20).disparity == side.disparity


def test_a_ratio_resting_on_one_error_is_unbounded_above() -> None:
    # "b" has one false merge (one pair, two records): in about one resample in seven
    # (e^-2) neither person is drawn, its rate is 0 and the ratio has no upper bound.
    fm = _two_sides(500, 100, 2).disparity[0]
    assert fm.worst_to_best == pytest.approx(50.0)
    assert fm.worst_to_best_interval is not None
    assert fm.worst_to_best_interval[1] is None


def test_intervals_resample_people_with_all_their_records() -> None:
    # One person's 20 records are merged with another person's one record; 79 other
    # people are right. The 21 false merges are two people's: drawing neither of them (as
    # about one resample in seven does, e^-2) leaves no error at all. Resampling records
    # one by one would put the interval near 21%.
    true = ["big"] * 20 + ["small"] + [f"p{i}" for i in range(79)]
    pred = ["m"] * 21 + [f"s{i}" for i in range(79)]
    report = evaluate(assignment_rows(pred), truth_rows(true))
    assert report.overall.false_merge_rate == pytest.approx(0.21)
    assert report.overall.false_merge_interval is not None
    low, high = report.overall.false_merge_interval
    assert low == 0.0
    assert high > 0.3


def test_a_rate_of_no_error_gets_the_exact_bound_over_its_people() -> None:
    # Every resample of a group with no error repeats 0; the interval is the exact
    # binomial one over its 100 people instead: no error among 100 leaves up to 3.6%.
    b = _two_sides(100, 20, 0).groups[1]
    assert b.false_merge_rate == 0.0
    assert b.false_merge_interval == pytest.approx((0.0, 1 - 0.025 ** (1 / 100)))


def test_many_groups_are_counted_without_a_dense_table(monkeypatch: pytest.MonkeyPatch) -> None:
    # A column of many values takes the per-resample path; it must give what the dense
    # table gives.
    import linkwise.evaluate.subgroups as subgroups

    true_a, pred_a = _merged_pairs(600, 60, 0)
    labels = [str(i % 37) for i in range(600)]
    dense = evaluate(assignment_rows(pred_a), truth_rows(true_a, side=labels), min_group_size=1)
    monkeypatch.setattr(subgroups, "_DENSE_CELLS", 0)
    counted = evaluate(assignment_rows(pred_a), truth_rows(true_a, side=labels), min_group_size=1)
    assert counted.groups == dense.groups


def test_a_clear_disparity_is_beyond_chance() -> None:
    # 10% against 1% over 2,000 people each: shuffling the groups among people evens
    # the rates out, and no shuffle comes near 10x.
    fm = _two_sides(2000, 200, 20).disparity[0]
    assert fm.chance_share == 0.0
    assert fm.chance_ratio is not None
    assert 1.0 < fm.chance_ratio < 1.5


def _equal_groups(n_groups: int) -> GroupBreakdown:
    """``n_groups`` groups of 200 people of one record each, the first 10 people of each
    merged in pairs: every group has the same false-merge rate, 5%."""
    true: list[str] = []
    pred: list[str] = []
    side: list[str] = []
    for g in range(n_groups):
        t, p = _merged_pairs(200, 10, g * 1000)
        true += t
        pred += p
        side += [f"g{g}"] * 200
    report = evaluate(assignment_rows(pred), truth_rows(true, side=side))
    return _by(report.groups, "side")


def test_chance_alone_makes_many_equal_groups_look_uneven() -> None:
    # Equal rates measure a ratio of exactly 1, which every shuffle reaches; and the
    # highest of more groups' rates over the lowest lies further from 1 by chance.
    two, ten = (_equal_groups(n).disparity[0] for n in (2, 10))
    for fm in (two, ten):
        assert fm.worst_to_best == pytest.approx(1.0)
        assert fm.chance_share == 1.0
    assert two.chance_ratio is not None
    assert ten.chance_ratio is not None
    assert 1.0 < two.chance_ratio < ten.chance_ratio
    assert ten.chance_ratio > 2.0  # 10 errors a group: a target of 1.5 is out of reach


def test_chance_shuffles_a_persons_records_together() -> None:
    # In each of two groups one person's 20 records are merged with another person's one
    # record; 179 more people of one record each are right. The rates are equal, but the
    # errors are four people's: a shuffle that puts both large people in one group leaves
    # the other with at most 2 errors. Record by record, 42 errors among 400 records would
    # rarely part further than 1.5x.
    true: list[str] = []
    pred: list[str] = []
    side: list[str] = []
    for g in ("a", "b"):
        true += [f"{g}big"] * 20 + [f"{g}small"] + [f"{g}{i}" for i in range(179)]
        pred += [f"{g}m"] * 21 + [f"{g}s{i}" for i in range(179)]
        side += [g] * 200
    report = evaluate(assignment_rows(pred), truth_rows(true, side=side))
    fm = _by(report.groups, "side").disparity[0]
    assert fm.worst_to_best == pytest.approx(1.0)
    assert fm.chance_ratio is None or fm.chance_ratio > 5.0


def test_chance_is_measured_on_the_records_each_rate_counts() -> None:
    # Missed links count only records with a co-referent. Group "a" has 100 pairs and 800
    # people alone in the truth, "c" 100 pairs; "a" misses the links of 20 pairs (20%), "c"
    # of 2 (2%): 10x, which shuffles rarely reach. Counting "a"'s lone records as well
    # would make the two rates look equal (4% and 2%) and most shuffles as uneven.
    true = [f"a{i // 2}" for i in range(200)] + [f"lone{i}" for i in range(800)]
    true += [f"c{i // 2}" for i in range(200)]
    pred = [f"x{i}" if i < 40 else t for i, t in enumerate(true[:200])] + true[200:1000]
    pred += [f"y{i}" if i < 4 else t for i, t in enumerate(true[1000:])]
    side = ["a"] * 1000 + ["c"] * 200
    ml = _by(evaluate(assignment_rows(pred), truth_rows(true, side=side)).groups, "side")
    missed = ml.disparity[1]
    assert missed.worst_to_best == pytest.approx(10.0)
    assert missed.chance_share is not None
    assert missed.chance_share < 0.05


def test_no_ratio_no_chance_reference() -> None:
    fm = _two_sides(500, 100, 0).disparity[0]  # "b" has no error: no ratio to it
    assert fm.worst_to_best is None
    assert fm.chance_ratio is None
    assert fm.chance_share is None
