"""Pairwise and B-cubed scores on clusterings small enough to count by hand."""

from __future__ import annotations

import pytest

from linkwise.evaluate import Assignment, EvaluationInputError, Truth, evaluate
from tests.evaluate.helpers import assignment_rows, key, truth_rows

# Truth A={0,1,2} B={3,4} C={5}; prediction X={0,1} Y={2,3,4,5}.
TRUE = ["A", "A", "A", "B", "B", "C"]
PRED = ["X", "X", "Y", "Y", "Y", "Y"]


def test_pairwise_by_hand() -> None:
    p = evaluate(assignment_rows(PRED), truth_rows(TRUE)).pairwise
    # true pairs 3 + 1; predicted 1 + 6; shared: (0,1) and (3,4)
    assert (p.true_pairs, p.predicted_pairs, p.correct_pairs) == (4, 7, 2)
    assert p.precision == pytest.approx(2 / 7)
    assert p.recall == pytest.approx(1 / 2)
    assert p.f1 == pytest.approx(4 / 11)


def test_bcubed_by_hand() -> None:
    b = evaluate(assignment_rows(PRED), truth_rows(TRUE)).bcubed
    # per record precision 1, 1, 1/4, 2/4, 2/4, 1/4; recall 2/3, 2/3, 1/3, 1, 1, 1
    assert b.precision == pytest.approx(7 / 12)
    assert b.recall == pytest.approx(7 / 9)
    assert b.f1 == pytest.approx(2 / 3)


def test_cluster_counts() -> None:
    c = evaluate(assignment_rows(PRED), truth_rows(TRUE)).counts
    assert (c.n_true_clusters, c.n_predicted_clusters, c.n_evaluated) == (3, 2, 6)


def test_all_singletons_predicted() -> None:
    report = evaluate(assignment_rows(range(6)), truth_rows(TRUE))
    p, b = report.pairwise, report.bcubed
    assert p.predicted_pairs == 0
    assert p.precision is None  # no predicted pair: precision undefined, not 1 or 0
    assert p.recall == 0.0
    assert p.f1 is None
    assert b.precision == 1.0
    assert b.recall == pytest.approx((1 / 3 * 3 + 1 / 2 * 2 + 1) / 6)
    assert report.overall.false_merge_rate == 0.0
    assert report.overall.missed_link_rate == 1.0


def test_all_singletons_in_truth_and_prediction() -> None:
    report = evaluate(assignment_rows(range(4)), truth_rows(range(4)))
    assert report.pairwise.precision is None
    assert report.pairwise.recall is None
    assert report.bcubed.precision == report.bcubed.recall == 1.0
    assert report.overall.n_with_coreferent == 0
    assert report.overall.missed_link_rate is None


def test_one_big_cluster() -> None:
    report = evaluate(assignment_rows([0] * 6), truth_rows(TRUE))
    p, b = report.pairwise, report.bcubed
    assert p.predicted_pairs == 15
    assert p.precision == pytest.approx(4 / 15)
    assert p.recall == 1.0
    assert b.recall == 1.0
    assert b.precision == pytest.approx((3 * 3 / 6 + 2 * 2 / 6 + 1 / 6) / 6)
    assert report.overall.false_merge_rate == 1.0
    assert report.overall.missed_link_rate == 0.0


def test_perfect_prediction() -> None:
    report = evaluate(assignment_rows(TRUE), truth_rows(TRUE))
    assert report.pairwise.precision == report.pairwise.recall == report.pairwise.f1 == 1.0
    assert report.bcubed.precision == report.bcubed.recall == report.bcubed.f1 == 1.0
    assert report.overall.false_merges == report.overall.missed_links == 0


def test_missing_records_are_left_out_and_counted() -> None:
    truth = truth_rows(TRUE)
    predicted = [*assignment_rows(PRED)[:4], Assignment(key(99), "eX"), Assignment(key(98), "eZ")]
    report = evaluate(predicted, truth)
    c = report.counts
    assert (c.n_truth, c.n_prediction, c.n_evaluated) == (6, 6, 4)
    assert (c.missing_from_prediction, c.missing_from_truth) == (2, 2)
    # Scored on records 0-3 only: truth A={0,1,2} B={3}; prediction X={0,1} Y={2,3}.
    assert report.pairwise.true_pairs == 3
    assert report.pairwise.predicted_pairs == 2
    assert report.pairwise.correct_pairs == 1


def test_same_id_in_two_files_is_two_records() -> None:
    truth = [Truth(("a.csv", "1"), "p"), Truth(("b.csv", "1"), "p")]
    predicted = [Assignment(("a.csv", "1"), "e"), Assignment(("b.csv", "1"), "e")]
    assert evaluate(predicted, truth).pairwise.correct_pairs == 1


def test_no_overlap_is_an_error_that_shows_both_namings() -> None:
    truth = [Truth(("court", "1"), "p")]
    predicted = [Assignment(("court.csv", "1"), "e")]
    with pytest.raises(EvaluationInputError, match=r"no record is in both.*court\.csv"):
        evaluate(predicted, truth)


def test_duplicate_keys_in_memory_are_errors() -> None:
    with pytest.raises(EvaluationInputError, match="more than once"):
        evaluate(assignment_rows([1, 1]) + assignment_rows([1]), truth_rows([1, 1]))
    with pytest.raises(EvaluationInputError, match="more than once"):
        evaluate(assignment_rows([1, 1]), truth_rows([1, 1]) + truth_rows([2]))
