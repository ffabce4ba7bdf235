"""Small builders for evaluator tests: clusterings written as lists of labels."""

from __future__ import annotations

from collections.abc import Sequence

from linkwise.evaluate import Assignment, Truth


def key(i: int, file: str = "f.csv") -> tuple[str, str]:
    return (file, str(i))


def truth_rows(labels: Sequence[object], **groups: Sequence[str]) -> list[Truth]:
    """Record ``i`` is person ``labels[i]``; each keyword is a group column's values."""
    return [
        Truth(key(i), str(label), {c: values[i] for c, values in groups.items()})
        for i, label in enumerate(labels)
    ]


def assignment_rows(labels: Sequence[object]) -> list[Assignment]:
    return [Assignment(key(i), f"e{label}", 1.0) for i, label in enumerate(labels)]
