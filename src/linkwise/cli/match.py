"""`linkwise match`: which resolved people a set of details may describe."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from linkwise.cli.common import ActorOpt, CaseOpt, DbOpt, WorkspaceOpt, console, fail, governed
from linkwise.cli.redaction import Redactions


def _fields(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            fail(f"{pair!r}: give each field as FIELD=VALUE, e.g. --field family_name=Garcia")
        if name in out:
            fail(f"{name} is given twice")
        out[name] = value
    return out


def match(
    field: Annotated[
        list[str],
        typer.Option(
            "--field",
            "-f",
            help="A detail as FIELD=VALUE (canonical field names: given_name, family_name, "
            "full_name, dob, postcode, phone, ssn, ...). Repeat for each detail.",
            show_default=False,
        ),
    ],
    top: Annotated[int, typer.Option(help="How many candidate entities at most.", min=1)] = 5,
    threshold: Annotated[
        float,
        typer.Option(help="Least match probability a candidate needs.", min=0, max=1),
    ] = 0.5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Match one person's details against the resolved entities, with the reasons."""
    fields = _fields(field)
    with governed(workspace, db, actor, case) as session:
        results = session.match(fields, top=top, threshold=threshold)
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False, default=str))
        return
    if not results:
        console.print(f"no entity is at least {threshold:.0%} likely to be this person")
        return
    red = Redactions()
    for rank, result in enumerate(results, 1):
        table = Table(
            title=f"{rank}. entity {result['entity_id']}: {result['probability']:.1%} likely",
            title_justify="left",
        )
        for col in ("source", "key", "given", "middle", "family", "dob", "probability"):
            table.add_column(col)
        for r in result["records"]:
            values = r["fields"]
            table.add_row(
                r["source"],
                red.cell(r["source_key"]),
                red.cell(values.get("given_name")),
                red.cell(values.get("middle_name")),
                red.cell(values.get("family_name")),
                red.cell(values.get("dob")),
                f"{r['probability']:.1%}",
            )
        console.print(table)
        console.print(result["explanation"], highlight=False, soft_wrap=True)
        console.print()
    red.legend(console)
