"""`linkwise resolve`, `judge`, `entity show`, `review list`."""

from __future__ import annotations

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
