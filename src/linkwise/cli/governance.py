"""`linkwise record show`, `case open`, `authorisation record|approve|revoke|list` and
`policy why`: reading one record through a governed session, opening the cases reads are
made for, entering the legal process that unlocks restricted data, and asking why a value is
shown, redacted or prohibited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkwise.cli.common import (
    ActorOpt,
    CaseOpt,
    DbOpt,
    WorkspaceOpt,
    acting,
    console,
    fail,
    governed,
)
from linkwise.cli.redaction import Redactions, unlock_text
from linkwise.workspace import cases

record_app = typer.Typer(help="Single records, as a case may see them.", no_args_is_help=True)
case_app = typer.Typer(help="Cases: the purpose every read is made for.", no_args_is_help=True)
authorisation_app = typer.Typer(
    help="Legal authorisations (orders, warrants, subpoenas) that unlock restricted data.",
    no_args_is_help=True,
)
policy_app = typer.Typer(help="Policy decisions and their reasons.", no_args_is_help=True)


def _ref(text: str) -> tuple[str, str]:
    source, sep, key = text.partition(":")
    if not sep or not source or not key:
        fail(f"{text!r}: name a record as SOURCE:KEY")
    return source, key


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _instant(option: str, text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        fail(
            f"{option}: {text!r} is not a time; give ISO 8601 with a zone, "
            "e.g. 2026-12-01T00:00+00:00"
        )


@record_app.command("show")
def record_show(
    record: Annotated[str, typer.Argument(help="The record, SOURCE:KEY.")],
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the governed record as JSON.")
    ] = False,
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """One record's values (current version) with where each came from; what the case may
    not see is marked, with what would unlock it."""
    with governed(workspace, db, actor, case) as session:
        found = session.record(*_ref(record))
    if json_out:
        typer.echo(json.dumps(found, ensure_ascii=False, default=str, indent=2))
        return
    red = Redactions()
    current = next((v for v in found["versions"] if v["is_current"]), found["versions"][-1])
    title = Text.assemble(
        f"record {found['record_id']} ({found['source']}:",
        red.cell(found["source_key"]),
        f"), version {current['version']} of {len(found['versions'])}, entity ",
        red.cell(found["entity_id"] or "none"),
    )
    console.print(title)
    table = Table("field", "value", "from columns", "source text")
    for name, value in current["fields"].items():
        origin = current["origins"].get(name)
        if value is None and origin is None:
            continue
        table.add_row(
            name,
            red.cell(value),
            ", ".join(origin["columns"]) if origin else "",
            red.cell(origin["raw"]) if origin else Text(""),
        )
    for ident in current["identifiers"]:
        validity = "" if ident["valid"] else " (invalid)"
        table.add_row(
            f"{ident['type']}{validity}", red.cell(ident["value"]), "", red.cell(ident["raw"])
        )
    for name, value in current["facts"].items():
        table.add_row(f"fact: {name}", red.cell(value), "", Text(""))
    console.print(table)
    red.legend(console)


@case_app.command("open")
def case_open(
    title: Annotated[str, typer.Option(help="What the case is about.", show_default=False)],
    purpose: Annotated[
        str, typer.Option(help="A purpose of the policy pack, e.g. criminal_investigation.")
    ],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Open a case with a purpose; reads made for it are judged against that purpose."""
    with acting(workspace, db, actor) as (ws, user):
        case = cases.open_case(ws, user, title, purpose)
    console.print(f"opened case {case.id} ({case.purpose}): {case.title}", highlight=False)


@authorisation_app.command("record")
def authorisation_record(
    case: Annotated[
        int, typer.Option("--case", envvar="LINKWISE_CASE", help="The case it serves.")
    ],
    process: Annotated[
        str, typer.Option(help="A legal process of the pack, e.g. judicial_warrant.")
    ],
    issuing_authority: Annotated[str, typer.Option(help="Who issued it (a court, an agency).")],
    reference: Annotated[str, typer.Option(help="Its docket, subpoena or request number.")],
    source: Annotated[list[str], typer.Option("--source", help="A source it reaches (repeat).")],
    marking: Annotated[list[str], typer.Option("--marking", help="A marking it unlocks (repeat).")],
    valid_from: Annotated[str, typer.Option(help="Start, ISO 8601 with a zone.")],
    valid_to: Annotated[str, typer.Option(help="End, ISO 8601 with a zone.")],
    subject: Annotated[
        list[str] | None,
        typer.Option(
            "--subject",
            help="An entity id it is limited to (repeat; none: everyone in the records).",
        ),
    ] = None,
    notes: Annotated[str, typer.Option(help="Anything else worth keeping with it.")] = "",
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Record an order, warrant, subpoena or approval for a case. It unlocks nothing until a
    user of an approving role (never its recorder) approves it, if its process needs that."""
    start, end = _instant("--valid-from", valid_from), _instant("--valid-to", valid_to)
    with acting(workspace, db, actor) as (ws, user):
        auth = cases.record_authorisation(
            ws,
            user,
            case_id=case,
            process=process,
            issuing_authority=issuing_authority,
            reference=reference,
            sources=source,
            markings=marking,
            subjects=subject or [],
            valid_from=start,
            valid_to=end,
            notes=notes,
        )
        approvers = ws.pack.legal_processes[auth.process].approved_by
    needs = (
        f"; it needs approval by a {' or '.join(r.value for r in approvers)}"
        if approvers
        else "; effective once recorded"
    )
    console.print(
        f"recorded authorisation {auth.id} for case {auth.case_id}{needs}", highlight=False
    )


@authorisation_app.command("approve")
def authorisation_approve(
    authorisation_id: Annotated[int, typer.Argument(help="The authorisation's id.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Approve an authorisation someone else recorded; it unlocks from now on."""
    with acting(workspace, db, actor) as (ws, user):
        auth = cases.approve_authorisation(ws, user, authorisation_id)
    console.print(f"approved authorisation {auth.id} (case {auth.case_id})", highlight=False)


@authorisation_app.command("revoke")
def authorisation_revoke(
    authorisation_id: Annotated[int, typer.Argument(help="The authorisation's id.")],
    reason: Annotated[
        str, typer.Option(help="Why (an order quashed, withdrawn, entered in error).")
    ],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Revoke an authorisation at once: the next read no longer sees what it unlocked."""
    with acting(workspace, db, actor) as (ws, user):
        auth = cases.revoke_authorisation(ws, user, authorisation_id, reason)
    console.print(f"revoked authorisation {auth.id} (case {auth.case_id})", highlight=False)


@authorisation_app.command("list")
def authorisation_list(
    case: Annotated[int, typer.Option("--case", envvar="LINKWISE_CASE", help="The case.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """A case's authorisations with where each stands now."""
    with acting(workspace, db, actor) as (ws, user):
        found = cases.list_authorisations(ws, user, case)
    table = Table(title=f"authorisations of case {case}")
    for col in ("id", "process", "reference", "issued by", "state", "valid", "scope"):
        table.add_column(col)
    for auth, state in found:
        scope = auth.scope
        reach = f"sources {', '.join(scope.sources)}; markings {', '.join(scope.markings)}"
        if scope.subjects:
            reach += f"; subjects {', '.join(scope.subjects)}"
        table.add_row(
            str(auth.id),
            auth.process,
            Text(auth.reference),
            Text(auth.issuing_authority),
            state,
            f"{_when(auth.valid_from)} to {_when(auth.valid_to)}",
            Text(reach),
        )
    console.print(table)


@policy_app.command("why")
def policy_why(
    record: Annotated[str, typer.Argument(help="The record, SOURCE:KEY.")],
    field: Annotated[
        str, typer.Argument(help="A canonical field (dob, ssn, address_line, ...) or 'record'.")
    ],
    actor: ActorOpt = None,
    case: CaseOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Why a value is shown, redacted or prohibited in this case: the rule, the reason, the
    authority, the authorisation that unlocked it or what would."""
    with governed(workspace, db, actor, case) as session:
        result = session.why(*_ref(record), field)
    red = Redactions()
    console.print(
        Text.assemble(
            f"record {result['record_id']} ({result['source']}), {result['field']}, entity ",
            red.cell(result["entity_id"] or "none"),
            f", purpose {result['purpose']}:",
        )
    )
    console.print(Text(result["explanation"]))
    evidence: dict[str, Any] | None = result["entity_evidence"]
    if evidence is not None:
        console.print(Text(f"In its entity's view the record is withheld: {evidence['reason']}"))
        for unlock in evidence.get("would_unlock") or []:
            console.print(Text(f"  - would be unlocked by {unlock_text(unlock)}"))
