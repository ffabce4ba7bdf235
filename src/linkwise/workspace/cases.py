"""Cases and legal authorisations as interfaces call them: each operation runs in one
transaction with its audit events (``linkwise.govern.cases``, ``linkwise.govern.
authorisations``). A refusal the governance layer audited (wrong role, approving one's own
authorisation) commits its event before the error reaches the caller; any other error rolls
the operation back whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection

from linkwise.govern import authorisations, cases
from linkwise.govern.accounts import AuditedRefusalError, User, require_role
from linkwise.govern.policy import State, authorisation_state
from linkwise.model.authorisations import Authorisation, Scope
from linkwise.model.cases import Case
from linkwise.model.roles import Role

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

T = TypeVar("T")

_LISTERS = (Role.ANALYST, Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.AUDITOR)
"""Who may list a case's authorisations (they name processes and entity ids, not values)."""


def open_case(ws: Workspace, actor: User, title: str, purpose: str) -> Case:
    return _transaction(ws, lambda conn: cases.open_case(conn, actor, title, purpose, pack=ws.pack))


def record_authorisation(
    ws: Workspace,
    actor: User,
    *,
    case_id: int,
    process: str,
    issuing_authority: str,
    reference: str,
    sources: Sequence[str],
    markings: Sequence[str],
    subjects: Sequence[str] = (),
    valid_from: dt.datetime,
    valid_to: dt.datetime,
    notes: str = "",
) -> Authorisation:
    scope = Scope.of(sources=sources, markings=markings, subjects=subjects)
    return _transaction(
        ws,
        lambda conn: authorisations.record_authorisation(
            conn,
            actor,
            pack=ws.pack,
            process=process,
            issuing_authority=issuing_authority,
            reference=reference,
            case_id=case_id,
            scope=scope,
            valid_from=valid_from,
            valid_to=valid_to,
            notes=notes,
        ),
    )


def approve_authorisation(ws: Workspace, actor: User, authorisation_id: int) -> Authorisation:
    return _transaction(
        ws,
        lambda conn: authorisations.approve_authorisation(
            conn, actor, authorisation_id, pack=ws.pack
        ),
    )


def revoke_authorisation(
    ws: Workspace, actor: User, authorisation_id: int, reason: str
) -> Authorisation:
    return _transaction(
        ws,
        lambda conn: authorisations.revoke_authorisation(
            conn, actor, authorisation_id, reason, pack=ws.pack
        ),
    )


def list_authorisations(
    ws: Workspace, actor: User, case_id: int
) -> list[tuple[Authorisation, State]]:
    """A case's authorisations, oldest first, each with where it stands now."""

    def run(conn: Connection) -> list[tuple[Authorisation, State]]:
        require_role(conn, actor, _LISTERS, "authorisation.list", {"case_id": case_id})
        cases.require_case(conn, case_id)
        now = dt.datetime.now(dt.UTC)
        return [
            (auth, authorisation_state(ws.pack, auth, now))
            for auth in authorisations.authorisations_for_case(conn, case_id)
        ]

    return _transaction(ws, run)


def _transaction(ws: Workspace, operation: Callable[[Connection], T]) -> T:
    refusal: AuditedRefusalError | None = None
    with ws.engine.begin() as conn:
        try:
            return operation(conn)
        except AuditedRefusalError as exc:
            refusal = exc  # leave the block normally: the refusal's audit event commits
    assert refusal is not None
    raise refusal
