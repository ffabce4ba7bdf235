"""``evaluate``: one call from a predicted clustering and its truth to a full report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from linkwise.evaluate.align import align
from linkwise.evaluate.builtin import RecordFields, builtin_groups
from linkwise.evaluate.calibration import ScoredPair, calibration
from linkwise.evaluate.clusters import bcubed_scores, contingency, pairwise_scores
from linkwise.evaluate.errors import EvaluationInputError
from linkwise.evaluate.report import Counts, EvaluationReport
from linkwise.evaluate.rows import Assignment, Truth
from linkwise.evaluate.subgroups import (
    NO_VALUE,
    breakdown,
    overall_rates,
    record_errors,
)

DEFAULT_MIN_GROUP_SIZE = 100


NO_FIELDS = (
    "no built-in groups (surname frequency, transliterated names, missing date of birth, "
    "swapped order): the records' fields were not given, as a dedupe output holds none; "
    "group columns in the truth are broken down"
)
NO_PAIRS = (
    "no calibration: no scored pairs were given, as a dedupe output holds none; evaluate the "
    "workspace for calibration"
)


def evaluate(
    assignments: Iterable[Assignment],
    truth: Iterable[Truth],
    *,
    fields: RecordFields | None = None,
    by: Sequence[str] | None = None,
    pairs: Iterable[ScoredPair] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    bins: int = 10,
) -> EvaluationReport:
    """Score ``assignments`` against ``truth`` on the records both hold.

    Group columns are the truth's group columns plus, when ``fields`` (record key -> canonical
    fields) is given, the built-in groups; ``by`` keeps only the named ones, in that order. A
    truth column named like a built-in group replaces it. ``pairs`` (scored record pairs) adds
    calibration.
    """
    truth = list(truth)
    aligned = align(assignments, truth)
    table = contingency(aligned.predicted, aligned.true)
    errors = record_errors(table, aligned.true, aligned.keys)

    labels = {
        column: [t.groups.get(column, NO_VALUE) for t in aligned.truth]
        for column in _truth_columns(truth)
    }
    if fields is not None:
        for name, values in builtin_groups(aligned.keys, fields).items():
            labels.setdefault(name, values)
    if by is not None:
        unknown = [c for c in by if c not in labels]
        if unknown:
            raise EvaluationInputError(
                f"no group {', '.join(map(repr, unknown))} (not a truth column, or empty in "
                "every row of the truth); available: "
                f"{', '.join(labels) or 'none (no truth group columns and no record fields)'}"
            )
        labels = {c: labels[c] for c in dict.fromkeys(by)}
    overall = overall_rates(errors)

    return EvaluationReport(
        counts=Counts(
            n_evaluated=table.n_records,
            n_truth=aligned.n_truth,
            n_prediction=aligned.n_prediction,
            missing_from_prediction=aligned.missing_from_prediction,
            missing_from_truth=aligned.missing_from_truth,
            n_true_clusters=int(table.true_sizes.size),
            n_predicted_clusters=int(table.predicted_sizes.size),
        ),
        pairwise=pairwise_scores(table),
        bcubed=bcubed_scores(table),
        overall=overall,
        groups=[breakdown(c, v, errors, min_group_size, overall) for c, v in labels.items()],
        calibration=calibration(pairs, truth, bins) if pairs is not None else None,
        min_group_size=min_group_size,
        notes=[
            *([NO_FIELDS] if fields is None else []),
            *([NO_PAIRS] if pairs is None else []),
        ],
    )


def _truth_columns(truth: list[Truth]) -> list[str]:
    """Group columns in the order they first appear (a blank value leaves a row's out)."""
    return list(dict.fromkeys(c for t in truth for c in t.groups))
