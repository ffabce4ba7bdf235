"""Case rows and their subjects. Times are written in UTC and read back aware, as in
``store.users``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from linkwise.model.cases import OPEN, SUBJECT_ACTIVE, Case, Subject
from linkwise.store.tables import case_subjects, cases
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


# -- subjects ------------------------------------------------------------------------------


def insert_subject(
    conn: Connection,
    *,
    case_id: int,
    entity_id: str,
    added_by: int,
    added_at: dt.datetime,
    reason: str,
) -> Subject:
    when = utc(added_at)
    key = conn.execute(
        insert(case_subjects).values(
            case_id=case_id,
            entity_id=entity_id,
            status=SUBJECT_ACTIVE,
            added_by=added_by,
            added_at=when,
            reason=reason,
        )
    ).inserted_primary_key
    assert key is not None
    found = subject_by_id(conn, int(key[0]))
    assert found is not None
    return found


def subject_by_id(conn: Connection, subject_id: int) -> Subject | None:
    row = conn.execute(select(case_subjects).where(case_subjects.c.id == subject_id)).first()
    return None if row is None else _subject(row)


def subjects_of_case(
    conn: Connection, case_id: int, *, include_ended: bool = False
) -> list[Subject]:
    """The case's subjects, oldest first: the active ones, or with ``include_ended`` every
    row (replaced and removed too), for the case's history."""
    query = select(case_subjects).where(case_subjects.c.case_id == case_id)
    if not include_ended:
        query = query.where(case_subjects.c.status == SUBJECT_ACTIVE)
    return [_subject(row) for row in conn.execute(query.order_by(case_subjects.c.id))]


def end_subject(
    conn: Connection,
    subject_id: int,
    *,
    status: str,
    ended_by: int,
    ended_at: dt.datetime,
    replaced_by: int | None = None,
) -> None:
    """Mark an active subject row replaced (by ``replaced_by``) or removed."""
    conn.execute(
        update(case_subjects)
        .where(case_subjects.c.id == subject_id, case_subjects.c.status == SUBJECT_ACTIVE)
        .values(status=status, ended_by=ended_by, ended_at=utc(ended_at), replaced_by=replaced_by)
    )


def _subject(row: Row[Any]) -> Subject:
    return Subject(
        id=int(row.id),
        case_id=int(row.case_id),
        entity_id=str(row.entity_id),
        status=row.status,
        added_by=int(row.added_by),
        added_at=utc(row.added_at),
        reason=row.reason,
        replaced_by=None if row.replaced_by is None else int(row.replaced_by),
        ended_by=None if row.ended_by is None else int(row.ended_by),
        ended_at=None if row.ended_at is None else utc(row.ended_at),
    )
