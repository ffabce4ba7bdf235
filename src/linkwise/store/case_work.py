"""Case history rows: events, notes, status and assignee changes, the case list, and the
entity redirects a case's subjects went through. Times are written in UTC and read back
aware, as in ``store.users``. The rules about who may change what are in
``linkwise.cases``; nothing here checks them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, func, insert, or_, select, update

from linkwise.model.cases import Case, CaseEvent, Note
from linkwise.store.tables import case_events, case_notes, cases, entity_redirects, sources
from linkwise.store.users import utc


@dataclass(frozen=True, slots=True)
class Redirect:
    """One move of records between entities in a resolution run."""

    old_id: str
    new_id: str | None
    kind: str
    records: int
    at: dt.datetime
    run_id: int


def insert_event(
    conn: Connection,
    *,
    case_id: int,
    actor_id: int,
    kind: str,
    detail: dict[str, Any],
    at: dt.datetime,
) -> CaseEvent:
    when = utc(at)
    key = conn.execute(
        insert(case_events).values(
            case_id=case_id, at=when, actor_id=actor_id, kind=kind, detail=detail
        )
    ).inserted_primary_key
    assert key is not None
    return CaseEvent(int(key[0]), case_id, when, actor_id, kind, dict(detail))


def events_of_case(conn: Connection, case_id: int) -> list[CaseEvent]:
    """The case's history, oldest first."""
    query = select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.id)
    return [_event(row) for row in conn.execute(query)]


def latest_events(conn: Connection, case_ids: Sequence[int], kind: str) -> dict[int, CaseEvent]:
    """Per case, its newest event of ``kind`` (cases with none are left out)."""
    if not case_ids:
        return {}
    newest = (
        select(func.max(case_events.c.id))
        .where(case_events.c.case_id.in_(list(case_ids)), case_events.c.kind == kind)
        .group_by(case_events.c.case_id)
    )
    query = select(case_events).where(case_events.c.id.in_(newest))
    return {int(row.case_id): _event(row) for row in conn.execute(query)}


def insert_note(
    conn: Connection, *, case_id: int, author_id: int, text: str, at: dt.datetime
) -> Note:
    when = utc(at)
    key = conn.execute(
        insert(case_notes).values(case_id=case_id, author_id=author_id, at=when, text=text)
    ).inserted_primary_key
    assert key is not None
    return Note(int(key[0]), case_id, author_id, when, text)


def notes_of_case(conn: Connection, case_id: int) -> list[Note]:
    query = select(case_notes).where(case_notes.c.case_id == case_id).order_by(case_notes.c.id)
    return [
        Note(int(r.id), int(r.case_id), int(r.author_id), utc(r.at), r.text)
        for r in conn.execute(query)
    ]


def move_status(conn: Connection, case_id: int, *, old: str, new: str) -> bool:
    """Set the case's status to ``new`` if it is still ``old``; False when another change
    got there first (the caller refuses rather than overwrite it)."""
    result = conn.execute(
        update(cases).where(cases.c.id == case_id, cases.c.status == old).values(status=new)
    )
    return result.rowcount == 1


def set_assignee(conn: Connection, case_id: int, assignee_id: int) -> None:
    conn.execute(update(cases).where(cases.c.id == case_id).values(assignee_id=assignee_id))


def list_cases(
    conn: Connection, *, statuses: Iterable[str] = (), assignee_id: int | None = None
) -> list[Case]:
    """Cases, newest first, optionally only those in ``statuses`` or assigned to one user."""
    query = select(cases).order_by(cases.c.id.desc())
    wanted = list(statuses)
    if wanted:
        query = query.where(cases.c.status.in_(wanted))
    if assignee_id is not None:
        query = query.where(cases.c.assignee_id == assignee_id)
    return [_case(row) for row in conn.execute(query)]


def redirects_touching(conn: Connection, entity_id: str, since: dt.datetime) -> list[Redirect]:
    """Redirects written after ``since`` that moved records out of or into the entity,
    oldest first: a split that kept the id, or another entity merged into it."""
    r = entity_redirects
    query = (
        select(r)
        .where(or_(r.c.old_id == entity_id, r.c.new_id == entity_id))
        .where(r.c.created_at > utc(since))
        .order_by(r.c.id)
    )
    return [
        Redirect(
            str(row.old_id),
            None if row.new_id is None else str(row.new_id),
            str(row.kind),
            int(row.records),
            utc(row.created_at),
            int(row.run_id),
        )
        for row in conn.execute(query)
    ]


def _event(row: Row[Any]) -> CaseEvent:
    return CaseEvent(
        id=int(row.id),
        case_id=int(row.case_id),
        at=utc(row.at),
        actor_id=int(row.actor_id),
        kind=row.kind,
        detail=dict(row.detail or {}),
    )


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


def declared_facts(conn: Connection) -> dict[str, dict[str, str]]:
    """Per registered source, the facts its manifest declares with their types: what a
    priority rule can be checked against."""
    out: dict[str, dict[str, str]] = {}
    for row in conn.execute(select(sources.c.name, sources.c.manifest)):
        facts = dict((row.manifest or {}).get("facts") or {})
        out[str(row.name)] = {
            str(name): str(dict(spec or {}).get("type") or "string") for name, spec in facts.items()
        }
    return out
