"""The evaluation result as one typed value, and its JSON form.

The JSON keeps the dataclass field order and nests the same way, so a key present in one
report is present in every report (``null`` where a value is undefined, never NaN), and
numbers are plain JSON numbers that any consumer can read.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

from linkwise.evaluate.calibration import Calibration
from linkwise.evaluate.clusters import BCubedScores, PairwiseScores
from linkwise.evaluate.subgroups import GroupBreakdown, GroupRates

FORMAT = "linkwise-evaluation/1"


@dataclass(frozen=True, slots=True)
class Blocking:
    """How many true matching pairs the blocking rules put up for scoring at all: a pair
    no rule generates is never compared, so ``recall`` caps pairwise recall."""

    true_pairs: int
    covered: int
    recall: float | None
    per_rule: dict[str, int]  # true pairs each rule generates on its own


@dataclass(frozen=True, slots=True)
class Counts:
    n_evaluated: int  # records in both the truth and the prediction
    n_truth: int
    n_prediction: int
    missing_from_prediction: int  # truth records the prediction does not place
    missing_from_truth: int  # predicted records the truth does not know
    n_true_clusters: int  # among evaluated records
    n_predicted_clusters: int  # among evaluated records


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    counts: Counts
    pairwise: PairwiseScores
    bcubed: BCubedScores
    overall: GroupRates  # false-merge and missed-link rates over all evaluated records
    groups: list[GroupBreakdown]
    calibration: Calibration | None  # only when scored pairs were given
    min_group_size: int
    blocking: Blocking | None = None  # only for a workspace whose rules are on record
    notes: list[str] = dataclasses.field(default_factory=list)  # what could not be measured
    format: str = FORMAT

    def to_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            **{
                f.name: _plain(getattr(self, f.name))
                for f in dataclasses.fields(self)
                if f.name != "format"
            },
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


def _plain(value: object) -> object:
    """JSON-ready copy: dataclasses to dicts, numpy scalars to int/float, non-finite refused."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"non-finite number {value} in an evaluation report")
        return float(value)
    raise TypeError(f"cannot put {type(value).__name__} in an evaluation report")
