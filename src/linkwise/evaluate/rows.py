"""The evaluator's input rows: a predicted clustering and the truth it is scored against.

A record is named by ``(file or source, record id)`` because that is what both the dedupe
output contract and the demo world's ``truth.csv`` locate a record by; nothing else about
the record is needed to score a clustering.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Assignment:
    """One record's predicted entity; ``confidence`` is the dedupe contract's column.

    The confidence is carried for display only: it describes a cluster's weakest link, not
    the probability that this record is placed correctly, so no calibration is derived from
    it (calibration needs scored pairs).
    """

    key: Key
    entity_id: str
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Truth:
    """One record's true person, with the values of any group columns (e.g. ``origin``)."""

    key: Key
    true_id: str
    groups: dict[str, str] = field(default_factory=dict)
