"""The case lifecycle: create, assign, move, note, and the subjects a case concerns.

Each change is one step of the case's history (a ``case_events`` row) and one audit event,
both written in the caller's transaction, so they commit together with the change or not at
all. Who may make which change is in ``linkwise.cases.rules``; a refusal is audited as
``permission.denied`` and raised after its event (commit, then re-raise). Bad input and
changes the case's state does not allow roll back and leave nothing.

Audit events name the case, the status moved from and to, the assignee, subject rows and
entity ids; never a note's text (it may hold person data the log must not copy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from linkwise.cases import rules
from linkwise.cases.rules import CASE_ROLES, CaseStateError, permit
from linkwise.cases.subjects import SubjectState, subject_state
from linkwise.govern import audit
from linkwise.govern.accounts import User
from linkwise.govern.cases import InvalidCaseError, open_case, require_case
from linkwise.govern.session import current_ids
from linkwise.govern.users import get_user, get_user_by_name
from linkwise.model.cases import (
    CLOSED,
    IN_REVIEW,
    READY_FOR_LEGAL,
    STATUSES,
    SUBJECT_REMOVED,
    SUBJECT_REPLACED,
    TRANSITIONS,
    Case,
    Note,
    Subject,
)
from linkwise.model.policy import PolicyPack
from linkwise.store import case_work, reads
from linkwise.store import cases as case_store

MAX_NOTE = 10_000
MAX_REASON = 2_000
NEEDS_SETTLED_SUBJECTS = (IN_REVIEW, READY_FOR_LEGAL)
"""Moves refused while a subject needs confirmation: review and legal work must rest on the
person the case is about, not on an id resolution has since changed."""


def create_case(
    conn: Connection,
    actor: User,
    title: str,
    purpose: str,
    *,
    pack: PolicyPack,
    subjects: Sequence[str] = (),
    reason: str = "named when the case was opened",
    now: dt.datetime | None = None,
) -> Case:
    """Open a case with ``purpose`` (``linkwise.govern.cases.open_case``: assigned to its
    opener) and add each entity of ``subjects``, all in the caller's transaction."""
    case = open_case(conn, actor, title, purpose, pack=pack, now=now)
    for entity_id in subjects:
        add_subject(conn, actor, case.id, entity_id, reason, now=now)
    return case


def assign(
    conn: Connection, actor: User, case_id: int, assignee: str, *, now: dt.datetime | None = None
) -> Case:
    """Give the case to ``assignee`` (a username), who must be an enabled case worker."""
    case = require_case(conn, case_id)
    current = permit(conn, actor, case, rules.ASSIGN, "case.assign", {"case_id": case_id})
    _not_closed(case, "assign")
    target = get_user_by_name(conn, assignee)
    if target is None:
        raise InvalidCaseError("assignee", f"no user {assignee!r}")
    if target.disabled or target.role not in CASE_ROLES:
        state = "disabled" if target.disabled else target.role.value
        roles = ", ".join(r.value for r in CASE_ROLES)
        raise InvalidCaseError(
            "assignee", f"{target.username} is {state}; cases are worked by the {roles} roles"
        )
    if case.assignee_id == target.id:
        raise CaseStateError(f"case #{case.id} is already assigned to {target.username}")
    case_work.set_assignee(conn, case.id, target.id)
    previous = _username(conn, case.assignee_id)
    _history(
        conn,
        current,
        case,
        kind="assigned",
        action="case.assign",
        detail={"from": previous, "to": target.username},
        objects={"assignee": target.username, "assignee_id": target.id, "previous": previous},
        rule="case.assign",
        now=now,
    )
    return _reload(conn, case.id)


def move(
    conn: Connection,
    actor: User,
    case_id: int,
    status: str,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Move the case to ``status`` along the lifecycle (``TRANSITIONS``), if the actor may
    make that move (``rules.MOVES``)."""
    if status not in STATUSES:
        raise InvalidCaseError("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    case = require_case(conn, case_id)
    old = case.status
    if status == old:
        raise CaseStateError(f"case #{case.id} is already {old}")
    if status not in TRANSITIONS[old]:
        allowed = ", ".join(TRANSITIONS[old])
        raise CaseStateError(f"case #{case.id} is {old}; from there it can move to {allowed}")
    objects = {"case_id": case.id, "from": old, "to": status}
    current = permit(conn, actor, case, rules.MOVES[(old, status)], "case.move", objects)
    note = _clean(reason, "reason", MAX_REASON, required=False)
    if status in NEEDS_SETTLED_SUBJECTS:
        require_settled_subjects(conn, case, f"move to {status}")
    if not case_work.move_status(conn, case.id, old=old, new=status):
        raise CaseStateError(f"case #{case.id} changed meanwhile; look at it again and retry")
    _history(
        conn,
        current,
        case,
        kind="status",
        action="case.move",
        detail={"from": old, "to": status, "reason": note},
        objects={"from": old, "to": status},
        rule=f"case.move.{old}.{status}",
        extra={"reason": note},
        now=now,
    )
    return _reload(conn, case.id)


def add_note(
    conn: Connection, actor: User, case_id: int, text: str, *, now: dt.datetime | None = None
) -> Note:
    """Add a note to the case's history. The audit event names the note, not its text."""
    case = require_case(conn, case_id)
    current = permit(conn, actor, case, rules.NOTE, "case.note", {"case_id": case_id})
    _not_closed(case, "add a note to")
    body = _clean(text, "text", MAX_NOTE, required=True, collapse=False)
    note = case_work.insert_note(
        conn, case_id=case.id, author_id=current.id, text=body, at=_now(now)
    )
    _history(
        conn,
        current,
        case,
        kind="note",
        action="case.note",
        detail={"note_id": note.id},
        objects={"note_id": note.id},
        rule="case.note",
        extra={"length": len(body)},
        now=now,
    )
    return note


def add_subject(
    conn: Connection,
    actor: User,
    case_id: int,
    entity_id: str,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> Subject:
    """Name an active entity as a subject of the case, with why."""
    case = require_case(conn, case_id)
    objects = {"case_id": case_id, "entity_id": entity_id}
    current = permit(conn, actor, case, rules.SUBJECTS, "case.subject.add", objects)
    _not_closed(case, "add a subject to")
    why = _clean(reason, "reason", MAX_REASON, required=True)
    _active_entity(conn, entity_id)
    if _active_row(conn, case.id, entity_id) is not None:
        raise CaseStateError(f"entity {entity_id} is already a subject of case #{case.id}")
    subject = case_store.insert_subject(
        conn,
        case_id=case.id,
        entity_id=entity_id,
        added_by=current.id,
        added_at=_now(now),
        reason=why,
    )
    _history(
        conn,
        current,
        case,
        kind="subject.added",
        action="case.subject.add",
        detail={"subject_id": subject.id, "entity_id": entity_id, "reason": why},
        objects={"subject_id": subject.id, "entity_id": entity_id},
        rule="case.subject.add",
        now=now,
    )
    return subject


def remove_subject(
    conn: Connection,
    actor: User,
    case_id: int,
    entity_id: str,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> Subject:
    """End the subject row naming ``entity_id`` as removed (kept in the history)."""
    case = require_case(conn, case_id)
    objects = {"case_id": case_id, "entity_id": entity_id}
    current = permit(conn, actor, case, rules.SUBJECTS, "case.subject.remove", objects)
    _not_closed(case, "remove a subject from")
    why = _clean(reason, "reason", MAX_REASON, required=True)
    row = _require_row(conn, case, entity_id)
    at = _now(now)
    case_store.end_subject(conn, row.id, status=SUBJECT_REMOVED, ended_by=current.id, ended_at=at)
    _history(
        conn,
        current,
        case,
        kind="subject.removed",
        action="case.subject.remove",
        detail={"subject_id": row.id, "entity_id": entity_id, "reason": why},
        objects={"subject_id": row.id, "entity_id": entity_id},
        rule="case.subject.remove",
        now=now,
    )
    return _subject(conn, row.id)


def confirm_subject(
    conn: Connection,
    actor: User,
    case_id: int,
    entity_id: str,
    confirmed: Sequence[str],
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> list[Subject]:
    """After a merge or split, say which entity (or entities) the case concerns in place of
    the subject ``entity_id``: its row ends as replaced (by the first new row) and each
    confirmed entity becomes an active subject (an existing active row is kept as it is).
    Each entity given must be one the old subject's records are in now."""
    case = require_case(conn, case_id)
    objects = {"case_id": case_id, "entity_id": entity_id, "entity_ids": list(confirmed)}
    current = permit(conn, actor, case, rules.SUBJECTS, "case.subject.confirm", objects)
    _not_closed(case, "confirm a subject of")
    why = _clean(reason, "reason", MAX_REASON, required=True)
    row = _require_row(conn, case, entity_id)
    state = subject_state(conn, row)
    if not state.needs_confirmation:
        raise CaseStateError(
            f"entity {entity_id} has not changed since it was added to case #{case.id}; "
            "there is nothing to confirm"
        )
    chosen = _chosen(state, confirmed)
    at = _now(now)
    rows = [_confirmed_row(conn, current, case, e, row, why, at) for e in chosen]
    case_store.end_subject(
        conn,
        row.id,
        status=SUBJECT_REPLACED,
        ended_by=current.id,
        ended_at=at,
        replaced_by=rows[0].id,
    )
    _history(
        conn,
        current,
        case,
        kind="subject.confirmed",
        action="case.subject.confirm",
        detail={
            "subject_id": row.id,
            "entity_id": entity_id,
            "entity_ids": chosen,
            "replaced_by": [r.id for r in rows],
            "change": state.summary(),
            "reason": why,
        },
        objects={
            "subject_id": row.id,
            "entity_id": entity_id,
            "entity_ids": chosen,
            "replaced_by": [r.id for r in rows],
        },
        rule="case.subject.confirm",
        extra={"entity_status": state.entity_status},
        now=now,
    )
    return rows


def subject_states(conn: Connection, case_id: int) -> list[SubjectState]:
    """The case's active subjects, each with what re-resolution did to it."""
    return [subject_state(conn, s) for s in case_store.subjects_of_case(conn, case_id)]


# -- helpers -------------------------------------------------------------------------------


def _history(
    conn: Connection,
    actor: User,
    case: Case,
    *,
    kind: str,
    action: str,
    detail: dict[str, Any],
    objects: Mapping[str, Any],
    rule: str,
    extra: Mapping[str, Any] | None = None,
    now: dt.datetime | None,
) -> None:
    """The change's ``case_events`` row and audit event, in the caller's transaction."""
    event = case_work.insert_event(
        conn, case_id=case.id, actor_id=actor.id, kind=kind, detail=detail, at=_now(now)
    )
    audit.record(
        conn,
        actor=actor.username,
        action=action,
        objects={"case_id": case.id, "case_event_id": event.id, **objects},
        decision={"allowed": True, "rule": rule, "role": actor.role.value, **(extra or {})},
        case_id=case.id,
    )


def _chosen(state: SubjectState, confirmed: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(e.strip() for e in confirmed if e.strip()))
    offered = ", ".join(state.now_in) or "none"
    if not chosen:
        raise InvalidCaseError(
            "entity", f"name the entity (or entities) the case concerns now: one of {offered}"
        )
    unknown = [e for e in chosen if e not in state.now_in]
    if unknown:
        raise InvalidCaseError(
            "entity",
            f"{', '.join(unknown)} is not where the records of {state.subject.entity_id} are "
            f"now (one of {offered}); to name another person, add them as a subject",
        )
    return chosen


def _confirmed_row(
    conn: Connection,
    actor: User,
    case: Case,
    entity_id: str,
    old: Subject,
    why: str,
    at: dt.datetime,
) -> Subject:
    existing = _active_row(conn, case.id, entity_id)
    if existing is not None and existing.id != old.id:
        return existing
    return case_store.insert_subject(
        conn,
        case_id=case.id,
        entity_id=entity_id,
        added_by=actor.id,
        added_at=at,
        reason=f"confirmed in place of {old.entity_id}: {why}",
    )


def require_settled_subjects(conn: Connection, case: Case, doing: str) -> None:
    """Refuse ``doing`` (a move, a draft, a sign-off) while a subject of the case needs
    confirmation after re-resolution: until the assignee says which person the case
    concerns, its records may be another person's."""
    pending = [s for s in subject_states(conn, case.id) if s.needs_confirmation]
    if pending:
        names = ", ".join(s.subject.entity_id for s in pending)
        raise CaseStateError(
            f"case #{case.id} cannot {doing} while subject(s) {names} need "
            "confirmation after re-resolution; confirm them with `linkwise case subject "
            "confirm` first"
        )


def _active_entity(conn: Connection, entity_id: str) -> None:
    status = reads.entity_status(conn, entity_id)
    if status is None:
        raise InvalidCaseError("entity", f"no entity {entity_id!r}")
    if status != "active":
        now = ", ".join(sorted(current_ids(conn, [entity_id]))) or "no active entity"
        raise InvalidCaseError(
            "entity", f"entity {entity_id} is {status}; its records are now in {now}"
        )


def _active_row(conn: Connection, case_id: int, entity_id: str) -> Subject | None:
    return next(
        (s for s in case_store.subjects_of_case(conn, case_id) if s.entity_id == entity_id), None
    )


def _require_row(conn: Connection, case: Case, entity_id: str) -> Subject:
    row = _active_row(conn, case.id, entity_id)
    if row is None:
        names = ", ".join(s.entity_id for s in case_store.subjects_of_case(conn, case.id))
        raise InvalidCaseError(
            "entity",
            f"{entity_id} is not a subject of case #{case.id} (its subjects: {names or 'none'})",
        )
    return row


def _subject(conn: Connection, subject_id: int) -> Subject:
    found = case_store.subject_by_id(conn, subject_id)
    assert found is not None
    return found


def _not_closed(case: Case, doing: str) -> None:
    if case.status == CLOSED:
        raise CaseStateError(f"case #{case.id} is closed; reopen it before you {doing} it")


def _clean(text: str, field: str, limit: int, *, required: bool, collapse: bool = True) -> str:
    clean = " ".join(text.split()) if collapse else text.strip()
    if required and not clean:
        raise InvalidCaseError(field, "must not be empty")
    if len(clean) > limit:
        raise InvalidCaseError(field, f"at most {limit} characters (this one has {len(clean)})")
    return clean


def _username(conn: Connection, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    found = get_user(conn, user_id)
    return None if found is None else found.username


def _reload(conn: Connection, case_id: int) -> Case:
    return require_case(conn, case_id)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


__all__ = [
    "CASE_ROLES",
    "CaseStateError",
    "add_note",
    "add_subject",
    "assign",
    "confirm_subject",
    "create_case",
    "move",
    "remove_subject",
    "subject_states",
]
