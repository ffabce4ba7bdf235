"""`linkwise audit verify`, `list`, `search`, `export`, `checkpoint` and `verify-export`.

Every command but `verify-export` (which reads only a file) acts as a user, named by ``--as``
(or ``LINKWISE_USER``) with the password from ``LINKWISE_PASSWORD`` or a hidden prompt, as
the `user` commands do; the log is for auditors, and its verification also for
administrators.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from linkwise.cli.common import DbOpt, WorkspaceOpt, console, fail, open_workspace
from linkwise.cli.users import ActorOpt, _actor
from linkwise.govern.accounts import AccountError, User
from linkwise.govern.audit import (
    CHECKPOINT_INTERVAL,
    AuditEvent,
    AuditKeyError,
    AuditValueError,
    ChainCheck,
    parse_anchor,
    verify_exported,
)
from linkwise.govern.session import SessionError
from linkwise.model.audit_checkpoints import key_id, load_public_key, public_key_hex
from linkwise.workspace import Workspace
from linkwise.workspace.audit import (
    AuditQuery,
    checkpoint_audit,
    disclosures,
    export_audit,
    list_audit,
    require_users,
    search_audit,
    search_bound,
    trusted_keys,
    verify_audit,
)
from linkwise.workspace.users import login

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

AnchorOpt = Annotated[
    str | None,
    typer.Option(
        help="SEQ:HASH printed by an earlier verify and kept outside the database; "
        "fails if that event no longer has that hash.",
        show_default=False,
    ),
]
PublicKeyOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--public-key",
        help="Also trust this Ed25519 public key file (PEM), e.g. one used before the "
        "signing key was replaced. Repeatable.",
        show_default=False,
    ),
]
LimitOpt = Annotated[
    int, typer.Option(help="At most this many: the newest, unless --since is given.", min=1)
]


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (AccountError, AuditKeyError, AuditValueError, SessionError) as exc:
        fail(str(exc))


def _acting(ws: Workspace, actor: str | None) -> User:
    """The authenticated acting user; refuses before asking for a password when the
    workspace has no users at all."""
    require_users(ws)
    return login(ws, *_actor(actor))


def _anchor(text: str | None) -> tuple[int, str] | None:
    try:
        return None if text is None else parse_anchor(text)
    except AuditValueError as exc:
        fail(str(exc))


@audit_app.command("verify")
def verify(
    anchor: AnchorOpt = None,
    public_key: PublicKeyOpt = None,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Recompute every event's hash, check the chain and every signed checkpoint; exit 1 if
    anything is wrong (for an auditor or administrator)."""
    noted = _anchor(anchor)
    with open_workspace(workspace, db) as ws, _errors():
        user = _acting(ws, actor)
        check = verify_audit(ws, user, anchor=noted, public_keys=public_key or [])
        keys = [key_id(public_key_hex(k)) for k in trusted_keys(ws, public_key or [])]
    _report(check, noted)
    if keys:
        console.print(f"trusted signing keys: {', '.join(keys)}", highlight=False)


def _report(check: ChainCheck, noted: tuple[int, str] | None) -> None:
    if not check.ok:
        earlier = "no event before it" if check.events == 0 else f"events 1 to {check.events}"
        fail(f"audit log broken: {check.reason} ({earlier} verified)", code=1)
    if check.head_hash is None:
        console.print("audit log is empty", highlight=False)
        return
    anchored = f"; anchor {noted[0]} matches" if noted else ""
    console.print(f"audit log intact: {check.events} events{anchored}", highlight=False)
    console.print(f"head: {check.events}:{check.head_hash}", highlight=False, soft_wrap=True)
    if check.last_checkpoint is None:
        console.print(
            "signed checkpoints: none yet (one is signed every "
            f"{CHECKPOINT_INTERVAL} events, or by `linkwise audit checkpoint`)",
            highlight=False,
        )
    else:
        after = check.events - check.last_checkpoint
        console.print(
            f"signed checkpoints: {check.checkpoints} verified, the newest at event "
            f"{check.last_checkpoint}; {after} events after it are covered by the chain only",
            highlight=False,
        )
    console.print(
        "Note the head somewhere this database's administrators cannot change; a later "
        "`linkwise audit verify --anchor` with it proves the log up to it was not rewritten "
        "or cut short.",
        highlight=False,
    )


@audit_app.command("list")
def list_events(
    actor_filter: Annotated[
        str | None, typer.Option("--actor", help="Only this actor's events.")
    ] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    case: Annotated[int | None, typer.Option(help="Only events for this case id.", min=1)] = None,
    since: Annotated[
        int | None, typer.Option(help="Only events after this sequence number.", min=0)
    ] = None,
    limit: LimitOpt = 100,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Events, oldest first (not verified: run `audit verify` for that). For an auditor."""
    query = AuditQuery(
        actor=actor_filter, action=action, case_id=case, since_seq=since, limit=limit
    )
    with open_workspace(workspace, db) as ws, _errors():
        found = list_audit(ws, _acting(ws, actor), query)
    _table(found)


@audit_app.command("search")
def search(
    actor_filter: Annotated[
        str | None, typer.Option("--actor", help="Only events by this user or process.")
    ] = None,
    case: Annotated[int | None, typer.Option(help="Only events for this case id.", min=1)] = None,
    subject: Annotated[
        str | None,
        typer.Option(help="Only events naming this entity or record id in their objects."),
    ] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only events at or after this time (ISO 8601; UTC unless a zone is given).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Only events before this time (same forms).", show_default=False),
    ] = None,
    limit: Annotated[
        int, typer.Option(help="At most this many: the newest of those that match.", min=1)
    ] = 100,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Find events by actor, case, subject, action and time, oldest first. For an auditor;
    the search is itself recorded."""
    for option, given in (("--actor", actor_filter), ("--subject", subject), ("--action", action)):
        if given is not None and not given.strip():
            fail(f"{option} is blank: name what to look for, or leave the option out")
    since_time, until_time = _time(since, "--since"), _time(until, "--until")
    if since_time is not None and until_time is not None and until_time <= since_time:
        fail(f"--until {until!r} is not after --since {since!r}: no event could match")
    query = AuditQuery(
        actor=actor_filter,
        action=action,
        case_id=case,
        subject=subject,
        since_time=since_time,
        until_time=until_time,
        limit=limit,
    )
    with open_workspace(workspace, db) as ws, _errors():
        found = search_audit(ws, _acting(ws, actor), query)
    _table(found)


@audit_app.command("disclosures")
def disclosure_list(
    entity_id: Annotated[
        str,
        typer.Argument(
            help="Entity id (a retired id answers for the entities its records are in now)."
        ),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """The disclosure record of a person: every case and document that was shown any
    version of any of the entity's records, who read them and when (for an auditor,
    supervisor or legal reviewer)."""
    with open_workspace(workspace, db) as ws, _errors():
        found = disclosures(ws, _acting(ws, actor), entity_id)
    if json_out:
        typer.echo(json.dumps(found.to_json(), indent=2))
        return
    where = ", ".join(found.entity_ids) or "no active entity"
    console.print(
        f"entity {entity_id} (records now in {where}): {len(found.record_ids)} records, "
        f"used in {len(found.cases)} case(s)",
        highlight=False,
    )
    if not found.cases:
        return
    table = Table(title="disclosure record")
    for col in ("case", "purpose", "records used", "documents", "reads", "last read"):
        table.add_column(col)
    for case in found.cases:
        last = case.uses[-1]
        table.add_row(
            "(none)" if case.case_id is None else f"#{case.case_id} {case.title or ''}".strip(),
            case.purpose or "",
            ", ".join(map(str, case.record_ids)),
            ", ".join(case.documents),
            str(len(case.uses)),
            f"{last.at:%Y-%m-%d %H:%M} {last.actor} {last.action}",
        )
    console.print(table)


def _time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"{option} {text!r}: give a time as 2026-03-01 or 2026-03-01T09:30[:00][+02:00]")
    try:
        return search_bound(at)
    except OverflowError:
        fail(f"{option} {text!r}: outside the calendar once in UTC")


def _table(found: list[AuditEvent]) -> None:
    if not found:
        console.print("no audit events match")
        return
    table = Table(title="audit events")
    for col in ("seq", "time (UTC)", "actor", "case", "action", "objects", "decision", "hash"):
        table.add_column(col, justify="right" if col == "seq" else "left")
    for event in found:
        table.add_row(
            str(event.seq),
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor,
            "" if event.case_id is None else str(event.case_id),
            event.action,
            _compact(event.objects),
            "" if event.decision is None else _compact(event.decision),
            event.hash[:12],
        )
    console.print(table)


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


@audit_app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="File to write (JSON Lines), or - for stdout.")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write every event with its hashes, and every signed checkpoint, one JSON object a
    line, for outside verification. For an auditor."""
    with open_workspace(workspace, db) as ws, _errors():
        user = _acting(ws, actor)
        if str(out) == "-":
            export_audit(ws, user, sys.stdout)
            return
        try:
            events, signed = export_audit(ws, user, out)
        except AccountError:
            raise  # a refusal by role (a PermissionError too): said as one by _errors
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}")
    console.print(
        f"exported {events} audit events and {signed} checkpoints to {out}", highlight=False
    )


@audit_app.command("checkpoint")
def checkpoint(actor: ActorOpt = None, workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Sign the newest event now with the audit signing key (for an auditor or
    administrator); the key is created on first need."""
    with open_workspace(workspace, db) as ws, _errors():
        signed = checkpoint_audit(ws, _acting(ws, actor))
    console.print(
        f"checkpoint signed at event {signed.seq} by key {signed.key_id}", highlight=False
    )
    console.print(f"head: {signed.seq}:{signed.event_hash}", highlight=False, soft_wrap=True)


@audit_app.command("verify-export")
def verify_export(
    file: Annotated[Path, typer.Argument(help="A file written by `linkwise audit export`.")],
    public_key: PublicKeyOpt = None,
    anchor: AnchorOpt = None,
) -> None:
    """Verify an exported log without the database: every hash, link and checkpoint
    signature (checked with --public-key); exit 1 if anything is wrong."""
    noted = _anchor(anchor)
    with _errors():
        keys = [load_public_key(_read(p), str(p)) for p in public_key or []]
        try:
            with file.open(encoding="utf-8") as lines:
                check = verify_exported(lines, anchor=noted, trusted_keys=keys)
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {exc}")
    if check.ok and check.head_hash is None:
        # an export holds at least the events before it: an empty file is a failed copy
        fail(f"{file} holds no audit events: not an export of a log", code=1)
    _report(check, noted)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"cannot read {path}: {exc.strerror or exc}") from None
