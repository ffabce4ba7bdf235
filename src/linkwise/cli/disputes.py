"""`linkwise dispute raise|list|show|confirm|reject`: redress for a wrong value or link."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from linkwise.cases.disputes import AffectedUses
from linkwise.cli.common import ActorOpt, DbOpt, WorkspaceOpt, acting, console, fail
from linkwise.cli.governance import _ref
from linkwise.model.disputes import Dispute
from linkwise.workspace import disputes

dispute_app = typer.Typer(
    help="Disputes of a record's value or of a link, and the corrections they lead to.",
    no_args_is_help=True,
)


@dispute_app.command("raise")
def dispute_raise(
    record: Annotated[str, typer.Argument(help="The record, SOURCE:KEY.")],
    evidence: Annotated[str, typer.Option(help="What shows the data is wrong.")],
    field: Annotated[str | None, typer.Option(help="The disputed field (a value dispute).")] = None,
    value: Annotated[
        str | None,
        typer.Option(help="The right value (omit to say the value should not be there)."),
    ] = None,
    link: Annotated[
        str | None,
        typer.Option(help="The other record, SOURCE:KEY (a link dispute: not the same person)."),
    ] = None,
    on_behalf_of: Annotated[
        str | None, typer.Option(help="The person the dispute is raised for, if not you.")
    ] = None,
    case: Annotated[int | None, typer.Option("--case", help="The case it arose in.")] = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Dispute a record's value (--field, --value) or a link (--link)."""
    if (link is None) == (field is None):
        fail("dispute either a value (--field, with --value) or a link (--link), not both")
    with acting(workspace, db, actor) as (ws, user):
        found = disputes.raise_(
            ws,
            user,
            record=_ref(record),
            evidence=evidence,
            field=field,
            claimed_value=value,
            link_to=None if link is None else _ref(link),
            on_behalf_of=on_behalf_of,
            case_id=case,
        )
    console.print(
        f"raised dispute {found.id} ({found.kind}); a supervisor or legal reviewer other than "
        "you decides it",
        highlight=False,
    )


@dispute_app.command("list")
def dispute_list(
    status: Annotated[
        str | None, typer.Option(help="Only disputes in this state: open, confirmed, rejected.")
    ] = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Disputes, oldest first."""
    with acting(workspace, db, actor) as (ws, user):
        found = disputes.list_all(ws, user, status)
    table = Table(title="disputes")
    for col in ("id", "kind", "records", "field", "claimed", "status", "raised"):
        table.add_column(col)
    for d in found:
        table.add_row(*_row(d))
    console.print(table)


@dispute_app.command("show")
def dispute_show(
    dispute_id: Annotated[int, typer.Argument(help="The dispute's id.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """One dispute, its evidence and decision, and where the disputed data was used."""
    with acting(workspace, db, actor) as (ws, user):
        outcome = disputes.show(ws, user, dispute_id)
    d = outcome.dispute
    console.print(Text(f"dispute {d.id} ({d.kind}, {d.status}): evidence: {d.evidence}"))
    if d.resolution:
        console.print(Text(f"decision: {d.resolution}"))
    _affected(outcome.affected)


@dispute_app.command("confirm")
def dispute_confirm(
    dispute_id: Annotated[int, typer.Argument(help="The dispute's id.")],
    resolution: Annotated[str, typer.Option(help="Why the dispute is upheld.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Uphold a dispute: correct the value (a new record version) or record that the two
    records are different people; list every case and document that used the wrong data."""
    with acting(workspace, db, actor) as (ws, user):
        outcome = disputes.confirm(ws, user, dispute_id, resolution)
    correction = outcome.dispute.correction or {}
    if "new_record_id" in correction:
        what = f"new record version {correction['new_record_id']}"
    else:
        what = f"judgement {correction.get('judgement_id')} (different people)"
    console.print(
        f"confirmed dispute {dispute_id}: {what}; run `linkwise resolve` to re-link",
        highlight=False,
    )
    _affected(outcome.affected)


@dispute_app.command("reject")
def dispute_reject(
    dispute_id: Annotated[int, typer.Argument(help="The dispute's id.")],
    resolution: Annotated[str, typer.Option(help="Why the dispute is rejected.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Reject a dispute; nothing changes, and the decision is kept with it."""
    with acting(workspace, db, actor) as (ws, user):
        disputes.reject(ws, user, dispute_id, resolution)
    console.print(f"rejected dispute {dispute_id}", highlight=False)


def _row(d: Dispute) -> tuple[str, ...]:
    records = str(d.record_id) + ("" if d.other_record_id is None else f", {d.other_record_id}")
    claimed = "" if d.kind == "link" else ("(withheld)" if d.claimed_value is None else "")
    return (
        str(d.id),
        d.kind,
        records,
        d.field or "",
        d.claimed_value if d.claimed_value is not None else claimed,
        d.status,
        f"{d.raised_at:%Y-%m-%d %H:%M}",
    )


def _affected(affected: AffectedUses) -> None:
    if not affected.cases and not affected.documents:
        console.print("the disputed records were not used in any case")
        return
    for case in affected.cases:
        console.print(Text(f"used in case {case['case_id']} ({case['status']}): {case['title']}"))
    for doc in affected.documents:
        flag = " - signed: needs review" if doc["status"] == "signed" else ""
        console.print(
            f"used in document {doc['id']} ({doc['kind']} v{doc['version']}, case "
            f"{doc['case_id']}){flag}",
            highlight=False,
        )
