"""Entity-resolution evaluation: how good a clustering is, for whom, and how honest its scores.

The product's own evaluator (a services-layer package: it reads only ``linkwise.model`` and
``linkwise.normalize``). Given a predicted clustering (``Assignment`` rows) and the truth
(``Truth`` rows), ``evaluate`` reports pairwise and B-cubed precision/recall/F1, per-record
false-merge and missed-link rates broken down by group with their disparity, and, given
scored pairs, calibration. Definitions are in ``docs/evaluate.md`` and in each module.
"""

from __future__ import annotations

from linkwise.evaluate.builtin import BUILTIN_GROUPS, RecordFields, builtin_groups
from linkwise.evaluate.calibration import Calibration, ReliabilityBin, ScoredPair, calibration
from linkwise.evaluate.clusters import BCubedScores, PairwiseScores
from linkwise.evaluate.csvfiles import read_assignments_csv, read_truth_csv
from linkwise.evaluate.errors import EvaluationInputError
from linkwise.evaluate.evaluation import DEFAULT_MIN_GROUP_SIZE, evaluate
from linkwise.evaluate.html import render_html
from linkwise.evaluate.report import Blocking, Counts, EvaluationReport
from linkwise.evaluate.rows import Assignment, Key, Truth
from linkwise.evaluate.subgroups import NO_VALUE, Disparity, GroupBreakdown, GroupRates

__all__ = [
    "BUILTIN_GROUPS",
    "DEFAULT_MIN_GROUP_SIZE",
    "NO_VALUE",
    "Assignment",
    "BCubedScores",
    "Blocking",
    "Calibration",
    "Counts",
    "Disparity",
    "EvaluationInputError",
    "EvaluationReport",
    "GroupBreakdown",
    "GroupRates",
    "Key",
    "PairwiseScores",
    "RecordFields",
    "ReliabilityBin",
    "ScoredPair",
    "Truth",
    "builtin_groups",
    "calibration",
    "evaluate",
    "read_assignments_csv",
    "read_truth_csv",
    "render_html",
]
