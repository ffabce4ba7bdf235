"""Charts as Vega-Lite specs built with Altair (DESIGN.md §7): the page puts the spec in a
``data-vega-spec`` attribute and the vendored vega-embed draws it, so no chart needs a CDN
and each one's numbers are also in the page as text.

``waterfall``: how a link's match weight is built, step by step. Each step is a bar from the
running total before it to the total after it (Splink's waterfall): the prior, then each
comparison's weight (its level's log2 Bayes factor plus the term-frequency adjustment), then
the final match weight. A comparison withheld in the case (its values may not be seen here)
is left out of the chart, since its bar would give its level away; the page says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt

GOOD = "#1c7a43"
BAD = "#b3261e"
NEUTRAL = "#5b6673"
FAINT = "#c4ccd4"


def waterfall_rows(contributions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The bars of the waterfall: step label, start and end of the running total, and the
    step's own weight. Rows without a weight (withheld) are skipped."""
    bars: list[dict[str, Any]] = []
    total = 0.0
    for order, row in enumerate(contributions):
        if row.get("withheld") or row.get("weight") is None:
            continue
        kind = row.get("kind", "comparison")
        weight = float(row.get("combined") or 0.0)
        if kind == "comparison" and row.get("combined") is None:
            weight = float(row.get("weight") or 0.0) + float(row.get("tf_adjustment") or 0.0)
        label = str(row.get("description") or row.get("name") or "")
        level = row.get("label") or ""
        if kind == "total":
            start, end, weight = 0.0, weight, weight
        else:
            start, end = total, total + weight
            total = end
        bars.append(
            {
                "order": order,
                "step": label,
                "level": level,
                "kind": kind,
                "start": round(start, 3),
                "end": round(end, 3),
                "weight": round(weight, 3),
                "tone": _tone(kind, weight),
            }
        )
    return bars


def _tone(kind: str, weight: float) -> str:
    if kind == "total":
        return "total"
    if abs(weight) < 0.005:
        return "none"
    return "up" if weight > 0 else "down"


def waterfall(contributions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A Vega-Lite spec of the waterfall (see the module docstring)."""
    rows = waterfall_rows(contributions)
    order = [r["step"] for r in rows]
    colour = alt.Color(
        "tone:N",
        scale=alt.Scale(domain=["up", "down", "none", "total"], range=[GOOD, BAD, FAINT, NEUTRAL]),
        legend=alt.Legend(
            title=None,
            orient="bottom",
            labelExpr=(
                "datum.label == 'up' ? 'makes a match more likely' : "
                "datum.label == 'down' ? 'makes a match less likely' : "
                "datum.label == 'none' ? 'not compared (a value missing)' : 'final match weight'"
            ),
        ),
    )
    base = alt.Chart(alt.InlineData(values=rows)).encode(
        y=alt.Y("step:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
    )
    bars = base.mark_bar(height=14).encode(
        x=alt.X("start:Q", title="match weight (log2 odds)"),
        x2="end:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("step:N", title="step"),
            alt.Tooltip("level:N", title="level"),
            alt.Tooltip("weight:Q", title="weight", format="+.2f"),
            alt.Tooltip("end:Q", title="running total", format="+.2f"),
        ],
    )
    labels = (
        base.mark_text(align="left", dx=4, fontSize=11)
        .encode(
            x=alt.X("max_end:Q"),
            text=alt.Text("weight:Q", format="+.2f"),
        )
        .transform_calculate(max_end="max(datum.start, datum.end)")
    )
    zero = alt.Chart(alt.InlineData(values=[{"x": 0}])).mark_rule(color="#8a96a3").encode(x="x:Q")
    chart = (bars + labels + zero).properties(
        width="container",
        height=max(60, 22 * len(rows)),
        title="How the match weight adds up",
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
