"""Who may change a case, and how a refusal is recorded.

Case work is done by the case-work roles (analyst, supervisor, legal reviewer); auditors and
administrators never change a case. Within those roles the rules follow the work:

- assign: a supervisor;
- add a note: the case's assignee, a supervisor or a legal reviewer;
- add, remove or confirm a subject: the case's assignee or a supervisor;
- ``open`` → ``in_review`` (submit) and back (withdraw, send back): the assignee or a
  supervisor;
- ``in_review`` → ``ready_for_legal``: a supervisor who is not the case's assignee (no one
  passes their own work);
- ``ready_for_legal`` → ``in_review`` (send back): a supervisor or a legal reviewer;
- ``ready_for_legal`` → ``closed``: a legal reviewer or a supervisor;
- ``open`` or ``in_review`` → ``closed`` (no further action), ``closed`` → ``open``
  (reopen): a supervisor;
- list and show cases: any case-work role.

The actor is read again from the store at every check (a role changed or an account disabled
takes effect at once). A refusal writes a ``permission.denied`` audit event naming the case,
in the caller's transaction, and raises ``CaseRefusedError``, an ``AuditedRefusalError``:
the caller commits, then passes it on (as ``linkwise.workspace.case_work`` does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import AuditedRefusalError, User, to_user
from linkwise.govern.cases import CaseError
from linkwise.govern.policy import with_article
from linkwise.model.cases import CLOSED, IN_REVIEW, OPEN, READY_FOR_LEGAL, Case
from linkwise.model.roles import Role
from linkwise.store import users as user_store

CASE_ROLES = (Role.ANALYST, Role.SUPERVISOR, Role.LEGAL_REVIEWER)
"""The roles that work cases (the governed session's reading roles)."""


class CaseRefusedError(AuditedRefusalError, CaseError, PermissionError):
    """The actor may not make this change to the case. Raised after its
    ``permission.denied`` audit event was written: commit, then re-raise."""


class CaseStateError(CaseError, ValueError):
    """The change makes no sense in the case's current state (a move the lifecycle does not
    allow, a closed case, a subject already there, a change someone else made first)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may make one kind of change: any of ``roles``, or (``assignee``) the case's
    assignee; with ``not_assignee`` never the assignee, whatever their role."""

    roles: tuple[Role, ...]
    assignee: bool = False
    not_assignee: bool = False

    def describe(self) -> str:
        names = [with_article(r.value.replace("_", " ")) for r in self.roles]
        if self.assignee:
            names.insert(0, "the case's assignee")
        text = " or ".join(names) if names else "nobody"
        return f"{text} who is not the case's assignee" if self.not_assignee else text

    def allows(self, user: User, case: Case) -> bool:
        if user.disabled or user.role not in CASE_ROLES:
            return False
        is_assignee = case.assignee_id == user.id
        if self.not_assignee and is_assignee:
            return False
        return user.role in self.roles or (self.assignee and is_assignee)


ASSIGN = Rule((Role.SUPERVISOR,))
NOTE = Rule((Role.SUPERVISOR, Role.LEGAL_REVIEWER), assignee=True)
SUBJECTS = Rule((Role.SUPERVISOR,), assignee=True)
READ = Rule(CASE_ROLES)
MOVES: dict[tuple[str, str], Rule] = {
    (OPEN, IN_REVIEW): Rule((Role.SUPERVISOR,), assignee=True),
    (IN_REVIEW, OPEN): Rule((Role.SUPERVISOR,), assignee=True),
    (IN_REVIEW, READY_FOR_LEGAL): Rule((Role.SUPERVISOR,), not_assignee=True),
    (READY_FOR_LEGAL, IN_REVIEW): Rule((Role.SUPERVISOR, Role.LEGAL_REVIEWER)),
    (READY_FOR_LEGAL, CLOSED): Rule((Role.LEGAL_REVIEWER, Role.SUPERVISOR)),
    (OPEN, CLOSED): Rule((Role.SUPERVISOR,)),
    (IN_REVIEW, CLOSED): Rule((Role.SUPERVISOR,)),
    (CLOSED, OPEN): Rule((Role.SUPERVISOR,)),
}
"""Who may make each move of ``linkwise.model.cases.TRANSITIONS``."""


def permit(
    conn: Connection,
    actor: User,
    case: Case | None,
    rule: Rule,
    action: str,
    objects: Mapping[str, Any],
) -> User:
    """The actor as stored now, if ``rule`` lets them do ``action`` on ``case`` (None: on
    cases in general, as listing does); otherwise write ``permission.denied`` and raise
    CaseRefusedError."""
    row = user_store.user_by_id(conn, actor.id)
    current = to_user(row) if row is not None else None
    if current is not None and _allows(rule, current, case):
        return current
    shown = current or actor
    where = f" on case #{case.id}" if case is not None else ""
    problem = f"{action}{where} needs {rule.describe()}; {_who(shown, case)}"
    audit.record(
        conn,
        actor=shown.username,
        action="permission.denied",
        objects={"action": action, **objects},
        decision={
            "allowed": False,
            "reason": problem,
            "needs": [r.value for r in rule.roles],
            "assignee_may": rule.assignee,
            "role": shown.role.value,
            "disabled": shown.disabled,
        },
        case_id=case.id if case is not None else None,
    )
    raise CaseRefusedError(problem)


def _allows(rule: Rule, user: User, case: Case | None) -> bool:
    if case is None:
        return not user.disabled and user.role in rule.roles
    return rule.allows(user, case)


def _who(user: User, case: Case | None) -> str:
    if user.disabled:
        return f"{user.username}'s account is disabled"
    text = f"{user.username} is {user.role.value}"
    if case is not None and case.assignee_id == user.id:
        return text + " and the case's assignee"
    return text
