"""Case work as interfaces call it (``linkwise.cases``): each operation runs in one
transaction with its history row and audit event. A refusal the rules audited (wrong role,
not the assignee) commits its ``permission.denied`` event before the error reaches the
caller; any other error rolls the operation back whole. Priority is a governed read: it goes
through ``Workspace.session`` like every read of person data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection

from linkwise.cases import lifecycle, views
from linkwise.cases.priority import Priority
from linkwise.cases.views import CaseDetail, CaseSummary
from linkwise.govern.accounts import AuditedRefusalError, User
from linkwise.govern.session import Clock
from linkwise.model.cases import Case, Note, Subject
from linkwise.store import case_work as case_work_store

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

T = TypeVar("T")

__all__ = [
    "add_note",
    "add_subject",
    "assign",
    "case_priority",
    "cases_naming",
    "confirm_subject",
    "create_case",
    "list_cases",
    "list_cases_with_priority",
    "move",
    "remove_subject",
    "show_case",
]


def create_case(
    ws: Workspace,
    actor: User,
    title: str,
    purpose: str,
    *,
    subjects: Sequence[str] = (),
    reason: str = "named when the case was opened",
) -> Case:
    """Open a case with a purpose and, optionally, its subjects: all or nothing."""
    return _transaction(
        ws,
        lambda conn: lifecycle.create_case(
            conn, actor, title, purpose, pack=ws.pack, subjects=subjects, reason=reason
        ),
    )


def assign(ws: Workspace, actor: User, case_id: int, assignee: str) -> Case:
    return _transaction(ws, lambda conn: lifecycle.assign(conn, actor, case_id, assignee))


def move(ws: Workspace, actor: User, case_id: int, status: str, reason: str = "") -> Case:
    return _transaction(
        ws, lambda conn: lifecycle.move(conn, actor, case_id, status, reason=reason)
    )


def add_note(ws: Workspace, actor: User, case_id: int, text: str) -> Note:
    return _transaction(ws, lambda conn: lifecycle.add_note(conn, actor, case_id, text))


def add_subject(ws: Workspace, actor: User, case_id: int, entity_id: str, reason: str) -> Subject:
    return _transaction(
        ws, lambda conn: lifecycle.add_subject(conn, actor, case_id, entity_id, reason)
    )


def remove_subject(
    ws: Workspace, actor: User, case_id: int, entity_id: str, reason: str
) -> Subject:
    return _transaction(
        ws, lambda conn: lifecycle.remove_subject(conn, actor, case_id, entity_id, reason)
    )


def confirm_subject(
    ws: Workspace,
    actor: User,
    case_id: int,
    entity_id: str,
    confirmed: Sequence[str],
    reason: str,
) -> list[Subject]:
    return _transaction(
        ws,
        lambda conn: lifecycle.confirm_subject(conn, actor, case_id, entity_id, confirmed, reason),
    )


def list_cases(
    ws: Workspace, actor: User, *, statuses: Sequence[str] = (), mine: bool = False
) -> list[CaseSummary]:
    return _transaction(
        ws, lambda conn: views.list_cases(conn, actor, statuses=statuses, mine=mine)
    )


def list_cases_with_priority(
    ws: Workspace, actor: User, *, statuses: Sequence[str] = (), mine: bool = False
) -> list[tuple[CaseSummary, dict[str, Any] | None]]:
    """``list_cases`` (one ``case.list`` event) with each case's last priority computation as
    its history keeps it (score, each rule's outcome, pack), or None: the case list's
    reasons, without computing anything again."""

    def run(conn: Connection) -> list[tuple[CaseSummary, dict[str, Any] | None]]:
        found = views.list_cases(conn, actor, statuses=statuses, mine=mine)
        last = case_work_store.latest_events(conn, [s.case.id for s in found], views.PRIORITY_EVENT)
        return [(s, dict(last[s.case.id].detail) if s.case.id in last else None) for s in found]

    return _transaction(ws, run)


def cases_naming(ws: Workspace, actor: User, entity_id: str) -> list[CaseSummary]:
    """The cases the actor may list that name the entity as a subject, or an entity its
    records went to by a merge or split (one ``case.list`` event)."""

    def run(conn: Connection) -> list[CaseSummary]:
        found = views.list_cases(conn, actor)
        return [
            s
            for s in found
            if any(
                entity_id == st.subject.entity_id or entity_id in st.now_in
                for st in lifecycle.subject_states(conn, s.case.id)
            )
        ]

    return _transaction(ws, run)


def show_case(ws: Workspace, actor: User, case_id: int) -> CaseDetail:
    return _transaction(ws, lambda conn: views.case_detail(conn, actor, case_id))


def case_priority(
    ws: Workspace, actor: User, case_id: int, *, clock: Clock | None = None
) -> Priority:
    """Compute the case's priority through a governed session (refused, and audited, for
    anyone who may not read person data in the case, or for a closed case)."""
    with ws.session(actor, case_id, clock=clock) as session:
        return session.case_priority()


def _transaction(ws: Workspace, operation: Callable[[Connection], T]) -> T:
    """Run ``operation`` in one transaction; an audited refusal commits its event first."""
    refusal: AuditedRefusalError | None = None
    with ws.engine.begin() as conn:
        try:
            return operation(conn)
        except AuditedRefusalError as exc:
            refusal = exc  # leave the block normally: the refusal's audit event commits
    assert refusal is not None
    raise refusal
