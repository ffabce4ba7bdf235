"""`linkwise resolve`, `judge`, `entity show`, `review list`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from linkwise.cli.common import (
    DbOpt,
    EngineOpt,
    WorkspaceOpt,
    console,
    err_console,
    fail,
    open_workspace,
)

entity_app = typer.Typer(help="Resolved people (entities).", no_args_is_help=True)
review_app = typer.Typer(help="What resolution wants a human to look at.", no_args_is_help=True)


def resolve(
    full: Annotated[
        bool, typer.Option("--full", help="Re-run training and scoring over every record.")
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(help="Match probability at which records may join.", min=0, max=1),
    ] = None,
    engine: EngineOpt = "duckdb",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Resolve the workspace's current records into entities, honouring judgements."""

    def say(message: str) -> None:
        err_console.print(f"[dim]{message}[/]", highlight=False)

    with open_workspace(workspace, db) as ws:
        outcome = ws.resolve(full=full, threshold=threshold, progress=say, engine=engine)
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
        ("time (s)", f"{outcome.timings.get('total', 0):.1f}"),
    ):
        table.add_row(label, str(value))
    console.print(table)
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
    reviewer: Annotated[str, typer.Option(help="Who decides.")],
    rationale: Annotated[str, typer.Option(help="Why.")] = "",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Record a judgement on two records; every later resolution honours it."""
    from linkwise.workspace.resolution import ResolveError

    with open_workspace(workspace, db) as ws:
        try:
            number = ws.judge(_ref(left), _ref(right), decision, reviewer, rationale)
        except ResolveError as exc:
            fail(str(exc))
    console.print(f"judgement {number} recorded: {left} {decision} {right}")


@entity_app.command("show")
def entity_show(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """An entity's records and the links between them."""
    with open_workspace(workspace, db) as ws:
        entity = ws.entity(entity_id)
    if entity["status"] != "active":
        targets = ", ".join(entity["redirected_to"]) or "nowhere (its records are gone)"
        console.print(f"{entity_id} was {entity['status']}; its records are now in {targets}")
        return
    table = Table(title=f"entity {entity_id}")
    for col in ("source", "key", "given", "family", "dob", "address", "postcode", "phone"):
        table.add_column(col)
    for r in entity["records"]:
        table.add_row(
            r["source"],
            r["source_key"],
            r["given_name"] or "",
            r["family_name"] or "",
            r["dob"] or "",
            r["address_line"] or "",
            r["postcode"] or "",
            r["phone"] or "",
        )
    console.print(table)


@review_app.command("list")
def review_list(
    limit: Annotated[int, typer.Option(help="How many items.")] = 20,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """The review queue, most consequential first."""
    with open_workspace(workspace, db) as ws:
        items = ws.review_queue(limit)
    table = Table(title="review queue")
    for col in ("kind", "records", "priority", "reason"):
        table.add_column(col)
    for item in items:
        table.add_row(
            item["kind"],
            ", ".join(str(r) for r in item["record_ids"]),
            f"{item['priority']:.3f}",
            item["reason"],
        )
    console.print(table)


def explain(
    left: Annotated[str, typer.Argument(help="First record, SOURCE:KEY.")],
    right: Annotated[str, typer.Argument(help="Second record, SOURCE:KEY.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the waterfall as JSON.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Why two records were linked: per-comparison weights and a plain sentence."""
    with open_workspace(workspace, db) as ws:
        result = ws.explain_pair(_ref(left), _ref(right))
    if json_out:
        console.print_json(json.dumps(result, default=str))
        return
    console.print(result["sentence"], highlight=False)
    if not result["linked"]:
        return
    table = Table(title=f"{left} ~ {right}")
    for col in ("step", "level", "weight", "term frequency"):
        table.add_column(col, justify="right" if col in ("weight", "term frequency") else "left")
    for row in result["waterfall"]:
        table.add_row(
            row["description"] or row["name"],
            row.get("label") or "",
            f"{row['weight']:+.2f}",
            f"{row.get('tf_adjustment') or 0:+.2f}",
        )
    console.print(table)


@entity_app.command("why")
def entity_why(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    why_not: Annotated[
        str | None, typer.Option("--why-not", help="SOURCE:KEY of a record outside it.")
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Why each record is in an entity (its path of links); why a named record is not."""
    with open_workspace(workspace, db) as ws:
        result = ws.explain_entity(entity_id, _ref(why_not) if why_not else None)
    for item in result["records"]:
        path = " → ".join(str(r) for r in item["path"])
        step = item["step"]
        reason = (
            f"joined record {step['joined_to']} ({step['match_probability']:.0%}): "
            f"{step['sentence']}"
            if step
            else "the entity's first record"
        )
        console.print(
            f"[bold]{item['source']}:{item['source_key']}[/] (record {item['record_id']}; path "
            f"{path}): {reason}",
            highlight=False,
        )
    if "why_not" in result:
        console.print(f"[bold]{why_not}[/] is not in it: {result['why_not']}", highlight=False)
