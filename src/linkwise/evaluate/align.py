"""Pairing a prediction with the truth: the records both know, as integer cluster codes.

Scoring runs on the intersection. A record the truth lacks cannot be judged, and a truth
record the prediction lacks was never resolved; counting either as a singleton would
reward or punish the resolver for input it did not see. Both counts are reported instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from linkwise.evaluate.errors import EvaluationInputError
from linkwise.evaluate.rows import Assignment, Key, Truth

Codes = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Aligned:
    """The evaluated records in truth order, with dense codes for their clusters."""

    truth: list[Truth]
    predicted: Codes  # predicted cluster of each evaluated record, 0..n_predicted_clusters-1
    true: Codes  # true cluster of each evaluated record, 0..n_true_clusters-1
    n_truth: int
    n_prediction: int
    missing_from_prediction: int  # truth records the prediction does not place
    missing_from_truth: int  # predicted records the truth does not know

    @property
    def keys(self) -> list[Key]:
        return [t.key for t in self.truth]


def align(assignments: Iterable[Assignment], truth: Iterable[Truth]) -> Aligned:
    entity_of: dict[Key, str] = {}
    for a in assignments:
        if a.key in entity_of:
            raise EvaluationInputError(f"the prediction places record {a.key} more than once")
        entity_of[a.key] = a.entity_id
    seen: set[Key] = set()
    kept: list[Truth] = []
    predicted: list[int] = []
    true: list[int] = []
    pred_codes: dict[str, int] = {}
    true_codes: dict[str, int] = {}
    n_truth = 0
    for t in truth:
        if t.key in seen:
            raise EvaluationInputError(f"the truth lists record {t.key} more than once")
        seen.add(t.key)
        n_truth += 1
        entity = entity_of.get(t.key)
        if entity is None:
            continue
        kept.append(t)
        predicted.append(pred_codes.setdefault(entity, len(pred_codes)))
        true.append(true_codes.setdefault(t.true_id, len(true_codes)))
    if not kept:
        raise EvaluationInputError(
            f"no record is in both the prediction ({len(entity_of)} records) and the truth "
            f"({n_truth} records); check that both name records the same way "
            f"(e.g. prediction {_sample(entity_of)}, truth {_sample(seen)})"
        )
    return Aligned(
        truth=kept,
        predicted=np.asarray(predicted, dtype=np.int64),
        true=np.asarray(true, dtype=np.int64),
        n_truth=n_truth,
        n_prediction=len(entity_of),
        missing_from_prediction=n_truth - len(kept),
        missing_from_truth=len(entity_of) - len(kept),
    )


def _sample(keys: Iterable[Key]) -> str:
    return str(next(iter(keys), "none"))
