"""`linkwise evaluate`: measured error rates, overall and by group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from linkwise.cli.common import (
    DbOpt,
    WorkspaceOpt,
    check_writable,
    console,
    fail,
    open_workspace,
    styled,
)
from linkwise.evaluate import EvaluationInputError, EvaluationReport, render_html
from linkwise.workspace.evaluation import evaluate_file


def evaluate_command(
    truth: Annotated[Path, typer.Option(help="Truth CSV: file,record_id,true_id [+ groups].")],
    pred: Annotated[
        Path | None,
        typer.Option(help="A `linkwise dedupe` output to score (default: the workspace)."),
    ] = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Group column to break rates down by.")
    ] = None,
    tags: Annotated[
        Path | None, typer.Option(help="Record tags CSV (source,source_key,tags), optional.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write an HTML report.")] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Pairwise and B-cubed precision/recall/F1, calibration, and error rates by group."""
    if pred is not None and tags is not None:
        fail("--tags adds tags to a workspace's records; it does not apply to --pred")
    outputs = [(o, p) for o, p in (("--json", json_out), ("--html", html_out)) if p is not None]
    inputs = [(o, p) for o, p in (("--truth", truth), ("--pred", pred), ("--tags", tags)) if p]
    for option, path in outputs:
        check_writable(option, path)
        for other, given in [*inputs, *outputs]:
            if other != option and given.resolve() == path.resolve():
                fail(f"{option} {path} is also {other}: write the report to another file")
    try:
        if pred is not None:
            report = evaluate_file(pred, truth, by=by)
        else:
            with open_workspace(workspace, db) as ws:
                report = ws.evaluate(truth, by=by, tags=tags)
    except (EvaluationInputError, ValueError) as exc:
        fail(str(exc))
    render_report(report)
    if json_out:
        _write("--json", json_out, report.to_json(indent=2))
    if html_out:
        _write("--html", html_out, render_html(report))


def _write(option: str, path: Path, text: str) -> None:
    """Write ``text`` whole or not at all (a partial report is not left behind)."""
    part = path.with_name(path.name + ".part")
    try:
        part.write_text(text, encoding="utf-8")
        part.replace(path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        fail(f"{option} {path}: cannot write it ({exc.strerror or exc})")


def render_report(report: EvaluationReport) -> None:
    data: dict[str, Any] = report.to_dict()
    table = Table(title="resolution quality")
    table.add_column("measure")
    table.add_column("precision", justify="right")
    table.add_column("recall", justify="right")
    table.add_column("F1", justify="right")
    for name in ("pairwise", "bcubed"):
        row = data[name]
        table.add_row(name, *(_pct(row.get(k)) for k in ("precision", "recall", "f1")))
    console.print(table)
    counts = data.get("counts") or {}
    if counts.get("missing_from_prediction") or counts.get("missing_from_truth"):
        console.print(
            styled(
                (f"scored the {counts.get('n_evaluated')} records in both:", "yellow"),
                f" {counts.get('missing_from_prediction')} of the truth's "
                f"{counts.get('n_truth')} are not in the prediction and "
                f"{counts.get('missing_from_truth')} of the prediction's "
                f"{counts.get('n_prediction')} are not in the truth",
            ),
            highlight=False,
        )
    overall = data["overall"]
    console.print(
        "all records: false merges "
        f"{_rate(overall.get('false_merge_rate'), overall.get('false_merge_interval'))}, "
        "missed links "
        f"{_rate(overall.get('missed_link_rate'), overall.get('missed_link_interval'))}"
    )
    for note in data.get("notes") or ():
        console.print(styled(("not measured:", "yellow"), f" {note}"), highlight=False)
    cal = data.get("calibration")
    if cal and cal.get("ece") is not None:
        # the mean gap between a bin's probability and its share of true pairs, weighted
        console.print(f"expected calibration error: {float(cal['ece']):.3f}")
    blocking = data.get("blocking")
    if blocking:
        console.print(
            f"blocking recall: {_pct(blocking.get('recall'))} of "
            f"{blocking['true_pairs']:,} true pairs are put up for scoring by some rule"
        )
    for group in data["groups"]:
        t = Table(title=f"by {group['column']} (95% intervals, resampling people)")
        for col in ("group", "records", "false merges", "missed links"):
            t.add_column(col, justify="right" if col != "group" else "left")
        for g in group["groups"]:
            t.add_row(
                str(g["group"]),
                str(g["n"]),
                _rate(g.get("false_merge_rate"), g.get("false_merge_interval")),
                _rate(g.get("missed_link_rate"), g.get("missed_link_interval")),
            )
        console.print(t)
        for d in group["disparity"]:
            line = _disparity(d)
            if line:
                console.print(line, soft_wrap=True)


def _rate(value: object, interval: list[float] | None) -> str:
    if value is None:
        return "-"
    if not interval:
        return _fine(value)
    return f"{_fine(value)} ({_fine(interval[0])}–{_fine(interval[1])})"


def _disparity(d: dict[str, Any]) -> str | None:
    """One line per rate: the worst group against the best, with the ratio's interval,
    against all records, and against what chance alone gives."""
    if d["worst_group"] is None or d["eligible_groups"] < 2:
        return None
    name = "false merges" if d["rate"] == "false_merge_rate" else "missed links"
    line = (
        f"{name}: worst {d['worst_group']} {_fine(d['worst_rate'])}, "
        f"best {d['best_group']} {_fine(d['best_rate'])}"
    )
    ratio, interval = d["worst_to_best"], d["worst_to_best_interval"]
    to_all = "" if d["worst_to_all"] is None else f", {d['worst_to_all']:.2f}x all records"
    if ratio is None:
        return line + " (no ratio: the best rate is 0)" + to_all
    line += f": {ratio:.2f}x"
    if interval:
        high = "unbounded" if interval[1] is None else f"{interval[1]:.2f}x"
        line += f" (95% interval {interval[0]:.2f}x–{high})"
    return line + to_all + _chance(d)


def _chance(d: dict[str, Any]) -> str:
    """What the same errors give with the groups shuffled among people."""
    share = d.get("chance_share")
    if share is None:
        return ""
    median = d.get("chance_ratio")
    typical = "unbounded" if median is None else f"{median:.2f}x"
    return f"; by chance alone {typical}, as uneven in {share:.0%} of shuffles"


def _pct(value: object, digits: int = 1) -> str:
    return "-" if value is None else f"{float(value):.{digits}%}"  # type: ignore[arg-type]


def _fine(value: object) -> str:
    """An error rate: a tenth of a percent is often the whole rate."""
    return _pct(value, 2)
