"""`linkwise resolve`, `judge`, `explain`, `entity show`, `entity why`, `entity export`,
`review list`. Every command that shows person data reads it through a governed session
(``--as USER --case ID``) and prints what the case may not see as visible markers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkwise.cli.common import (
    ActorOpt,
    CaseOpt,
    DbOpt,
    EngineOpt,
    ThresholdOpt,
    WorkspaceOpt,
    check_writable,
    console,
    err_console,
    fail,
    governed,
    open_workspace,
    styled,
)
from linkwise.cli.redaction import Redactions
from linkwise.govern.session import is_withheld

entity_app = typer.Typer(help="Resolved people (entities).", no_args_is_help=True)
review_app = typer.Typer(help="What resolution wants a human to look at.", no_args_is_help=True)


def resolve(
    full: Annotated[
        bool, typer.Option("--full", help="Re-run training and scoring over every record.")
    ] = False,
    threshold: Annotated[float | None, ThresholdOpt] = None,
    engine: EngineOpt = "duckdb",
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="Also train the model on records known to be one person: a CSV "
            "file,record_id,true_id as for `evaluate --truth`, `file` holding the source's "
            "name. Only a full run trains: once the workspace is resolved, add --full "
            "(a DuckDB run without it links new records only; Spark runs are always full).",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Resolve the workspace's current records into entities, honouring judgements."""

    def say(message: str) -> None:
        err_console.print(styled((message, "dim")), highlight=False)

    with open_workspace(workspace, db) as ws:
        outcome = ws.resolve(
            full=full, threshold=threshold, progress=say, engine=engine, labels=labels
        )
    table = Table(title=f"resolution run {outcome.run_id}")
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in (
        ("records", outcome.records),
        ("links stored", outcome.links),
        ("entities", outcome.entities),
        ("entity ids kept", outcome.kept_ids),
        ("entity ids new", outcome.new_ids),
        ("merges/splits redirected", outcome.redirects),
        ("generic values", outcome.generic),
        ("review items", outcome.review_items),
        *[(f"flag: {k}", v) for k, v in sorted(outcome.flags.items())],
        ("model version", outcome.model_version),
        *(
            [("labelled pairs from the file", outcome.labelled_pairs)]
            if outcome.labelled_pairs
            else []
        ),
        ("time (s)", f"{outcome.timings.get('total', 0):.1f}"),
        *(
            [("of which (s)", ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))]
            if (phases := {k: v for k, v in outcome.timings.items() if k != "total"})
            else []
        ),
    ):
        table.add_row(label, str(value))
    console.print(table)
    if not outcome.rules:  # an incremental run uses the full run's rules and counts none
        return
    rules = Table(title="blocking rules (pairs each adds)")
    rules.add_column("rule")
    rules.add_column("pairs", justify="right")
    rules.add_column("used")
    for name, pairs, kept in outcome.rules:
        rules.add_row(name, f"{pairs:,}", "yes" if kept else "no (too broad)")
    console.print(rules)


def _ref(text: str) -> tuple[str, str]:
    source, sep, key = text.partition(":")
    if not sep or not source or not key:
        fail(f"{text!r}: name a record as SOURCE:KEY")
    return source, key


def judge(
    left: Annotated[str, typer.Argument(help="First record, SOURCE:KEY.")],
    right: Annotated[str, typer.Argument(help="Second record, SOURCE:KEY.")],
    decision: Annotated[str, typer.Argument(help="same, different or unsure.")],
    rationale: Annotated[str, typer.Option(help="Why.")] = "",
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Record your judgement on two records; every later resolution honours it.

    The reviewer is the acting user (``--as``), and the judgement is audited in the case
    it is made for, like a judgement from the review queue."""
    with governed(workspace, db, actor, case) as session:
        made = session.judge(_ref(left), _ref(right), decision, rationale)
    console.print(
        f"judgement {made['id']} recorded by {made['reviewer']}: {left} {decision} {right}"
    )


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the governed result as JSON.")]


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))


@entity_app.command("show")
def entity_show(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    json_out: JsonOpt = False,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """An entity's records and the links between them, as the case may see them."""
    with governed(workspace, db, actor, case) as session:
        entity = session.entity(entity_id)
    if json_out:
        print_json(entity)
        return
    if entity["status"] != "active":
        targets = ", ".join(entity["redirected_to"]) or "nowhere (its records are gone)"
        console.print(f"{entity_id} was {entity['status']}; its records are now in {targets}")
        return
    red = Redactions()
    table = Table(title=f"entity {entity_id}")
    columns = ("given_name", "family_name", "dob", "address_line", "postcode", "phone")
    for col in (
        "record",
        "source",
        "key",
        "given",
        "family",
        "dob",
        "address",
        "postcode",
        "phone",
    ):
        table.add_column(col)
    for r in entity["records"]:
        table.add_row(
            str(r["record_id"]),
            r["source"],
            red.cell(r["source_key"]),
            *(red.cell(r["fields"].get(c)) for c in columns),
        )
    console.print(table)
    console.print(f"{len(entity['links'])} links between the records shown", highlight=False)
    red.legend(console)


@entity_app.command("export")
def entity_export(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")
    ] = None,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """An entity as a JSON document: every value, identifier, fact and link the case may
    use, and a marker for each one it may not."""
    if out is not None:  # before the read: a read is audited as a disclosure
        check_writable("--out", out)
    with governed(workspace, db, actor, case) as session:
        document = session.export_entity(entity_id)
    text = json.dumps(document, ensure_ascii=False, default=str, indent=2)
    if out is None:
        typer.echo(text)
        return
    try:
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:  # the read is audited already: say that it was
        fail(f"--out {out}: cannot write it ({exc.strerror or exc}); the read was audited")
    err_console.print(f"wrote entity {entity_id} to {out}", highlight=False)


@review_app.command("list")
def review_list(
    limit: Annotated[int, typer.Option(help="How many items.", min=1, max=500)] = 20,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """The review queue, most consequential first."""
    with governed(workspace, db, actor, case) as session:
        items = session.review_queue(limit)
    red = Redactions()
    table = Table(title="review queue")
    for col in ("kind", "records", "priority", "probability", "reason"):
        table.add_column(col)
    for item in items:
        names = Text(", ").join(
            Text.assemble(
                f"{r['record_id']} ",
                red.cell(r["fields"].get("given_name")),
                " ",
                red.cell(r["fields"].get("family_name")),
            )
            for r in item["records"]
        )
        probability = item["match_probability"]
        priority = item["priority"]
        table.add_row(
            item["kind"],
            names,
            red.cell(priority if is_withheld(priority) else f"{priority:.3f}"),
            red.cell(
                probability
                if is_withheld(probability) or probability is None
                else f"{probability:.0%}"
            ),
            red.cell(item["reason"]),
        )
    console.print(table)
    red.legend(console)


def explain(
    left: Annotated[str, typer.Argument(help="First record, SOURCE:KEY.")],
    right: Annotated[str, typer.Argument(help="Second record, SOURCE:KEY.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the waterfall as JSON.")] = False,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Why two records were linked: per-comparison weights and a plain sentence."""
    with governed(workspace, db, actor, case) as session:
        result = session.explain_pair(_ref(left), _ref(right))
    if json_out:
        print_json(result)
        return
    red = Redactions()
    if "withheld" in result:
        console.print(Text("Not explained: ").append(red.cell(result["withheld"])))
        red.legend(console)
        return
    console.print(result["sentence"], highlight=False)
    if not result["linked"]:
        return
    table = Table(title=f"{left} ~ {right}")
    for col in ("step", "level", "left", "right", "weight", "term frequency"):
        table.add_column(col, justify="right" if col in ("weight", "term frequency") else "left")
    for row in result["waterfall"]:
        withheld = row.get("withheld")
        table.add_row(
            row["description"] or row["name"],
            red.cell(withheld) if withheld else Text(row.get("label") or ""),
            red.cell(row.get("left")),
            red.cell(row.get("right")),
            "" if withheld else f"{row['weight']:+.2f}",
            "" if withheld else f"{row.get('tf_adjustment') or 0:+.2f}",
        )
    console.print(table)
    red.legend(console)


@entity_app.command("why")
def entity_why(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    why_not: Annotated[
        str | None, typer.Option("--why-not", help="SOURCE:KEY of a record outside it.")
    ] = None,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Why each record is in an entity (its path of links); why a named record is not."""
    with governed(workspace, db, actor, case) as session:
        result = session.explain_entity(entity_id, _ref(why_not) if why_not else None)
    red = Redactions()
    for item in result["records"]:
        name = Text.assemble((f"{item['source']}:", "bold"), red.cell(item["source_key"]))
        step = item["step"]
        if is_withheld(step):
            console.print(Text.assemble(name, f" (record {item['record_id']}): ", red.cell(step)))
            continue
        path = " → ".join(str(r) for r in item["path"])
        if step is None:
            reason = "the entity's first record"
        elif step.get("match_probability") is None:
            reason = f"joined record {step['joined_to']}: {step['sentence']}"
        else:
            reason = (
                f"joined record {step['joined_to']} ({step['match_probability']:.0%}): "
                f"{step['sentence']}"
            )
        console.print(Text.assemble(name, f" (record {item['record_id']}; path {path}): {reason}"))
    if "why_not" in result:
        console.print(
            Text.assemble((f"{why_not}", "bold"), " is not in it: ", red.cell(result["why_not"]))
        )
    red.legend(console)
