"""Policy pack versions as loaded into the workspace (one row per distinct pack text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from linkwise.store import tables as t


def latest(conn: Connection) -> dict[str, Any] | None:
    pv = t.policy_versions
    row = conn.execute(select(pv).order_by(pv.c.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def latest_sha256(conn: Connection) -> str | None:
    """The hash of the pack in force, without its text (every session's opening asks)."""
    pv = t.policy_versions
    return conn.execute(select(pv.c.sha256).order_by(pv.c.id.desc()).limit(1)).scalar()


def add(
    conn: Connection,
    *,
    name: str,
    version: str,
    sha256: str,
    content: str,
    loaded_by: str,
    at: datetime,
) -> int:
    result = conn.execute(
        insert(t.policy_versions).values(
            name=name,
            version=version,
            sha256=sha256,
            content=content,
            loaded_at=at,
            loaded_by=loaded_by,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def history(conn: Connection) -> list[dict[str, Any]]:
    pv = t.policy_versions
    query = select(pv.c.id, pv.c.name, pv.c.version, pv.c.sha256, pv.c.loaded_at, pv.c.loaded_by)
    return [dict(row) for row in conn.execute(query.order_by(pv.c.id)).mappings()]
