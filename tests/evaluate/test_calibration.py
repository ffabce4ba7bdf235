"""Expected calibration error and reliability bins from scored pairs."""

from __future__ import annotations

import pytest

from linkwise.evaluate import EvaluationInputError, calibration, evaluate
from tests.evaluate.helpers import assignment_rows, key, truth_rows

TRUTH = truth_rows(["A", "A", "A", "B", "B", "C"])


def test_ece_by_hand() -> None:
    pairs = [
        (key(0), key(1), 0.95),  # match
        (key(0), key(2), 0.85),  # match
        (key(3), key(4), 0.91),  # match
        (key(2), key(3), 0.93),  # not a match
        (key(4), key(5), 0.15),  # not
        (key(1), key(5), 0.05),  # not
    ]
    cal = calibration(pairs, TRUTH)
    b = cal.bins
    assert [x.count for x in b] == [1, 1, 0, 0, 0, 0, 0, 0, 1, 3]
    assert b[9].mean_predicted == pytest.approx((0.95 + 0.91 + 0.93) / 3)
    assert b[9].observed_rate == pytest.approx(2 / 3)
    assert b[8].observed_rate == 1.0
    assert b[2].mean_predicted is None
    assert b[2].observed_rate is None
    expected = (
        3 * abs((0.95 + 0.91 + 0.93) / 3 - 2 / 3) + abs(0.85 - 1) + abs(0.15 - 0) + abs(0.05 - 0)
    ) / 6
    assert cal.ece == pytest.approx(expected)
    assert cal.n_pairs == 6


def test_perfectly_calibrated_is_zero() -> None:
    # four pairs at 0.5, two of them matches
    pairs = [(key(0), key(1), 0.5), (key(3), key(4), 0.5), (key(0), key(5), 0.5)]
    pairs.append((key(1), key(3), 0.5))
    assert calibration(pairs, TRUTH).ece == pytest.approx(0.0)


def test_bin_edges() -> None:
    pairs = [(key(0), key(1), 0.0), (key(0), key(2), 0.1), (key(1), key(2), 1.0)]
    cal = calibration(pairs, TRUTH, bins=10)
    assert [x.count for x in cal.bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert (cal.bins[0].lower, cal.bins[0].upper) == (0.0, 0.1)
    assert [x.count for x in calibration(pairs, TRUTH, bins=2).bins] == [2, 1]


def test_pairs_outside_the_truth_are_skipped_and_counted() -> None:
    cal = calibration([(key(0), key(1), 0.9), (key(0), key(99), 0.9)], TRUTH)
    assert (cal.n_pairs, cal.pairs_not_in_truth) == (1, 1)
    empty = calibration([(key(98), key(99), 0.9)], TRUTH)
    assert empty.ece is None
    assert empty.n_pairs == 0


@pytest.mark.parametrize("p", [-0.1, 1.01, float("nan"), "high"])
def test_bad_probability(p: object) -> None:
    with pytest.raises(EvaluationInputError, match="scored pair 1"):
        calibration([(key(0), key(1), p)], TRUTH)  # type: ignore[list-item]


def test_self_pair_and_bad_bins() -> None:
    with pytest.raises(EvaluationInputError, match="with itself"):
        calibration([(key(0), key(0), 0.9)], TRUTH)
    with pytest.raises(EvaluationInputError, match="bins"):
        calibration([], TRUTH, bins=0)


def test_evaluate_reports_calibration_only_with_pairs() -> None:
    predicted = assignment_rows([1, 1, 1, 2, 2, 3])
    assert evaluate(predicted, TRUTH).calibration is None
    with_pairs = evaluate(predicted, TRUTH, pairs=iter([(key(0), key(1), 0.7)]), bins=5)
    assert with_pairs.calibration is not None
    assert len(with_pairs.calibration.bins) == 5
    assert with_pairs.calibration.ece == pytest.approx(0.3)
