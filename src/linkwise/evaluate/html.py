"""The evaluation report as one self-contained HTML page.

Deployments are often air-gapped and reports get mailed around, so the page loads nothing:
inline CSS, no script, and the reliability plot is SVG written here. Every piece of text
that came from data (file names, group labels) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from linkwise.evaluate.calibration import Calibration
from linkwise.evaluate.report import Blocking, EvaluationReport
from linkwise.evaluate.subgroups import Disparity, GroupBreakdown, GroupRates

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
  padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: .25rem .75rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
.note { color: #555; font-size: .9rem; }
"""


def render_html(report: EvaluationReport, title: str = "Entity-resolution evaluation") -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        _records(report),
        _notes(report.notes),
        _scores(report),
        _errors(report),
        *(_group(g) for g in report.groups),
        _calibration(report.calibration),
        _blocking(report.blocking),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _num(value: float | int | None, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], caption: str | None = None) -> str:
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table>{cap}<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _notes(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return f"<h2>Not measured</h2><ul>{items}</ul>"


def _records(report: EvaluationReport) -> str:
    c = report.counts
    rows = [
        ("evaluated (in both truth and prediction)", _num(c.n_evaluated)),
        ("in the truth", _num(c.n_truth)),
        ("in the prediction", _num(c.n_prediction)),
        ("truth records missing from the prediction", _num(c.missing_from_prediction)),
        ("predicted records missing from the truth", _num(c.missing_from_truth)),
        ("true entities", _num(c.n_true_clusters)),
        ("predicted clusters", _num(c.n_predicted_clusters)),
    ]
    return "<h2>Records</h2>" + _table(("", "count"), rows)


def _scores(report: EvaluationReport) -> str:
    p, b = report.pairwise, report.bcubed
    rows = [
        ("pairwise", _num(p.precision), _num(p.recall), _num(p.f1)),
        ("B-cubed", _num(b.precision), _num(b.recall), _num(b.f1)),
    ]
    note = (
        f'<p class="note">Pairs: {_num(p.true_pairs)} true, {_num(p.predicted_pairs)} '
        f"predicted, {_num(p.correct_pairs)} both.</p>"
    )
    return "<h2>Clustering</h2>" + _table(("metric", "precision", "recall", "F1"), rows) + note


_RATE_HEAD = (
    "group",
    "records",
    "with a co-referent",
    "false merges",
    "false-merge rate (95% interval)",
    "missed links",
    "missed-link rate (95% interval)",
)


def _rate_row(g: GroupRates) -> tuple[str, ...]:
    return (
        g.group,
        _num(g.n),
        _num(g.n_with_coreferent),
        _num(g.false_merges),
        _with_interval(g.false_merge_rate, g.false_merge_interval),
        _num(g.missed_links),
        _with_interval(g.missed_link_rate, g.missed_link_interval),
    )


def _with_interval(
    value: float | None, interval: tuple[float, float | None] | None, digits: int = 4
) -> str:
    """A rate or ratio with its 95% interval (an upper end of None is unbounded)."""
    if value is None or interval is None:
        return _num(value, digits)
    high = "unbounded" if interval[1] is None else _num(interval[1], digits)
    return f"{_num(value, digits)} ({_num(interval[0], digits)}–{high})"


def _errors(report: EvaluationReport) -> str:
    note = (
        "<p class=\"note\">A false merge: the record's cluster holds another person's record. "
        "A missed link: a record of the same person is outside the record's cluster (rate "
        "over records that have one).</p>"
    )
    return "<h2>Errors</h2>" + _table(_RATE_HEAD, [_rate_row(report.overall)]) + note


def _group(g: GroupBreakdown) -> str:
    return (
        f"<h2>By {escape(g.column)}</h2>"
        + _table(_RATE_HEAD, [_rate_row(r) for r in g.groups])
        + _disparity(g.disparity)
    )


def _disparity(rows: Sequence[Disparity]) -> str:
    if not rows:
        return ""
    body = [
        (
            d.rate.replace("_", " "),
            _num(d.eligible_groups),
            f"{d.worst_group} ({_num(d.worst_rate)})" if d.worst_group is not None else "n/a",
            f"{d.best_group} ({_num(d.best_rate)})" if d.best_group is not None else "n/a",
            _with_interval(d.worst_to_best, d.worst_to_best_interval, 2),
            _num(d.worst_to_all, 2),
            _chance(d),
        )
        for d in rows
    ]
    head = (
        "rate",
        "groups compared",
        "worst",
        "best",
        "worst ÷ best (95% interval)",
        "worst ÷ all records",
        "worst ÷ best by chance alone (shuffles as uneven)",
    )
    note = (
        f'<p class="note">Compared: groups of at least {rows[0].min_group_size} records '
        "(records with a co-referent, for missed links), other than (none). Intervals come "
        "from resampling people (all of a person's records together) 200 times: a ratio "
        "whose interval reaches 1 could be chance. The highest of several rates over the "
        "lowest exceeds 1 even when all groups share one rate, so each ratio is set beside "
        "the one the same errors give with the groups shuffled among people (the median of "
        "200 shuffles) and the share of shuffles at least as uneven: a ratio no larger than "
        "chance's is no sign of a disparity.</p>"
    )
    return _table(head, body, "Disparity") + note


def _chance(d: Disparity) -> str:
    if d.chance_share is None:
        return "n/a"
    typical = "unbounded" if d.chance_ratio is None else _num(d.chance_ratio, 2)
    return f"{typical} ({d.chance_share:.0%})"


def _blocking(blocking: Blocking | None) -> str:
    if blocking is None:
        return ""
    rows = [(name, _num(n)) for name, n in blocking.per_rule.items()]
    return (
        "<h2>Blocking recall</h2>"
        f"<p>{_num(blocking.covered)} of {_num(blocking.true_pairs)} true matching pairs are "
        f"generated by at least one blocking rule: recall {_num(blocking.recall)}. A pair no "
        "rule generates is never scored.</p>" + _table(("rule", "true pairs it generates"), rows)
    )


def _calibration(cal: Calibration | None) -> str:
    if cal is None:
        return ""
    rows = [
        (
            f"{b.lower:.2f}–{b.upper:.2f}",
            _num(b.count),
            _num(b.mean_predicted),
            _num(b.observed_rate),
        )
        for b in cal.bins
    ]
    return (
        "<h2>Calibration</h2>"
        f"<p>Expected calibration error: {_num(cal.ece)} over {_num(cal.n_pairs)} scored pairs "
        f"({_num(cal.pairs_not_in_truth)} skipped: a record not in the truth).</p>"
        + reliability_svg(cal)
        + _table(("bin", "pairs", "mean predicted", "observed match rate"), rows)
    )


def reliability_svg(cal: Calibration, size: int = 320) -> str:
    """Observed match rate against mean predicted probability per bin; the diagonal is ideal.

    Point area grows with the bin's share of pairs, so a bin of three pairs cannot look
    as convincing as one of thirty thousand.
    """
    left, top, pad = 48, 12, 40
    width, height = size + left + 12, size + top + pad

    def x(v: float) -> float:
        return left + v * size

    def y(v: float) -> float:
        return top + (1 - v) * size

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="rel-title">',
        '<title id="rel-title">Reliability: observed match rate by predicted probability</title>',
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#888"/>',
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#aaa" '
        'stroke-dasharray="4 4"/>',
    ]
    for i in range(6):
        v = i / 5
        out.append(
            f'<text x="{x(v):.1f}" y="{top + size + 16}" font-size="11" '
            f'text-anchor="middle">{v:.1f}</text>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{v:.1f}</text>'
        )
    out.append(
        f'<text x="{left + size / 2}" y="{height - 4}" font-size="12" text-anchor="middle">'
        "mean predicted probability</text>"
        f'<text x="12" y="{top + size / 2}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + size / 2})">observed match rate</text>'
    )
    points = [b for b in cal.bins if b.count and b.mean_predicted is not None]
    largest = max((b.count for b in points), default=1)
    if len(points) > 1:
        path = " ".join(
            f"{x(b.mean_predicted or 0):.1f},{y(b.observed_rate or 0):.1f}" for b in points
        )
        out.append(f'<polyline points="{path}" fill="none" stroke="#1f5fa8"/>')
    for b in points:
        r = 2.5 + 6 * (b.count / largest) ** 0.5
        out.append(
            f'<circle cx="{x(b.mean_predicted or 0):.1f}" cy="{y(b.observed_rate or 0):.1f}" '
            f'r="{r:.1f}" fill="#1f5fa8" fill-opacity="0.7"><title>'
            f"{b.lower:.2f}–{b.upper:.2f}: {b.count:,} pairs</title></circle>"
        )
    out.append("</svg>")
    return "\n".join(out)
