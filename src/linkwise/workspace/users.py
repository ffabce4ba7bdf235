"""User and token management as interfaces call it: each operation authenticates the acting
user, then runs in one transaction with its audit events (``linkwise.govern.users``).

The login is a transaction of its own and always commits, so a failed attempt is counted
and recorded even though the operation never runs. A refusal the governance layer audited
(``AuditedRefusalError``: failed login, wrong role) also commits its audit event before it
reaches the caller; any other error rolls the operation back whole.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection

from linkwise.govern import users
from linkwise.govern.accounts import AccountError, AuditedRefusalError, require_role
from linkwise.govern.users import Account, ApiToken, UnknownUserError, User
from linkwise.model.roles import Role

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

T = TypeVar("T")

_READERS = (Role.ADMINISTRATOR, Role.AUDITOR)
"""Who may list the accounts of a workspace."""


def has_users(ws: Workspace) -> bool:
    """False until the first administrator exists (see ``add_user``)."""
    with ws.engine.connect() as conn:
        return users.has_users(conn)


def login(ws: Workspace, username: str, password: str) -> User:
    return _transaction(ws, lambda conn: users.authenticate(conn, username, password))


def login_with_token(ws: Workspace, secret: str, *, record_use: bool = True) -> User:
    return _transaction(
        ws, lambda conn: users.authenticate_token(conn, secret, record_use=record_use)
    )


WEB_SESSION_TOKEN = "web session"
"""The name of the token a browser login holds (in its signed cookie)."""


def open_web_session(ws: Workspace, username: str, password: str, hours: int = 12) -> str:
    """Log in with a password (audited) and issue the browser a token of ``hours`` life:
    a web session is an ordinary revocable, expiring token, so disabling the user or
    revoking it ends the session at once. Returns the token's secret."""
    user = login(ws, username, password)
    return _transaction(
        ws,
        lambda conn: users.issue_token(conn, user, user, WEB_SESSION_TOKEN, timedelta(hours=hours)),
    )


def close_web_session(ws: Workspace, secret: str) -> None:
    """Log out: revoke the session's token (audited). An unknown or already revoked token
    is ignored: there is nothing left to end."""

    def run(conn: Connection) -> None:
        token = users.token_of(conn, secret)
        if token is None or token.revoked_at is not None:
            return
        user = users.authenticate_token(conn, secret, record_use=False)
        users.revoke_token(conn, user, token.id)

    try:
        _transaction(ws, run)
    except AccountError:
        return


def add_user(
    ws: Workspace,
    actor_name: str | None,
    actor_password: str | None,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
) -> User:
    """Add a user as the administrator ``actor_name``. With no actor, create the first user
    of an empty workspace, who must be an administrator (refused once any user exists)."""
    if actor_name is None:
        return _transaction(
            ws, lambda conn: users.add_user(conn, None, username, display_name, role, password)
        )
    return _as(
        ws,
        actor_name,
        actor_password,
        lambda conn, actor: users.add_user(conn, actor, username, display_name, role, password),
    )


def list_accounts(ws: Workspace, actor_name: str, actor_password: str | None) -> list[Account]:
    """Every account, for an administrator or an auditor."""

    def run(conn: Connection, actor: User) -> list[Account]:
        require_role(conn, actor, _READERS, "user.list", {})
        return users.list_accounts(conn)

    return _as(ws, actor_name, actor_password, run)


def disable_user(ws: Workspace, actor_name: str, actor_password: str | None, username: str) -> User:
    return _as(
        ws,
        actor_name,
        actor_password,
        lambda conn, actor: users.disable_user(conn, actor, _target(conn, username)),
    )


def enable_user(ws: Workspace, actor_name: str, actor_password: str | None, username: str) -> User:
    return _as(
        ws,
        actor_name,
        actor_password,
        lambda conn, actor: users.enable_user(conn, actor, _target(conn, username)),
    )


def set_role(
    ws: Workspace, actor_name: str, actor_password: str | None, username: str, role: Role | str
) -> User:
    return _as(
        ws,
        actor_name,
        actor_password,
        lambda conn, actor: users.set_role(conn, actor, _target(conn, username), role),
    )


def set_password(
    ws: Workspace, actor_name: str, actor_password: str | None, username: str, password: str
) -> None:
    """A user changes their own password (authenticating with the current one), or an
    administrator resets another's."""
    _as(
        ws,
        actor_name,
        actor_password,
        lambda conn, actor: users.set_password(conn, actor, _target(conn, username), password),
    )


def create_token(
    ws: Workspace,
    actor_name: str,
    actor_password: str | None,
    username: str,
    name: str,
    days: int,
) -> tuple[ApiToken, str]:
    """Issue a token for ``username`` (by that user or an administrator). Returns the token
    and its secret, which is not stored and cannot be shown again."""

    def run(conn: Connection, actor: User) -> tuple[ApiToken, str]:
        secret = users.issue_token(conn, actor, _target(conn, username), name, timedelta(days))
        token = users.token_of(conn, secret)
        assert token is not None
        return token, secret

    return _as(ws, actor_name, actor_password, run)


def revoke_token(
    ws: Workspace, actor_name: str, actor_password: str | None, token_id: int
) -> ApiToken:
    return _as(
        ws,
        actor_name,
        actor_password,
        lambda conn, actor: users.revoke_token(conn, actor, token_id),
    )


def list_tokens(
    ws: Workspace, actor_name: str, actor_password: str | None, username: str
) -> list[ApiToken]:
    """A user's tokens (never their secrets), for that user or an administrator."""

    def run(conn: Connection, actor: User) -> list[ApiToken]:
        owner = _target(conn, username)
        objects = {"user_id": owner.id, "user": owner.username}
        require_role(conn, actor, (Role.ADMINISTRATOR,), "token.list", objects, allow_self=owner.id)
        return users.list_tokens(conn, owner)

    return _as(ws, actor_name, actor_password, run)


def _target(conn: Connection, username: str) -> User:
    user = users.get_user_by_name(conn, username)
    if user is None:
        raise UnknownUserError(f"named {username!r}")
    return user


def _as(
    ws: Workspace,
    actor_name: str,
    actor_password: str | None,
    operation: Callable[[Connection, User], T],
) -> T:
    actor = login(ws, actor_name, actor_password or "")
    return _transaction(ws, lambda conn: operation(conn, actor))


def _transaction(ws: Workspace, operation: Callable[[Connection], T]) -> T:
    refusal: AuditedRefusalError | None = None
    with ws.engine.begin() as conn:
        try:
            return operation(conn)
        except AuditedRefusalError as exc:
            refusal = exc  # leave the block normally: the refusal's audit event commits
    assert refusal is not None
    raise refusal


def web_cookie_key(ws: Workspace) -> bytes:
    """The key that signs the web app's session cookies: random, made on first use in the
    workspace's private folder (mode 0600), so sessions survive a server restart and a
    second server on the same workspace accepts them. ``LINKWISE_WEB_SECRET`` overrides it
    (a deployment with several hosts sets the same value on each)."""
    configured = os.environ.get("LINKWISE_WEB_SECRET")
    if configured:
        return configured.encode("utf-8")
    path = ws.root / ".linkwise" / "web-secret"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".web-secret.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # the first server to link wins; the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="utf-8").strip().encode("utf-8")
