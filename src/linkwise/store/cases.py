"""Case rows: the minimum authorisations and governed sessions need (id, title, purpose,
status). Times are written in UTC and read back aware, as in ``store.users``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select

from linkwise.model.cases import OPEN, Case
from linkwise.store.tables import cases
from linkwise.store.users import utc


def insert_case(
    conn: Connection, *, title: str, purpose: str, created_by: int, created_at: dt.datetime
) -> Case:
    when = utc(created_at)
    key = conn.execute(
        insert(cases).values(
            title=title,
            purpose=purpose,
            status=OPEN,
            assignee_id=created_by,
            created_by=created_by,
            created_at=when,
        )
    ).inserted_primary_key
    assert key is not None
    return Case(int(key[0]), title, purpose, OPEN, created_by, created_by, when)


_BY_ID = select(cases).where(cases.c.id == bindparam("id"))


def case_by_id(conn: Connection, case_id: int) -> Case | None:
    row = conn.execute(_BY_ID, {"id": case_id}).first()
    return None if row is None else _case(row)


def _case(row: Row[Any]) -> Case:
    return Case(
        id=int(row.id),
        title=row.title,
        purpose=row.purpose,
        status=row.status,
        assignee_id=None if row.assignee_id is None else int(row.assignee_id),
        created_by=int(row.created_by),
        created_at=utc(row.created_at),
    )
