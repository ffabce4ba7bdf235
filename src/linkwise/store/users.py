"""Users and API tokens: the rows behind ``linkwise.govern.users``, which owns the rules.

SQLite keeps no time zone with a timestamp; every time here is written in UTC and read back
as an aware UTC datetime, so the rules compare like with like on both backends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from linkwise.store.tables import api_tokens, users


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    password_hash: str
    disabled: bool
    failed_logins: int
    locked_until: dt.datetime | None
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    user_id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC time (a naive one is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _utc_or_none(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)


def _user(row: Row[Any]) -> UserRow:
    return UserRow(
        id=int(row.id),
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        password_hash=row.password_hash,
        disabled=bool(row.disabled),
        failed_logins=int(row.failed_logins),
        locked_until=_utc_or_none(row.locked_until),
        created_at=utc(row.created_at),
        created_by=row.created_by,
    )


def _token(row: Row[Any]) -> TokenRow:
    return TokenRow(
        id=int(row.id),
        user_id=int(row.user_id),
        name=row.name,
        created_at=utc(row.created_at),
        expires_at=utc(row.expires_at),
        revoked_at=_utc_or_none(row.revoked_at),
        last_used_at=_utc_or_none(row.last_used_at),
    )


# -- users ---------------------------------------------------------------------------------


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def count_enabled_with_role(conn: Connection, role: str) -> int:
    query = select(func.count()).where(users.c.role == role, users.c.disabled.is_(False))
    return int(conn.execute(query).scalar_one())


def insert_user(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    role: str,
    password_hash: str,
    created_at: dt.datetime,
    created_by: str,
) -> int:
    key = conn.execute(
        insert(users).values(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            disabled=False,
            failed_logins=0,
            locked_until=None,
            created_at=utc(created_at),
            created_by=created_by,
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


_BY_ID = select(users).where(users.c.id == bindparam("id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()


def user_by_id(conn: Connection, user_id: int, *, for_update: bool = False) -> UserRow | None:
    """One user; ``for_update`` locks the row until the transaction ends (PostgreSQL), so
    that concurrent logins count their failures one after the other."""
    query = _BY_ID_FOR_UPDATE if for_update else _BY_ID
    row = conn.execute(query, {"id": user_id}).first()
    return None if row is None else _user(row)


def user_by_name(conn: Connection, username: str, *, for_update: bool = False) -> UserRow | None:
    query = select(users).where(users.c.username == username)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return None if row is None else _user(row)


def all_users(conn: Connection) -> list[UserRow]:
    return [_user(row) for row in conn.execute(select(users).order_by(users.c.username))]


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    """Set columns of one user; times are stored in UTC."""
    clean = {k: utc(v) if isinstance(v, dt.datetime) else v for k, v in values.items()}
    conn.execute(update(users).where(users.c.id == user_id).values(**clean))


# -- API tokens ----------------------------------------------------------------------------


def insert_token(
    conn: Connection,
    *,
    user_id: int,
    name: str,
    token_hash: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    key = conn.execute(
        insert(api_tokens).values(
            user_id=user_id,
            name=name,
            token_hash=token_hash,
            created_at=utc(created_at),
            expires_at=utc(expires_at),
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


def token_by_id(conn: Connection, token_id: int) -> TokenRow | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    return None if row is None else _token(row)


def token_by_hash(conn: Connection, token_hash: str) -> TokenRow | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
    return None if row is None else _token(row)


def tokens_of(conn: Connection, user_id: int) -> list[TokenRow]:
    query = select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
    return [_token(row) for row in conn.execute(query)]


def update_token(conn: Connection, token_id: int, **values: Any) -> None:
    """Set columns of one token; times are stored in UTC."""
    clean = {k: utc(v) if isinstance(v, dt.datetime) else v for k, v in values.items()}
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(**clean))
