"""Opening a case: the purpose every read in it is judged against (DESIGN.md §2, §3).

Only what authorisations and governed sessions need today; subjects, assignment, status
changes and closing arrive with the cases issue. Who may open a case with a purpose is the
pack's ``purposes.<name>.opened_by``; a refusal is written to the audit log before it is
raised (see ``linkwise.govern.accounts.AuditedRefusalError``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import User, one_line, require_role
from linkwise.model.cases import Case
from linkwise.model.policy import PolicyPack
from linkwise.store import cases as store
from linkwise.store.users import utc

MAX_TITLE = 200


class CaseError(Exception):
    """Any refusal of a case operation; the message says what to do."""


class InvalidCaseError(CaseError, ValueError):
    """Bad input; ``field`` names the input at fault."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class UnknownCaseError(CaseError, LookupError):
    def __init__(self, case_id: int) -> None:
        self.case_id = case_id
        super().__init__(f"no case #{case_id}")


def open_case(
    conn: Connection,
    actor: User,
    title: str,
    purpose: str,
    *,
    pack: PolicyPack,
    now: dt.datetime | None = None,
) -> Case:
    """A new open case with ``purpose`` (a purpose of ``pack``), assigned to its opener."""
    if purpose not in pack.purposes:
        defined = ", ".join(pack.purposes)
        raise InvalidCaseError(
            "purpose", f"{purpose!r} is not a purpose of policy pack {pack.name!r} ({defined})"
        )
    current = require_role(
        conn, actor, pack.purposes[purpose].opened_by, "case.open", {"purpose": purpose}
    )
    clean = one_line(title)
    if not clean:
        raise InvalidCaseError("title", "give the case a title")
    if len(clean) > MAX_TITLE:
        raise InvalidCaseError("title", f"at most {MAX_TITLE} characters")
    case = store.insert_case(
        conn,
        title=clean,
        purpose=purpose,
        created_by=current.id,
        created_at=utc(now) if now is not None else dt.datetime.now(dt.UTC),
    )
    audit.record(
        conn,
        actor=current.username,
        action="case.open",
        objects={"case_id": case.id, "purpose": purpose},
        decision={
            "allowed": True,
            "rule": f"purposes.{purpose}.opened_by",
            "role": current.role.value,
        },
        case_id=case.id,
    )
    return case


def get_case(conn: Connection, case_id: int) -> Case | None:
    return store.case_by_id(conn, case_id)


def require_case(conn: Connection, case_id: int) -> Case:
    """The case, or UnknownCaseError."""
    case = store.case_by_id(conn, case_id)
    if case is None:
        raise UnknownCaseError(case_id)
    return case
