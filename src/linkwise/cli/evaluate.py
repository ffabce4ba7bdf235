"""`linkwise evaluate`: measured error rates, overall and by group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from linkwise.cli.common import DbOpt, WorkspaceOpt, console, fail, open_workspace
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
        json_out.write_text(report.to_json(indent=2), encoding="utf-8")
    if html_out:
        html_out.write_text(render_html(report), encoding="utf-8")


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
    overall = data["overall"]
    console.print(
        f"all records: false merges {_pct(overall.get('false_merge_rate'))}, "
        f"missed links {_pct(overall.get('missed_link_rate'))}"
    )
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
        t = Table(title=f"by {group['column']}")
        for col in ("group", "records", "false merges", "missed links"):
            t.add_column(col, justify="right" if col != "group" else "left")
        for g in group["groups"]:
            t.add_row(
                str(g["group"]),
                str(g["n"]),
                _pct(g.get("false_merge_rate")),
                _pct(g.get("missed_link_rate")),
            )
        console.print(t)


def _pct(value: object) -> str:
    return "-" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]
