"""`linkwise case list|show|assign|move|note|priority` and `case subject add|remove|confirm`:
working a case through its lifecycle (``linkwise.workspace.case_work``). The commands sit on
the `case` group of ``linkwise.cli.governance`` (beside `case open`); importing this module
registers them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from linkwise.cli.common import ActorOpt, DbOpt, WorkspaceOpt, acting, console
from linkwise.cli.governance import case_app
from linkwise.cli.redaction import Redactions
from linkwise.model.cases import STATUSES
from linkwise.workspace import case_work

subject_app = typer.Typer(
    help="The entities a case concerns: add, remove, confirm after re-resolution.",
    no_args_is_help=True,
)
case_app.add_typer(subject_app, name="subject")

CaseArg = Annotated[int, typer.Argument(help="The case's id.")]
_STATUSES = ", ".join(STATUSES)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the case's history).")]
RequiredReason = Annotated[
    str, typer.Option("--reason", help="Why (required; kept in the case's history).")
]


def _when(value: dt.datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@case_app.command("list")
def case_list(
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status", help=f"Only cases in this status (repeat): {', '.join(STATUSES)}."
        ),
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only cases assigned to me.")] = False,
    json_out: JsonOpt = False,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Cases, newest first, with status, assignee, last priority score and subjects that
    need confirmation after re-resolution."""
    with acting(workspace, db, actor) as (ws, user):
        found = case_work.list_cases(ws, user, statuses=status or [], mine=mine)
    if json_out:
        _print_json([c.to_json() for c in found])
        return
    table = Table(title="cases")
    for col in ("id", "title", "purpose", "status", "assignee", "priority", "subjects"):
        table.add_column(col)
    for item in found:
        score = "" if item.priority is None else f"{item.priority:g}"
        subjects = str(item.subjects)
        if item.needs_confirmation:
            subjects += f" ({item.needs_confirmation} need confirmation)"
        table.add_row(
            str(item.case.id),
            Text(item.case.title),
            item.case.purpose,
            item.case.status,
            item.assignee or "",
            score,
            subjects,
        )
    console.print(table)


@case_app.command("show")
def case_show(
    case_id: CaseArg,
    json_out: JsonOpt = False,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """One case: purpose, status, assignee, subjects (flagging any that re-resolution
    changed), notes, the last priority and the full history."""
    with acting(workspace, db, actor) as (ws, user):
        detail = case_work.show_case(ws, user, case_id)
    data = detail.to_json()
    if json_out:
        _print_json(data)
        return
    case = detail.case
    console.print(
        Text(f"case {case.id}: {case.title}\n", style="bold"),
        Text(
            f"purpose {case.purpose}, status {case.status}, assignee {detail.assignee or '-'}, "
            f"opened by {detail.created_by} {_when(case.created_at)}"
        ),
    )
    for state in detail.subjects:
        line = f"subject {state.subject.entity_id} (added {_when(state.subject.added_at)})"
        console.print(Text(line))
        if state.needs_confirmation:
            console.print(Text(f"  NEEDS CONFIRMATION: {state.summary()}", style="bold yellow"))
    for ended in detail.ended:
        console.print(Text(f"former subject {ended.entity_id} ({ended.status})", style="dim"))
    if detail.priority is not None:
        console.print(Text(f"priority {detail.priority['score']:g} ({detail.priority['at']})"))
    history = Table(title="history")
    for col in ("when", "who", "what", "detail"):
        history.add_column(col)
    for item in detail.history:
        history.add_row(_when(item.at), item.actor, item.kind, Text(item.describe()))
    console.print(history)
    for note, author in detail.notes:
        console.print(Text(f"note {note.id}, {author}, {_when(note.at)}:", style="bold"))
        console.print(Text(note.text))


@case_app.command("assign")
def case_assign(
    case_id: CaseArg,
    assignee: Annotated[str, typer.Argument(help="The username to give the case to.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Give a case to an analyst, supervisor or legal reviewer (supervisors assign)."""
    with acting(workspace, db, actor) as (ws, user):
        case = case_work.assign(ws, user, case_id, assignee)
    console.print(f"case {case.id} is assigned to {assignee}", highlight=False)


@case_app.command("move")
def case_move(
    case_id: CaseArg,
    status: Annotated[str, typer.Argument(help=f"The new status: {', '.join(STATUSES)}.")],
    reason: ReasonOpt = "",
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Move a case along its lifecycle (open, in_review, ready_for_legal, closed)."""
    with acting(workspace, db, actor) as (ws, user):
        case = case_work.move(ws, user, case_id, status, reason)
    console.print(f"case {case.id} is now {case.status}", highlight=False)


@case_app.command("note")
def case_note(
    case_id: CaseArg,
    text: Annotated[str, typer.Argument(help="The note.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Add a note to a case's history."""
    with acting(workspace, db, actor) as (ws, user):
        note = case_work.add_note(ws, user, case_id, text)
    console.print(f"added note {note.id} to case {case_id}", highlight=False)


@subject_app.command("add")
def subject_add(
    case_id: CaseArg,
    entity: Annotated[str, typer.Argument(help="The entity id.")],
    reason: RequiredReason,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Name an entity as a subject of the case."""
    with acting(workspace, db, actor) as (ws, user):
        subject = case_work.add_subject(ws, user, case_id, entity, reason)
    console.print(f"entity {subject.entity_id} is a subject of case {case_id}", highlight=False)


@subject_app.command("remove")
def subject_remove(
    case_id: CaseArg,
    entity: Annotated[str, typer.Argument(help="The subject's entity id.")],
    reason: RequiredReason,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Remove a subject from the case (kept in its history)."""
    with acting(workspace, db, actor) as (ws, user):
        case_work.remove_subject(ws, user, case_id, entity, reason)
    console.print(f"entity {entity} is no longer a subject of case {case_id}", highlight=False)


@subject_app.command("confirm")
def subject_confirm(
    case_id: CaseArg,
    entity: Annotated[str, typer.Argument(help="The subject's entity id, as the case has it.")],
    to: Annotated[
        list[str],
        typer.Option("--entity", help="An entity the case concerns now (repeat for several)."),
    ],
    reason: RequiredReason,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """After a merge or split, confirm which entity (or entities) the case concerns."""
    with acting(workspace, db, actor) as (ws, user):
        rows = case_work.confirm_subject(ws, user, case_id, entity, to, reason)
    now = ", ".join(r.entity_id for r in rows)
    console.print(f"case {case_id} now concerns {now} in place of {entity}", highlight=False)


@case_app.command("priority")
def case_priority(
    case_id: CaseArg,
    json_out: JsonOpt = False,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Compute a case's priority from the pack's rules: the score and each reason with the
    records behind it; facts the case may not see, or resting on unconfirmed links, do not
    count and say so."""
    with acting(workspace, db, actor) as (ws, user):
        result = case_work.case_priority(ws, user, case_id)
    if json_out:
        _print_json(result.to_json())
        return
    red = Redactions()
    console.print(
        Text(f"case {case_id} priority {result.score:g}", style="bold"),
        Text(f" ({result.purpose}, {result.policy_pack})"),
    )
    for subject in result.subjects:
        if subject["needs_confirmation"]:
            console.print(Text(f"subject {subject['entity_id']}: {subject['note']}", "yellow"))
    table = Table("rule", "score", "status", "reason", "records")
    for outcome in result.reasons:
        records = Text()
        for use in outcome.records:
            records.append(f"{use.record.ref.source}:")
            records.append_text(red.cell(use.record.source_key))
            records.append(f" {use.status}\n")
        table.add_row(
            outcome.name,
            f"{outcome.score:g} of {outcome.rule.score:g}",
            outcome.status,
            Text(outcome.rule.reason),
            records,
        )
    console.print(table)
    for outcome in result.reasons:
        for use in outcome.records:
            if use.status != "counted":
                console.print(
                    Text(f"{outcome.name}, record {use.record.ref.record_id}: {use.note}")
                )
    skipped = [r for r in result.rules if r.notice]
    for outcome in skipped:
        console.print(Text(f"{outcome.name}: {outcome.notice}", style="dim"))
    red.legend(console)
