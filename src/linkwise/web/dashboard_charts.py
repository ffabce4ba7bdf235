"""Vega-Lite specs of the dashboard charts, built with Altair.

Each function takes the numbers the page also shows as a table (a chart is never the only
place a number is) and returns ``chart.to_dict()``: a plain, validated Vega-Lite spec with
its data inline, which the page hands to the vendored vega-embed through ``data-vega-spec``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from linkwise.evaluate import GroupBreakdown, ReliabilityBin
from linkwise.evaluate.subgroups import RateName

Spec = dict[str, Any]
WIDTH = 360
HEIGHT = 220
VERDICT_COLOURS = {"same": "#1c7a43", "different": "#b3261e", "unsure": "#8a5a00"}
RATES: tuple[RateName, ...] = ("false_merge_rate", "missed_link_rate")
RATE_LABELS = {"false_merge_rate": "false merges", "missed_link_rate": "missed links"}


def records_per_source(rows: Sequence[tuple[str, int]]) -> Spec:
    """Horizontal bars: current records of each source."""
    data = _data([{"source": name, "records": n} for name, n in rows])
    chart = (
        alt.Chart(data, title="Records per source")
        .mark_bar(color="#1f5fa8")
        .encode(
            x=alt.X("records:Q", title="current records"),
            y=alt.Y("source:N", sort="-x", title=None),
            tooltip=["source:N", alt.Tooltip("records:Q", format=",")],
        )
        .properties(width=WIDTH, height=alt.Step(22))
    )
    spec: Spec = chart.to_dict()
    return spec


def calibration(bins: Sequence[ReliabilityBin]) -> Spec:
    """Reliability diagram: mean predicted match probability against the observed match rate
    per bin (a point's size is its number of pairs), with the diagonal of perfect calibration."""
    points = [
        {
            "bin": f"{b.lower:.1f}–{b.upper:.1f}",
            "predicted": b.mean_predicted,
            "observed": b.observed_rate,
            "pairs": b.count,
        }
        for b in bins
        if b.count and b.mean_predicted is not None and b.observed_rate is not None
    ]
    diagonal = (
        alt.Chart(_data([{"p": 0.0}, {"p": 1.0}]))
        .mark_line(color="#8a96a3", strokeDash=[4, 4])
        .encode(x=alt.X("p:Q"), y=alt.Y("p:Q"))
    )
    axis = alt.Scale(domain=[0, 1])
    measured = (
        alt.Chart(_data(points))
        .mark_line(point=True, color="#1f5fa8")
        .encode(
            x=alt.X("predicted:Q", scale=axis, title="predicted match probability (bin mean)"),
            y=alt.Y("observed:Q", scale=axis, title="observed match rate"),
            size=alt.Size("pairs:Q", title="pairs", legend=None),
            tooltip=[
                "bin:N",
                alt.Tooltip("predicted:Q", format=".2f"),
                alt.Tooltip("observed:Q", format=".2f"),
                alt.Tooltip("pairs:Q", format=","),
            ],
        )
    )
    chart = alt.layer(diagonal, measured).properties(
        title="Calibration: does 0.9 mean right 9 times in 10?", width=WIDTH, height=WIDTH
    )
    spec: Spec = chart.to_dict()
    return spec


def group_rates(breakdown: GroupBreakdown) -> Spec:
    """False-merge and missed-link rate of each group of one column, side by side."""
    values = [
        {"group": g.group, "measure": RATE_LABELS[name], "rate": g.rate(name), "records": g.n}
        for g in breakdown.groups
        for name in RATES
        if g.rate(name) is not None
    ]
    order = [g.group for g in breakdown.groups]
    chart = (
        alt.Chart(_data(values), title=f"Error rates by {_label(breakdown.column)}")
        .mark_bar()
        .encode(
            x=alt.X("group:N", sort=order, title=_label(breakdown.column)),
            xOffset=alt.XOffset("measure:N"),
            y=alt.Y("rate:Q", title="share of records", axis=alt.Axis(format="%")),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(domain=list(RATE_LABELS.values()), range=["#b3261e", "#8a5a00"]),
            ),
            tooltip=[
                "group:N",
                "measure:N",
                alt.Tooltip("rate:Q", format=".1%"),
                alt.Tooltip("records:Q", format=","),
            ],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    spec: Spec = chart.to_dict()
    return spec


def judgements_per_day(per_day: Sequence[tuple[dt.date, Mapping[str, int]]]) -> Spec:
    """Stacked bars: judgements made each day, by verdict."""
    values = [
        {"day": day.isoformat(), "verdict": verdict, "judgements": n}
        for day, counts in per_day
        for verdict, n in counts.items()
    ]
    days = [day.isoformat() for day, _ in per_day]
    chart = (
        alt.Chart(_data(values), title="Judgements per day")
        .mark_bar()
        .encode(
            x=alt.X("day:O", sort=days, scale=alt.Scale(domain=days), title=None),
            y=alt.Y("judgements:Q", title="judgements", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "verdict:N",
                scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
            ),
            tooltip=["day:O", "verdict:N", "judgements:Q"],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    spec: Spec = chart.to_dict()
    return spec


def _data(values: list[dict[str, Any]]) -> Any:
    """Inline data (Altair's ``Data`` is untyped)."""
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _label(column: str) -> str:
    return column.replace("_", " ")
