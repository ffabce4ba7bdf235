"""The case lifecycle on a resolved world, on SQLite and PostgreSQL: every change writes a
history row and an audit event together; role rules refuse the wrong people and leave
``permission.denied`` events naming the case; bad input and impossible moves leave nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from linkwise.cases.rules import CaseRefusedError, CaseStateError
from linkwise.govern import audit
from linkwise.govern.accounts import User
from linkwise.govern.audit import AuditEvent
from linkwise.govern.cases import InvalidCaseError
from linkwise.model.cases import Case
from linkwise.store import tables
from linkwise.workspace import Workspace, case_work
from tests.helpers import seed_user


def _events(ws: Workspace, case: Case, action: str | None = None) -> list[AuditEvent]:
    with ws.engine.connect() as conn:
        return list(audit.events(conn, case_id=case.id, action=action))


def _count(ws: Workspace, table: Any) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _entities(ws: Workspace, n: int) -> list[str]:
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(tables.entities.c.id)
            .where(tables.entities.c.status == "active")
            .order_by(tables.entities.c.id)
            .limit(n)
        )
        return [str(r.id) for r in rows]


def _people(ws: Workspace) -> dict[str, User]:
    return {
        "ann": seed_user(ws, "ann", "analyst"),
        "bob": seed_user(ws, "bob", "analyst"),
        "sue": seed_user(ws, "sue", "supervisor"),
        "sam": seed_user(ws, "sam", "supervisor"),
        "lee": seed_user(ws, "lee", "legal_reviewer"),
        "aud": seed_user(ws, "aud", "auditor"),
    }


def test_a_case_is_created_with_subjects_and_every_change_is_in_history_and_audit(
    resolved: Workspace,
) -> None:
    ws = resolved
    who = _people(ws)
    first, second = _entities(ws, 2)
    case = case_work.create_case(
        ws, who["ann"], "Lifecycle", "criminal_investigation", subjects=[first], reason="tip"
    )
    case_work.add_subject(ws, who["ann"], case.id, second, "same household")
    case_work.add_note(ws, who["ann"], case.id, "Spoke to the clerk; the file is sealed?")
    case_work.remove_subject(ws, who["sue"], case.id, second, "different person")
    case_work.assign(ws, who["sue"], case.id, "bob")
    case_work.move(ws, who["bob"], case.id, "in_review", "ready")
    case_work.move(ws, who["sue"], case.id, "ready_for_legal")
    case_work.move(ws, who["lee"], case.id, "in_review", "needs the disposition dates")
    case_work.move(ws, who["sam"], case.id, "ready_for_legal")
    case_work.move(ws, who["lee"], case.id, "closed", "filed")
    case_work.move(ws, who["sue"], case.id, "open", "new evidence")

    detail = case_work.show_case(ws, who["sue"], case.id)
    assert detail.case.status == "open"
    assert detail.assignee == "bob"
    assert [s.subject.entity_id for s in detail.subjects] == [first]
    assert [(s.entity_id, s.status) for s in detail.ended] == [(second, "removed")]
    kinds = [h.kind for h in detail.history]
    assert kinds == [
        "opened",
        "subject.added",
        "subject.added",
        "note",
        "subject.removed",
        "assigned",
        *["status"] * 6,
    ]
    moves = [(h.actor, h.detail["from"], h.detail["to"]) for h in detail.history[6:]]
    assert moves == [
        ("bob", "open", "in_review"),
        ("sue", "in_review", "ready_for_legal"),
        ("lee", "ready_for_legal", "in_review"),
        ("sam", "in_review", "ready_for_legal"),
        ("lee", "ready_for_legal", "closed"),
        ("sue", "closed", "open"),
    ]
    # one audit event per history row, naming it, in the case
    changes = [e for e in _events(ws, case) if "case_event_id" in (e.objects or {})]
    assert len(changes) == len(detail.history) - 1  # the opening is the case.open event
    assert [e.action for e in changes[:5]] == [
        "case.subject.add",
        "case.subject.add",
        "case.note",
        "case.subject.remove",
        "case.assign",
    ]
    assert [e.objects["to"] for e in _events(ws, case, "case.move")] == [m[2] for m in moves]
    note = _events(ws, case, "case.note")[0]
    assert "sealed" not in json.dumps(note.objects) + json.dumps(note.decision)
    assert detail.notes[0][0].text == "Spoke to the clerk; the file is sealed?"
    with ws.engine.connect() as conn:
        assert audit.verify(conn).ok


def test_role_rules_refuse_and_leave_permission_denied_events(resolved: Workspace) -> None:
    ws = resolved
    who = _people(ws)
    case = case_work.create_case(ws, who["ann"], "Roles", "criminal_investigation")
    refusals: list[Callable[[], object]] = [
        lambda: case_work.move(ws, who["bob"], case.id, "in_review"),  # not the assignee
        lambda: case_work.assign(ws, who["ann"], case.id, "bob"),  # analysts do not assign
        lambda: case_work.add_note(ws, who["aud"], case.id, "hello"),  # auditors never
        lambda: case_work.add_subject(ws, who["bob"], case.id, _entities(ws, 1)[0], "x"),
        lambda: case_work.move(ws, who["ann"], case.id, "closed"),  # only a supervisor
    ]
    for attempt in refusals:
        with pytest.raises(CaseRefusedError, match=f"on case #{case.id} needs"):
            attempt()
    denied = _events(ws, case, "permission.denied")
    assert [e.objects["action"] for e in denied] == [
        "case.move",
        "case.assign",
        "case.note",
        "case.subject.add",
        "case.move",
    ]
    decisions = [dict(e.decision or {}) for e in denied]
    assert all(e.case_id == case.id for e in denied)
    assert all(d["allowed"] is False for d in decisions)
    assert decisions[2]["role"] == "auditor"

    # the assignee submits; a supervisor who is the assignee may not pass their own work
    case_work.move(ws, who["ann"], case.id, "in_review")
    case_work.assign(ws, who["sue"], case.id, "sue")
    with pytest.raises(CaseRefusedError, match="who is not the case's assignee"):
        case_work.move(ws, who["sue"], case.id, "ready_for_legal")
    passed = case_work.move(ws, who["sam"], case.id, "ready_for_legal")
    assert passed.status == "ready_for_legal"
    with pytest.raises(CaseRefusedError):
        case_work.move(ws, who["ann"], case.id, "closed")


def test_bad_input_and_impossible_moves_leave_nothing(resolved: Workspace) -> None:
    ws = resolved
    who = _people(ws)
    case = case_work.create_case(ws, who["ann"], "Input", "criminal_investigation")
    before = (_count(ws, tables.audit_events), _count(ws, tables.case_events))
    with pytest.raises(CaseStateError, match="from there it can move to in_review, closed"):
        case_work.move(ws, who["sue"], case.id, "ready_for_legal")
    with pytest.raises(InvalidCaseError, match="status: 'done' is not one of"):
        case_work.move(ws, who["sue"], case.id, "done")
    with pytest.raises(InvalidCaseError, match="aud is auditor"):
        case_work.assign(ws, who["sue"], case.id, "aud")
    with pytest.raises(InvalidCaseError, match="no user 'nobody'"):
        case_work.assign(ws, who["sue"], case.id, "nobody")
    with pytest.raises(InvalidCaseError, match="text: must not be empty"):
        case_work.add_note(ws, who["ann"], case.id, "   ")
    with pytest.raises(InvalidCaseError, match="no entity 'E000'"):
        case_work.add_subject(ws, who["ann"], case.id, "E000", "a guess")
    with pytest.raises(InvalidCaseError, match="reason: must not be empty"):
        case_work.add_subject(ws, who["ann"], case.id, _entities(ws, 1)[0], "")
    with pytest.raises(InvalidCaseError, match="not a subject of case"):
        case_work.remove_subject(ws, who["ann"], case.id, _entities(ws, 1)[0], "gone")
    assert (_count(ws, tables.audit_events), _count(ws, tables.case_events)) == before


def test_a_case_created_with_a_bad_subject_is_not_created(resolved: Workspace) -> None:
    ws = resolved
    who = _people(ws)
    cases_before = _count(ws, tables.cases)
    events_before = _count(ws, tables.audit_events)
    with pytest.raises(InvalidCaseError, match="no entity 'E000'"):
        case_work.create_case(ws, who["ann"], "x", "criminal_investigation", subjects=["E000"])
    assert _count(ws, tables.cases) == cases_before
    assert _count(ws, tables.audit_events) == events_before


def test_a_closed_case_takes_no_changes_until_reopened(resolved: Workspace) -> None:
    ws = resolved
    who = _people(ws)
    entity = _entities(ws, 1)[0]
    case = case_work.create_case(ws, who["ann"], "Closed", "criminal_investigation")
    case_work.move(ws, who["sue"], case.id, "closed", "no further action")
    with pytest.raises(CaseStateError, match="closed; reopen it"):
        case_work.add_note(ws, who["ann"], case.id, "late thought")
    with pytest.raises(CaseStateError, match="closed; reopen it"):
        case_work.add_subject(ws, who["ann"], case.id, entity, "late")
    with pytest.raises(CaseStateError, match="already closed"):
        case_work.move(ws, who["sue"], case.id, "closed")
    case_work.move(ws, who["sue"], case.id, "open", "reopened")
    assert case_work.add_subject(ws, who["ann"], case.id, entity, "now").entity_id == entity
    with pytest.raises(CaseStateError, match="already a subject"):
        case_work.add_subject(ws, who["ann"], case.id, entity, "again")


def test_list_and_show(resolved: Workspace) -> None:
    ws = resolved
    who = _people(ws)
    bea = seed_user(ws, "bea", "analyst")
    mine = case_work.create_case(ws, bea, "Bea's", "benefits_integrity")
    listed = case_work.list_cases(ws, bea, mine=True)
    assert [c.case.id for c in listed] == [mine.id]
    assert listed[0].assignee == "bea"
    assert listed[0].priority is None
    in_review = case_work.list_cases(ws, who["sue"], statuses=["in_review"])
    assert all(c.case.status == "in_review" for c in in_review)
    with pytest.raises(InvalidCaseError, match="'pending' is not one of"):
        case_work.list_cases(ws, who["sue"], statuses=["pending"])
    with pytest.raises(CaseRefusedError, match=r"case\.view"):
        case_work.show_case(ws, who["aud"], mine.id)
    with pytest.raises(CaseRefusedError, match=r"case\.list needs"):
        case_work.list_cases(ws, who["aud"])
    with ws.engine.connect() as conn:
        views = list(audit.events(conn, action="case.view"))
        lists = list(audit.events(conn, action="case.list"))
    assert views
    assert lists
