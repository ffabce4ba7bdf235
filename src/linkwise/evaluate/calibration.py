"""Whether match probabilities mean what they say: reliability bins and expected calibration error.

A link shown as "0.9" should be right nine times in ten. That can only be checked on scored
pairs, each with the probability the resolver gave it, against whether the truth puts both
records on the same person. The dedupe output's ``confidence`` column cannot stand in: it is
the weakest link of a whole cluster, a different quantity from any one pair's probability.

Probabilities fall into ``bins`` equal-width bins ``[k/B, (k+1)/B)`` (the last one includes
1). ECE is ``sum_b (n_b / N) * |mean predicted_b - observed match rate_b|``: the gap
between claim and outcome, weighted by how many pairs make each claim.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from linkwise.evaluate.errors import EvaluationInputError
from linkwise.evaluate.rows import Key, Truth

ScoredPair = tuple[Key, Key, float]


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    lower: float
    upper: float
    count: int
    mean_predicted: float | None  # None for an empty bin
    observed_rate: float | None  # share of the bin's pairs that are true matches


@dataclass(frozen=True, slots=True)
class Calibration:
    ece: float | None  # None when no pair could be scored
    n_pairs: int  # pairs with both records in the truth
    pairs_not_in_truth: int  # pairs skipped because a record is not in the truth
    bins: list[ReliabilityBin]


def calibration(pairs: Iterable[ScoredPair], truth: Iterable[Truth], bins: int = 10) -> Calibration:
    """Reliability of ``pairs`` (each counted as given: list a pair once) against ``truth``."""
    if bins < 1:
        raise EvaluationInputError(f"the number of bins must be at least 1, not {bins}")
    true_id = {t.key: t.true_id for t in truth}
    count = [0] * bins
    predicted = [0.0] * bins
    matches = [0] * bins
    skipped = 0
    for n, (left, right, probability) in enumerate(pairs, start=1):
        p = _probability(probability, n)
        if left == right:
            raise EvaluationInputError(f"scored pair {n} pairs record {left} with itself")
        left_id, right_id = true_id.get(left), true_id.get(right)
        if left_id is None or right_id is None:
            skipped += 1
            continue
        b = min(int(p * bins), bins - 1)
        count[b] += 1
        predicted[b] += p
        matches[b] += left_id == right_id
    total = sum(count)
    table = [
        ReliabilityBin(
            lower=b / bins,
            upper=(b + 1) / bins,
            count=count[b],
            mean_predicted=predicted[b] / count[b] if count[b] else None,
            observed_rate=matches[b] / count[b] if count[b] else None,
        )
        for b in range(bins)
    ]
    ece = (
        sum(abs(predicted[b] - matches[b]) for b in range(bins)) / total if total else None
    )  # n_b * |mean_b - rate_b| = |sum p - matches| in each bin
    return Calibration(ece=ece, n_pairs=total, pairs_not_in_truth=skipped, bins=table)


def _probability(value: float, n: int) -> float:
    """``value`` as a float in [0, 1]; strings such as "0.93" are read as numbers too."""
    try:
        p = float(value)
    except (TypeError, ValueError):
        p = math.nan
    if not 0.0 <= p <= 1.0:
        raise EvaluationInputError(
            f"scored pair {n} has match probability {value!r}; expected a number from 0 to 1"
        )
    return p
