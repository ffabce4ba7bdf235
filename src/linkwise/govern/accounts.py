"""Who acts: the ``User`` every governed operation is bound to, the errors of account
management, and the role check that records each refusal in the audit log.

Some refusals are worth keeping even though the operation fails: a failed login counts
towards a lockout, and an analyst trying to add a user is something an auditor should see.
Those errors subclass ``AuditedRefusalError``: they are raised *after* their audit event was
written in the caller's transaction, and the caller should commit that transaction before
passing the error on (``linkwise.workspace.users`` does).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.model.roles import Role
from linkwise.store import users as store


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool


def one_line(text: str) -> str:
    """``text`` as one line to show others: control characters (a terminal's escape
    sequences, tabs, line breaks) become spaces, and runs of spaces one."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


class AccountError(Exception):
    """Any refusal of a user or token operation; the message says what to do."""


class AuditedRefusalError(AccountError):
    """Raised after its audit event was written: commit, then re-raise."""


class AuthenticationError(AuditedRefusalError):
    """Login refused. The message never says why (unknown user, wrong password, locked or
    disabled account, bad token look the same from outside); the audit event does."""

    def __init__(self) -> None:
        super().__init__(
            "authentication failed: wrong username, password or token, or the account is "
            "locked or disabled (ask an administrator if this persists)"
        )


class RoleRequiredError(AuditedRefusalError, PermissionError):
    """The acting user's role does not allow the operation."""

    def __init__(
        self, action: str, needs: Iterable[Role], actor: User | None, *, or_self: bool = False
    ) -> None:
        self.action = action
        self.needs = tuple(needs)
        names = " or ".join(role.value for role in self.needs)
        also = " (or to be the user concerned)" if or_self else ""
        if actor is None:
            who = "nobody is acting (only the first user of an empty workspace needs no actor)"
        elif actor.disabled:
            who = f"{actor.username}'s account is disabled"
        else:
            who = f"{actor.username} is {actor.role.value}"
        super().__init__(f"{action} needs the {names} role{also}; {who}")


class InvalidFieldError(AccountError, ValueError):
    """Bad input; ``field`` names the input at fault."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class UnknownUserError(AccountError, LookupError):
    def __init__(self, what: str) -> None:
        super().__init__(f"no user {what}")


class AccountStateError(AccountError, ValueError):
    """The operation makes no sense in the account's (or token's) current state."""


def to_user(row: store.UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        disabled=row.disabled,
    )


def user_objects(user: User | store.UserRow) -> dict[str, Any]:
    """How an audit event names a user."""
    return {"user_id": user.id, "user": user.username}


def require_role(
    conn: Connection,
    actor: User | None,
    needs: Iterable[Role],
    action: str,
    objects: Mapping[str, Any],
    *,
    allow_self: int | None = None,
) -> User:
    """The actor as stored now (role and disabled flag re-read, never trusted from the
    caller), if its role is one of ``needs`` or it is user ``allow_self``. Otherwise write a
    ``permission.denied`` audit event and raise RoleRequiredError."""
    needed = tuple(needs)
    current = None
    if actor is not None:
        row = store.user_by_id(conn, actor.id)
        current = to_user(row) if row is not None else None
    if (
        current is not None
        and not current.disabled
        and (current.role in needed or current.id == allow_self)
    ):
        return current
    shown = current or actor
    error = RoleRequiredError(action, needed, shown, or_self=allow_self is not None)
    audit.record(
        conn,
        actor=shown.username if shown is not None else "(anonymous)",
        action="permission.denied",
        objects={"action": action, **objects},
        decision={
            "allowed": False,
            "reason": str(error),
            "needs": [role.value for role in needed],
            "role": shown.role.value if shown is not None else None,
            "disabled": shown.disabled if shown is not None else None,
        },
    )
    raise error
