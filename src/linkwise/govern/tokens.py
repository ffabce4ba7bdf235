"""API tokens: bearer secrets for programs, issued to one user, expiring and revocable.

The secret is shown once, when issued; the store keeps only its SHA-256. A fast hash is
enough here (unlike passwords): the secret is 256 random bits, so there is nothing to guess.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import (
    AccountError,
    AccountStateError,
    AuthenticationError,
    InvalidFieldError,
    UnknownUserError,
    User,
    require_role,
    to_user,
    user_objects,
)
from linkwise.model.roles import Role
from linkwise.store import users as store

TOKEN_PREFIX = "lw_"
"""Marks a linkwise token, so secret scanners and people can recognise a leaked one."""
DEFAULT_TOKEN_TTL = dt.timedelta(days=90)
MAX_TOKEN_TTL = dt.timedelta(days=366)
MAX_TOKEN_NAME = 100


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    def status(self, now: dt.datetime | None = None) -> str:
        """``revoked``, ``expired`` or ``active``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if _now(now) >= self.expires_at else "active"


class UnknownTokenError(AccountError, LookupError):
    def __init__(self, token_id: int) -> None:
        super().__init__(f"no API token {token_id}")


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(
    conn: Connection,
    actor: User,
    user: User,
    name: str,
    ttl: dt.timedelta = DEFAULT_TOKEN_TTL,
    *,
    now: dt.datetime | None = None,
) -> str:
    """A new token for ``user``, issued by that user or an administrator. Returns the
    secret: this is the only time it exists outside the caller."""
    current = require_role(
        conn,
        actor,
        (Role.ADMINISTRATOR,),
        "token.issue",
        {**user_objects(user), "token_name": name},
        allow_self=user.id,
    )
    name = name.strip()
    if not name or len(name) > MAX_TOKEN_NAME:
        raise InvalidFieldError(
            "name", f"give the token a name of 1 to {MAX_TOKEN_NAME} characters (what uses it)"
        )
    if ttl <= dt.timedelta(0) or ttl > MAX_TOKEN_TTL:
        raise InvalidFieldError(
            "ttl", f"a token lives more than 0 and at most {MAX_TOKEN_TTL.days} days"
        )
    owner = store.user_by_id(conn, user.id)
    if owner is None:
        raise UnknownUserError(f"with id {user.id}")
    if owner.disabled:
        raise AccountStateError(f"{owner.username} is disabled; enable the account first")
    at = _now(now)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = store.insert_token(
        conn,
        user_id=owner.id,
        name=name,
        token_hash=hash_token(secret),
        created_at=at,
        expires_at=at + ttl,
    )
    audit.record(
        conn,
        actor=current.username,
        action="token.issue",
        objects={"token_id": token_id, "token_name": name, **user_objects(owner)},
        decision={"expires_at": (at + ttl).isoformat()},
    )
    return secret


def revoke_token(
    conn: Connection, actor: User, token_id: int, *, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke a token, by its owner or an administrator. Returns it as revoked."""
    row = store.token_by_id(conn, token_id)
    if row is None:
        raise UnknownTokenError(token_id)
    owner = store.user_by_id(conn, row.user_id)
    assert owner is not None
    objects = {"token_id": row.id, "token_name": row.name, **user_objects(owner)}
    current = require_role(
        conn, actor, (Role.ADMINISTRATOR,), "token.revoke", objects, allow_self=row.user_id
    )
    if row.revoked_at is not None:
        raise AccountStateError(f"token {token_id} was already revoked at {row.revoked_at:%c}")
    at = _now(now)
    store.update_token(conn, row.id, revoked_at=at)
    audit.record(conn, actor=current.username, action="token.revoke", objects=objects)
    token = store.token_by_id(conn, token_id)
    assert token is not None
    return _api_token(token)


LAST_USED_STEP = dt.timedelta(minutes=15)
"""How far behind a token's last-used time may fall before a request without a login
event (the API's, the web app's) brings it up to date."""


def authenticate_token(
    conn: Connection, secret: str, *, now: dt.datetime | None = None, record_use: bool = True
) -> User:
    """The user a token speaks for. An unknown, revoked or expired token, or one whose
    owner is disabled, raises AuthenticationError after its audit event is written.

    With ``record_use=False`` a successful check writes no ``login.ok`` event, and the
    last-used time only when it is ``LAST_USED_STEP`` or more behind: the web app and the
    API check their token on every request, and each request's reads are audited under
    the user already, so one login event (or one write) per request would only bury them.
    Failures are always recorded."""
    at = _now(now)
    row = store.token_by_hash(conn, hash_token(secret)) if secret.startswith(TOKEN_PREFIX) else None
    owner = store.user_by_id(conn, row.user_id) if row is not None else None
    if row is None or owner is None:
        reason = "unknown token" if secret.startswith(TOKEN_PREFIX) else "not a linkwise token"
        _record(conn, "login.failed", None, None, {"reason": reason})
        raise AuthenticationError()
    if row.revoked_at is not None:
        reason = "token revoked"
    elif at >= row.expires_at:
        reason = "token expired"
    elif owner.disabled:
        reason = "account disabled"
    else:
        if record_use:
            store.update_token(conn, row.id, last_used_at=at)
            _record(conn, "login.ok", row, owner, {})
        elif row.last_used_at is None or at - row.last_used_at >= LAST_USED_STEP:
            store.update_token(conn, row.id, last_used_at=at)
        return to_user(owner)
    _record(conn, "login.failed", row, owner, {"reason": reason})
    raise AuthenticationError()


def list_tokens(conn: Connection, user: User) -> list[ApiToken]:
    return [_api_token(row) for row in store.tokens_of(conn, user.id)]


def token_of(conn: Connection, secret: str) -> ApiToken | None:
    """The stored token a secret belongs to, whatever its state (no audit, no login)."""
    row = store.token_by_hash(conn, hash_token(secret))
    return None if row is None else _api_token(row)


def _record(
    conn: Connection,
    action: str,
    token: store.TokenRow | None,
    owner: store.UserRow | None,
    decision: dict[str, Any],
) -> None:
    objects: dict[str, Any] = {"method": "token", "token_id": token.id if token else None}
    if owner is not None:
        objects.update(user_objects(owner))
    audit.record(
        conn,
        actor=owner.username if owner is not None else "(unknown)",
        action=action,
        objects=objects,
        decision=decision,
    )


def _api_token(row: store.TokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _now(now: dt.datetime | None) -> dt.datetime:
    return store.utc(now) if now is not None else dt.datetime.now(dt.UTC)
