"""Pairwise and B-cubed scores of a clustering, from cluster sizes alone.

A million records hold up to half a trillion pairs, so pairs are never listed. Every score
here follows from the contingency table ``n[i, j]`` = number of records in predicted
cluster ``i`` and true cluster ``j``: the pairs two records share in both clusterings are
``sum C(n[i, j], 2)``; the pairs inside predicted clusters ``sum C(a[i], 2)`` and inside true
clusters ``sum C(b[j], 2)``, where ``a`` and ``b`` are the table's margins (cluster sizes).
Only non-empty cells are built (one ``np.unique`` over the records), so the cost is
``O(n log n)`` whatever the number of clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linkwise.evaluate.align import Codes


@dataclass(frozen=True, slots=True)
class Contingency:
    """Per record: the size of its cell, of its predicted cluster and of its true cluster."""

    cell_sizes: Codes  # n[i, j] of each non-empty cell
    predicted_sizes: Codes  # a[i]
    true_sizes: Codes  # b[j]
    record_cell: Codes  # n[i(r), j(r)] per record
    record_predicted: Codes  # a[i(r)] per record
    record_true: Codes  # b[j(r)] per record

    @property
    def n_records(self) -> int:
        return int(self.record_cell.size)


def contingency(predicted: Codes, true: Codes) -> Contingency:
    """The table of two dense code arrays of equal length (codes from 0, no gaps)."""
    a = np.bincount(predicted).astype(np.int64)
    b = np.bincount(true).astype(np.int64)
    cell_of = predicted * np.int64(b.size) + true
    _, inverse, counts = np.unique(cell_of, return_inverse=True, return_counts=True)
    counts = counts.astype(np.int64)
    return Contingency(
        cell_sizes=counts,
        predicted_sizes=a,
        true_sizes=b,
        record_cell=counts[inverse.reshape(-1)],
        record_predicted=a[predicted],
        record_true=b[true],
    )


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    """Precision and recall over record pairs; ``None`` where a denominator is zero."""

    precision: float | None
    recall: float | None
    f1: float | None
    true_pairs: int  # pairs in the same true cluster
    predicted_pairs: int  # pairs in the same predicted cluster
    correct_pairs: int  # pairs in both


@dataclass(frozen=True, slots=True)
class BCubedScores:
    """Means over records of their cluster's precision and recall (Bagga & Baldwin 1998)."""

    precision: float
    recall: float
    f1: float | None


def f1_score(precision: float | None, recall: float | None) -> float | None:
    """Harmonic mean; None when either side is undefined, 0 when both are 0."""
    if precision is None or recall is None:
        return None
    total = precision + recall
    return 2.0 * precision * recall / total if total > 0 else 0.0


def _pairs(sizes: Codes) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def pairwise_scores(table: Contingency) -> PairwiseScores:
    correct = _pairs(table.cell_sizes)
    predicted = _pairs(table.predicted_sizes)
    true = _pairs(table.true_sizes)
    precision, recall = _ratio(correct, predicted), _ratio(correct, true)
    return PairwiseScores(
        precision=precision,
        recall=recall,
        f1=f1_score(precision, recall),
        true_pairs=true,
        predicted_pairs=predicted,
        correct_pairs=correct,
    )


def bcubed_scores(table: Contingency) -> BCubedScores:
    """A record's precision is ``n[i, j] / a[i]``, its recall ``n[i, j] / b[j]``.

    Each record counts itself, so both are always defined and a singleton prediction of a
    singleton truth scores 1.
    """
    cell = table.record_cell.astype(np.float64)
    precision = float((cell / table.record_predicted).mean())
    recall = float((cell / table.record_true).mean())
    return BCubedScores(precision, recall, f1_score(precision, recall))
