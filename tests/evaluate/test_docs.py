"""docs/evaluate.md names every key a report can hold."""

from __future__ import annotations

import json
from pathlib import Path

from linkwise.evaluate import BUILTIN_GROUPS, evaluate
from tests.evaluate.helpers import assignment_rows, key, truth_rows

DOC = Path(__file__).resolve().parents[2] / "docs" / "evaluate.md"


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_every_report_key_and_builtin_group_is_documented() -> None:
    report = evaluate(
        assignment_rows([1, 1, 2]),
        truth_rows(["A", "B", "B"], side=["x", "y", "y"]),
        pairs=[(key(0), key(1), 0.5)],
    )
    text = DOC.read_text(encoding="utf-8")
    names = _keys(json.loads(report.to_json())) | set(BUILTIN_GROUPS)
    missing = sorted(k for k in names if f"`{k}`" not in text)
    assert not missing, f"undocumented in docs/evaluate.md: {missing}"
