"""Users, their roles, and how they log in (DESIGN.md §2: every governed operation is bound
to an actor).

Only an administrator adds, disables or enables users or changes roles. The one exception
is the bootstrap: the first user of an empty workspace is created with no actor, and must
be an administrator. The last enabled administrator can be neither disabled nor demoted, so
a workspace never loses the means to manage its users.

Repeated wrong passwords lock an account (``MAX_FAILED_LOGINS`` in a row lock it for
``LOCKOUT``; a successful login resets the count). From outside, a locked, disabled or
unknown account fails exactly like a wrong password; the audit event says which it was.
Every change and every login attempt writes an audit event in the caller's transaction;
no event ever holds a password, a hash or a token secret.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import (
    AccountError,
    AccountStateError,
    AuditedRefusalError,
    AuthenticationError,
    InvalidFieldError,
    RoleRequiredError,
    UnknownUserError,
    User,
    one_line,
    require_role,
    to_user,
    user_objects,
)
from linkwise.govern.passwords import (
    MIN_PASSWORD_LENGTH,
    PasswordPolicyError,
    check_policy,
    hash_password,
    spend_verification_time,
    verify_password,
)
from linkwise.govern.tokens import (
    DEFAULT_TOKEN_TTL,
    MAX_TOKEN_TTL,
    TOKEN_PREFIX,
    ApiToken,
    UnknownTokenError,
    authenticate_token,
    issue_token,
    list_tokens,
    revoke_token,
    token_of,
)
from linkwise.model.roles import Role
from linkwise.store import users as store

__all__ = [
    "DEFAULT_TOKEN_TTL",
    "LOCKOUT",
    "MAX_FAILED_LOGINS",
    "MAX_TOKEN_TTL",
    "MIN_PASSWORD_LENGTH",
    "TOKEN_PREFIX",
    "Account",
    "AccountError",
    "AccountStateError",
    "ApiToken",
    "AuditedRefusalError",
    "AuthenticationError",
    "InvalidFieldError",
    "PasswordPolicyError",
    "RoleRequiredError",
    "UnknownTokenError",
    "UnknownUserError",
    "User",
    "add_user",
    "authenticate",
    "authenticate_token",
    "check_username",
    "disable_user",
    "enable_user",
    "get_user",
    "get_user_by_name",
    "has_users",
    "issue_token",
    "list_accounts",
    "list_tokens",
    "list_users",
    "revoke_token",
    "set_password",
    "set_role",
    "token_of",
]

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
USERNAME = re.compile(r"[a-z][a-z0-9._-]{0,63}")
MAX_DISPLAY_NAME = 200
BOOTSTRAP = "(bootstrap)"
"""``created_by`` of the first user; not a valid username, so never mistaken for one."""
_MANAGERS = (Role.ADMINISTRATOR,)


@dataclass(frozen=True, slots=True)
class Account:
    """A user with what an administrator needs to see about the account."""

    user: User
    created_at: dt.datetime
    created_by: str
    locked_until: dt.datetime | None
    """Set only while the account is locked."""


# -- reading -------------------------------------------------------------------------------


def get_user(conn: Connection, user_id: int) -> User | None:
    row = store.user_by_id(conn, user_id)
    return None if row is None else to_user(row)


def get_user_by_name(conn: Connection, username: str) -> User | None:
    row = store.user_by_name(conn, username)
    return None if row is None else to_user(row)


def list_users(conn: Connection) -> list[User]:
    """Every user, by username."""
    return [to_user(row) for row in store.all_users(conn)]


def list_accounts(conn: Connection, now: dt.datetime | None = None) -> list[Account]:
    at = _now(now)
    return [
        Account(
            user=to_user(row),
            created_at=row.created_at,
            created_by=row.created_by,
            locked_until=row.locked_until if _locked(row, at) else None,
        )
        for row in store.all_users(conn)
    ]


def has_users(conn: Connection) -> bool:
    return store.count_users(conn) > 0


# -- changing ------------------------------------------------------------------------------


def add_user(
    conn: Connection,
    actor: User | None,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    *,
    now: dt.datetime | None = None,
) -> User:
    """Create a user. ``actor`` must be an administrator, or None to create the first user
    of an empty workspace (who must be an administrator)."""
    if actor is None and store.count_users(conn) == 0:
        creator = BOOTSTRAP
    else:
        creator = require_role(conn, actor, _MANAGERS, "user.add", {"user": username}).username
    username = check_username(username)
    new_role = _role(role)
    if creator == BOOTSTRAP and new_role is not Role.ADMINISTRATOR:
        raise InvalidFieldError(
            "role",
            "the first user of a workspace must be an administrator, who then adds the others",
        )
    display = one_line(display_name) or username
    if len(display) > MAX_DISPLAY_NAME:
        raise InvalidFieldError("display_name", f"at most {MAX_DISPLAY_NAME} characters")
    if store.user_by_name(conn, username) is not None:
        raise InvalidFieldError("username", f"{username!r} is taken")
    check_policy(password, username)
    user_id = store.insert_user(
        conn,
        username=username,
        display_name=display,
        role=new_role.value,
        password_hash=hash_password(password),
        created_at=_now(now),
        created_by=creator,
    )
    user = User(user_id, username, display, new_role, disabled=False)
    audit.record(
        conn,
        actor=username if creator == BOOTSTRAP else creator,
        action="user.add",
        objects=user_objects(user),
        decision={"role": new_role.value, "bootstrap": creator == BOOTSTRAP},
    )
    return user


def disable_user(conn: Connection, actor: User, user: User) -> User:
    """Stop a user logging in or using tokens (kept, not deleted: the audit log names them)."""
    current = require_role(conn, actor, _MANAGERS, "user.disable", user_objects(user))
    row = _fresh(conn, user)
    if row.disabled:
        raise AccountStateError(f"{row.username} is already disabled")
    _keep_an_administrator(conn, row, "disabling")
    store.update_user(conn, row.id, disabled=True)
    audit.record(conn, actor=current.username, action="user.disable", objects=user_objects(row))
    return replace(to_user(row), disabled=True)


def enable_user(
    conn: Connection, actor: User, user: User, *, now: dt.datetime | None = None
) -> User:
    """Let a disabled or locked-out user log in again (clears the failed-login count)."""
    current = require_role(conn, actor, _MANAGERS, "user.enable", user_objects(user))
    row = _fresh(conn, user)
    locked = _locked(row, _now(now))
    if not row.disabled and not locked:
        raise AccountStateError(f"{row.username} is enabled and not locked out")
    store.update_user(conn, row.id, disabled=False, failed_logins=0, locked_until=None)
    audit.record(
        conn,
        actor=current.username,
        action="user.enable",
        objects=user_objects(row),
        decision={"was_disabled": row.disabled, "was_locked": locked},
    )
    return replace(to_user(row), disabled=False)


def set_role(conn: Connection, actor: User, user: User, role: Role | str) -> User:
    current = require_role(conn, actor, _MANAGERS, "user.role", user_objects(user))
    new_role = _role(role)
    row = _fresh(conn, user)
    if row.role == new_role.value:
        raise AccountStateError(f"{row.username} is already {new_role.value}")
    if new_role is not Role.ADMINISTRATOR:
        _keep_an_administrator(conn, row, "changing the role of")
    store.update_user(conn, row.id, role=new_role.value)
    audit.record(
        conn,
        actor=current.username,
        action="user.role",
        objects=user_objects(row),
        decision={"from": row.role, "to": new_role.value},
    )
    return replace(to_user(row), role=new_role)


def set_password(conn: Connection, actor: User, user: User, password: str) -> None:
    """A user changes their own password, or an administrator resets anyone's (which also
    lifts a lockout)."""
    current = require_role(
        conn, actor, _MANAGERS, "user.password", user_objects(user), allow_self=user.id
    )
    row = _fresh(conn, user)
    check_policy(password, row.username)
    store.update_user(
        conn,
        row.id,
        password_hash=hash_password(password),
        failed_logins=0,
        locked_until=None,
    )
    audit.record(
        conn,
        actor=current.username,
        action="user.password",
        objects=user_objects(row),
        decision={"by": "self" if current.id == row.id else "administrator"},
    )


# -- logging in ----------------------------------------------------------------------------


def authenticate(
    conn: Connection, username: str, password: str, now: dt.datetime | None = None
) -> User:
    """The user these credentials belong to, or AuthenticationError (raised after the
    failure, and any lockout, was written: commit before re-raising)."""
    at = _now(now)
    valid_name = USERNAME.fullmatch(username) is not None
    row = store.user_by_name(conn, username, for_update=True) if valid_name else None
    if row is None:
        spend_verification_time(password)
        # A string that cannot be a username may be a password typed in the wrong box.
        _login_failed(conn, username if valid_name else None, None, {"reason": "unknown user"})
        raise AuthenticationError()
    check = verify_password(row.password_hash, password)
    if row.disabled:
        _login_failed(conn, username, row, {"reason": "account disabled"})
    elif _locked(row, at):
        assert row.locked_until is not None
        until = row.locked_until.isoformat()
        _login_failed(conn, username, row, {"reason": "account locked", "locked_until": until})
    elif not check.ok:
        _count_failure(conn, row, at)
    else:
        values: dict[str, object] = {}
        if row.failed_logins or row.locked_until is not None:
            values.update(failed_logins=0, locked_until=None)
        if check.new_hash is not None:
            values["password_hash"] = check.new_hash
        if values:
            store.update_user(conn, row.id, **values)
        audit.record(
            conn,
            actor=row.username,
            action="login.ok",
            objects={"method": "password", **user_objects(row)},
            decision={"rehashed": check.new_hash is not None},
        )
        return to_user(row)
    raise AuthenticationError()


def _count_failure(conn: Connection, row: store.UserRow, at: dt.datetime) -> None:
    failures = row.failed_logins + 1
    _login_failed(conn, row.username, row, {"reason": "wrong password", "failed_logins": failures})
    if failures < MAX_FAILED_LOGINS:
        store.update_user(conn, row.id, failed_logins=failures, locked_until=None)
        return
    # The count starts again, so after the lockout the user has a full set of attempts.
    until = at + LOCKOUT
    store.update_user(conn, row.id, failed_logins=0, locked_until=until)
    audit.record(
        conn,
        actor=row.username,
        action="user.locked",
        objects=user_objects(row),
        decision={"failed_logins": failures, "locked_until": until.isoformat()},
    )


def _login_failed(
    conn: Connection, username: str | None, row: store.UserRow | None, decision: dict[str, Any]
) -> None:
    audit.record(
        conn,
        actor=row.username if row is not None else "(unknown)",
        action="login.failed",
        objects={
            "method": "password",
            "user_id": row.id if row is not None else None,
            "user": username,
        },
        decision=decision,
    )


# -- helpers -------------------------------------------------------------------------------


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise InvalidFieldError(
            "username",
            f"{username!r} is not allowed: use 1 to 64 lowercase letters, digits, '.', '_' "
            "or '-', starting with a letter",
        )
    return username


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise InvalidFieldError("role", f"{value!r} is not one of {choices}") from None


def _fresh(conn: Connection, user: User) -> store.UserRow:
    row = store.user_by_id(conn, user.id, for_update=True)
    if row is None:
        raise UnknownUserError(f"with id {user.id}")
    return row


def _keep_an_administrator(conn: Connection, row: store.UserRow, doing: str) -> None:
    if row.role != Role.ADMINISTRATOR.value or row.disabled:
        return
    if store.count_enabled_with_role(conn, Role.ADMINISTRATOR.value) <= 1:
        raise AccountStateError(
            f"{row.username} is the only enabled administrator; {doing} them would leave "
            "nobody able to manage users: make another user administrator first"
        )


def _locked(row: store.UserRow, at: dt.datetime) -> bool:
    return row.locked_until is not None and at < row.locked_until


def _now(now: dt.datetime | None) -> dt.datetime:
    return store.utc(now) if now is not None else dt.datetime.now(dt.UTC)
