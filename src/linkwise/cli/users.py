"""`linkwise user add`, `list`, `disable`, `enable`, `role`, `password`, `tokens`,
`token-create` and `token-revoke`.

The acting user is named by ``--as`` (or ``LINKWISE_USER``); their password comes from
``LINKWISE_PASSWORD`` or a hidden prompt. Passwords are never taken as options: an option
would land in the shell history and the process list.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from linkwise.cli.common import (
    DbOpt,
    WorkspaceOpt,
    console,
    credentials,
    err_console,
    fail,
    open_workspace,
)
from linkwise.govern.users import MIN_PASSWORD_LENGTH, AccountError
from linkwise.model.roles import Role
from linkwise.workspace import users

user_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)

ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="LINKWISE_USER",
        help="Who is acting (an administrator, except where noted); the password is read "
        "from LINKWISE_PASSWORD or asked for.",
        show_default=False,
    ),
]
PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the new password from the first line of standard input instead of asking.",
    ),
]
UsernameArg = Annotated[str, typer.Argument(help="The user's login name.", show_default=False)]


@contextmanager
def _account_errors() -> Iterator[None]:
    try:
        yield
    except AccountError as exc:
        fail(str(exc))


def _actor(actor: str | None) -> tuple[str, str]:
    """The acting user's name and password (``linkwise.cli.common.credentials``)."""
    return credentials(actor)


def _new_password(username: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            fail("--password-stdin: standard input had no password on its first line")
        return line
    password: str = typer.prompt(
        f"new password for {username} (at least {MIN_PASSWORD_LENGTH} characters)",
        hide_input=True,
        confirmation_prompt=True,
        err=True,
    )
    return password


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@user_app.command("add")
def add(
    username: UsernameArg,
    role: Annotated[Role, typer.Option(help="What the user may do.", show_default=False)],
    display_name: Annotated[
        str, typer.Option(help="Name shown to others (default: the username).")
    ] = "",
    password_stdin: PasswordStdinOpt = False,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Add a user. In a workspace with no users yet, the first must be an administrator and
    needs no --as."""
    with open_workspace(workspace, db) as ws, _account_errors():
        if users.has_users(ws):
            actor_name, actor_password = _actor(actor)
        else:
            actor_name, actor_password = None, None
            err_console.print(
                f"the workspace has no users yet: {username} will be its first administrator",
                highlight=False,
            )
        password = _new_password(username, password_stdin)
        user = users.add_user(
            ws, actor_name, actor_password, username, display_name, role, password
        )
    console.print(f"added user {user.username} ({user.role.value})", highlight=False)


@user_app.command("list")
def list_users(actor: ActorOpt = None, workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Every user with role and status (for an administrator or auditor)."""
    with open_workspace(workspace, db) as ws, _account_errors():
        accounts = users.list_accounts(ws, *_actor(actor))
    table = Table(title="users")
    for col in ("username", "display name", "role", "status", "created", "created by"):
        table.add_column(col)
    for account in accounts:
        user = account.user
        if user.disabled:
            status = "disabled"
        elif account.locked_until is not None:
            status = f"locked until {_when(account.locked_until)}"
        else:
            status = "active"
        table.add_row(
            user.username,
            user.display_name,
            user.role.value,
            status,
            _when(account.created_at),
            account.created_by,
        )
    console.print(table)


@user_app.command("disable")
def disable(
    username: UsernameArg, actor: ActorOpt = None, workspace: WorkspaceOpt = None, db: DbOpt = None
) -> None:
    """Stop a user logging in or using API tokens; the account and its history are kept."""
    with open_workspace(workspace, db) as ws, _account_errors():
        user = users.disable_user(ws, *_actor(actor), username)
    console.print(f"disabled user {user.username}", highlight=False)


@user_app.command("enable")
def enable(
    username: UsernameArg, actor: ActorOpt = None, workspace: WorkspaceOpt = None, db: DbOpt = None
) -> None:
    """Let a disabled or locked-out user log in again."""
    with open_workspace(workspace, db) as ws, _account_errors():
        user = users.enable_user(ws, *_actor(actor), username)
    console.print(f"enabled user {user.username}", highlight=False)


@user_app.command("role")
def role(
    username: UsernameArg,
    new_role: Annotated[Role, typer.Argument(help="The new role.", show_default=False)],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Change a user's role."""
    with open_workspace(workspace, db) as ws, _account_errors():
        user = users.set_role(ws, *_actor(actor), username, new_role)
    console.print(f"{user.username} is now {user.role.value}", highlight=False)


@user_app.command("password")
def password(
    username: UsernameArg,
    password_stdin: PasswordStdinOpt = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="LINKWISE_USER",
            help="An administrator resetting the password (default: the user, who gives "
            "the current password).",
            show_default=False,
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Change your own password, or reset another user's as an administrator."""
    with open_workspace(workspace, db) as ws, _account_errors():
        actor_name, actor_password = _actor(actor or username)
        new = _new_password(username, password_stdin)
        users.set_password(ws, actor_name, actor_password, username, new)
    console.print(f"password of {username} changed", highlight=False)


@user_app.command("tokens")
def tokens(
    username: UsernameArg, actor: ActorOpt = None, workspace: WorkspaceOpt = None, db: DbOpt = None
) -> None:
    """A user's API tokens (for that user or an administrator); secrets are never shown."""
    with open_workspace(workspace, db) as ws, _account_errors():
        found = users.list_tokens(ws, *_actor(actor or username), username)
    table = Table(title=f"API tokens of {username}")
    for col in ("id", "name", "status", "created", "expires", "last used"):
        table.add_column(col)
    for token in found:
        table.add_row(
            str(token.id),
            token.name,
            token.status(),
            _when(token.created_at),
            _when(token.expires_at),
            _when(token.last_used_at) or "never",
        )
    console.print(table)


@user_app.command("token-create")
def token_create(
    username: UsernameArg,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the program using it.")],
    days: Annotated[int, typer.Option(help="Days until it expires.", min=1, max=366)] = 90,
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Issue an API token for a user (by that user or an administrator). The secret is
    printed once, alone on standard output; only its hash is stored."""
    with open_workspace(workspace, db) as ws, _account_errors():
        token, secret = users.create_token(ws, *_actor(actor or username), username, name, days)
    typer.echo(secret)  # first: the token is stored, and nothing after may cost its secret
    err_console.print(
        f"token {token.id} ({token.name}) for {username}, expires {_when(token.expires_at)}. "
        "Copy the secret now: it cannot be shown again.",
        highlight=False,
    )


@user_app.command("token-revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `user tokens`).")],
    actor: ActorOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Revoke an API token at once (by its owner or an administrator)."""
    with open_workspace(workspace, db) as ws, _account_errors():
        token = users.revoke_token(ws, *_actor(actor), token_id)
    console.print(f"revoked token {token.id} ({token.name})", highlight=False)
