"""`linkwise search`: find people by name, date of birth, identifier, address or phone."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkwise.cli.common import ActorOpt, CaseOpt, DbOpt, WorkspaceOpt, console, governed
from linkwise.cli.redaction import Redactions
from linkwise.govern.session import is_withheld

_NAME_PARTS = ("given_name", "middle_name", "family_name", "full_name")


def search(
    query: Annotated[
        str | None,
        typer.Argument(
            help="Free text: a name (typos, nicknames and spellings are fine), with any of a "
            'date of birth, phone, identifier or e-mail, e.g. "jon smth 1980-03-02".',
            show_default=False,
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="A name.")] = None,
    dob: Annotated[
        str | None, typer.Option(help="A date of birth, full or partial (1980, 1980-03).")
    ] = None,
    identifier: Annotated[
        str | None, typer.Option(help="An identifier of any type (SSN, passport, ...).")
    ] = None,
    address: Annotated[str | None, typer.Option(help="A street address or postcode.")] = None,
    phone: Annotated[str | None, typer.Option(help="A phone number.")] = None,
    limit: Annotated[int, typer.Option(help="How many people at most.", min=1, max=100)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Search the resolved people, best match first, with why each matched."""
    with governed(workspace, db, actor, case) as session:
        found = session.search(
            query,
            name=name,
            dob=dob,
            identifier=identifier,
            address=address,
            phone=phone,
            limit=limit,
        )
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, default=str))
        return
    ignored = found["query"]["ignored"]
    if ignored:
        console.print(f"not understood, left out: {', '.join(ignored)}", highlight=False)
    if not found["results"]:
        console.print(f"no one found ({found['took_ms']} ms)")
        return
    red = Redactions()
    table = Table(title=f"{found['count']} found in {found['took_ms']} ms", title_justify="left")
    for col in ("#", "entity", "name", "dob", "records", "sources", "score", "why"):
        table.add_column(col)
    for rank, result in enumerate(found["results"], 1):
        table.add_row(
            str(rank),
            result["entity_id"],
            name_cell(red, result["name"]),
            red.cell(result["dob"]),
            str(result["record_count"]),
            ", ".join(result["sources"]),
            f"{result['score']:.2f}",
            "; ".join(result["reasons"]),
        )
    console.print(table)
    red.legend(console)


def name_cell(red: Redactions, name: dict[str, Any]) -> Text:
    """The name's parts joined; a withheld part shows as its marker."""
    out = Text()
    for part in _NAME_PARTS:
        value = name.get(part)
        if value is None or value == "":
            continue
        if out:
            out.append(" ")
        out.append(red.cell(value) if is_withheld(value) else Text(str(value).title()))
    return out
