"""Scoring extraction against known mentions: exact spans, per mention type.

A predicted mention counts as right when its type, start and end equal a true mention's.
Dates are also scored by role (``date:dob``, ``date:event``): a date with the right span but
the wrong role is right as a date and wrong as a role.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

Span = tuple[str, str, int, int]
"""(document, type, start, end)"""


def keys(doc: str, mentions: Iterable[object]) -> set[Span]:
    out: set[Span] = set()
    for m in mentions:
        kind = m.type
        start, end = m.start, m.end
        out.add((doc, kind, start, end))
        if kind == "date":
            out.add((doc, f"date:{m.role}", start, end))
    return out


class Score:
    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def add(self, predicted: set[Span], truth: set[Span]) -> None:
        for s in predicted & truth:
            self.tp[s[1]] += 1
        for s in predicted - truth:
            self.fp[s[1]] += 1
        for s in truth - predicted:
            self.fn[s[1]] += 1

    def count(self, predicted: Counter[tuple[str, str]], truth: Counter[tuple[str, str]]) -> None:
        """Score (type, text) mentions of one document, each as often as it is written."""
        for key in predicted.keys() | truth.keys():
            hit = min(predicted[key], truth[key])
            self.tp[key[0]] += hit
            self.fp[key[0]] += predicted[key] - hit
            self.fn[key[0]] += truth[key] - hit

    def rows(self) -> list[tuple[str, int, float, float, float]]:
        """(type, true mentions, precision, recall, F1) per type, sorted by type."""
        out = []
        for kind in sorted(set(self.tp) | set(self.fp) | set(self.fn)):
            tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out.append((kind, tp + fn, p, r, f))
        return out

    def table(self, title: str) -> str:
        lines = [title, f"{'type':<16}{'true':>7}{'precision':>11}{'recall':>8}{'F1':>7}"]
        for kind, n, p, r, f in self.rows():
            lines.append(f"{kind:<16}{n:>7}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
        return "\n".join(lines)
