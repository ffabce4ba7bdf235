"""Cases and legal authorisations as interfaces call them: each operation runs in one
transaction with its audit events (``linkwise.govern.cases``, ``linkwise.govern.
authorisations``). A refusal the governance layer audited (wrong role, approving one's own
authorisation) commits its event before the error reaches the caller; any other error rolls
the operation back whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection

from linkwise.govern import authorisations, cases
from linkwise.govern.accounts import AuditedRefusalError, User, require_role
from linkwise.govern.policy import State, authorisation_state
from linkwise.govern.users import list_users
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


@dataclass(frozen=True, slots=True)
class AuthorisationEntry:
    """An authorisation as a list shows it: where it stands now and who recorded, approved
    and revoked it, by username."""

    authorisation: Authorisation
    state: State
    recorded_by: str
    approved_by: str | None
    revoked_by: str | None


def authorisations_of_cases(
    ws: Workspace, actor: User, case_ids: Sequence[int]
) -> list[AuthorisationEntry]:
    """The authorisations of several cases in one transaction (case by case, oldest first),
    each with its state and the usernames behind it: the authorisations page."""

    def run(conn: Connection) -> list[AuthorisationEntry]:
        require_role(conn, actor, _LISTERS, "authorisation.list", {"case_ids": list(case_ids)})
        names = {u.id: u.username for u in list_users(conn)}
        now = dt.datetime.now(dt.UTC)
        out: list[AuthorisationEntry] = []
        for case_id in case_ids:
            cases.require_case(conn, case_id)
            for auth in authorisations.authorisations_for_case(conn, case_id):
                out.append(
                    AuthorisationEntry(
                        auth,
                        authorisation_state(ws.pack, auth, now),
                        names.get(auth.recorded_by, f"#{auth.recorded_by}"),
                        _name(names, auth.approved_by),
                        _name(names, auth.revoked_by),
                    )
                )
        return out

    return _transaction(ws, run)


def _name(names: dict[int, str], user_id: int | None) -> str | None:
    return None if user_id is None else names.get(user_id, f"#{user_id}")


def _transaction(ws: Workspace, operation: Callable[[Connection], T]) -> T:
    refusal: AuditedRefusalError | None = None
    with ws.engine.begin() as conn:
        try:
            return operation(conn)
        except AuditedRefusalError as exc:
            refusal = exc  # leave the block normally: the refusal's audit event commits
    assert refusal is not None
    raise refusal
