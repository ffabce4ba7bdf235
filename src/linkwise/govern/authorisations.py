"""Recording, approving and revoking legal authorisations (DESIGN.md §3, §5).

An authorisation is the stored form of an order, warrant, subpoena or approval: which
process, who issued it, its reference, the case it serves, its scope and validity. The
policy pack says, per process, which roles may record one (``recorded_by``) and which must
approve it (``approved_by``; empty means effective once recorded). Nobody approves one they
recorded. Revocation takes effect at once: ``linkwise.govern.policy.decide`` never lets a
revoked authorisation unlock anything.

Recording refuses what could never unlock anything, so mistakes surface when the paper is
entered rather than as an unexplained redaction later: an unknown process, source or
marking; an empty ``sources`` or ``markings`` scope (see ``linkwise.model.authorisations.
Scope``); a marking the process does not unlock for the case's purpose; a source carrying
none of the scope's markings; a validity that ends before it starts.

Every change writes an audit event in the caller's transaction. Role refusals and
self-approval are ``AuditedRefusalError``: their ``permission.denied`` event is written before
they are raised, and the caller should commit before passing the error on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import AuditedRefusalError, User, one_line, require_role
from linkwise.govern.cases import UnknownCaseError, require_case
from linkwise.govern.policy import authorisation_state
from linkwise.model.authorisations import Authorisation, Scope
from linkwise.model.policy import LegalProcess, PolicyPack
from linkwise.model.roles import Role
from linkwise.store import authorisations as store
from linkwise.store.catalog import source_row
from linkwise.store.reads import entity_status
from linkwise.store.users import utc

__all__ = [
    "Authorisation",
    "AuthorisationError",
    "AuthorisationStateError",
    "InvalidAuthorisationError",
    "Scope",
    "SelfApprovalError",
    "UnknownAuthorisationError",
    "UnknownCaseError",
    "approve_authorisation",
    "authorisations_for_case",
    "get_authorisation",
    "record_authorisation",
    "revoke_authorisation",
]

MAX_TEXT = 500


class AuthorisationError(Exception):
    """Any refusal of an authorisation operation; the message says what to do."""


class InvalidAuthorisationError(AuthorisationError, ValueError):
    """Bad input; ``field`` names the input at fault (``scope.markings``, ``valid_to``...)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class UnknownAuthorisationError(AuthorisationError, LookupError):
    def __init__(self, authorisation_id: int) -> None:
        self.authorisation_id = authorisation_id
        super().__init__(f"no authorisation #{authorisation_id}")


class AuthorisationStateError(AuthorisationError, ValueError):
    """The operation makes no sense in the authorisation's (or its case's) current state."""


class SelfApprovalError(AuditedRefusalError, PermissionError):
    """Someone tried to approve an authorisation they recorded."""

    def __init__(self, username: str, authorisation_id: int) -> None:
        super().__init__(
            f"{username} recorded authorisation #{authorisation_id} and cannot approve it; "
            "another user with an approving role must"
        )


# -- reading -------------------------------------------------------------------------------


def get_authorisation(conn: Connection, authorisation_id: int) -> Authorisation | None:
    return store.authorisation_by_id(conn, authorisation_id)


def authorisations_for_case(conn: Connection, case_id: int) -> list[Authorisation]:
    """Every authorisation recorded for the case, in any state, oldest first."""
    return store.authorisations_of_case(conn, case_id)


# -- changing ------------------------------------------------------------------------------


def record_authorisation(
    conn: Connection,
    actor: User,
    *,
    pack: PolicyPack,
    process: str,
    issuing_authority: str,
    reference: str,
    case_id: int,
    scope: Scope,
    valid_from: dt.datetime,
    valid_to: dt.datetime,
    notes: str = "",
    now: dt.datetime | None = None,
) -> Authorisation:
    """Record an authorisation for a case. It unlocks nothing until approved, when its
    process has approvers."""
    legal = pack.legal_processes.get(process)
    if legal is None:
        defined = ", ".join(pack.legal_processes) or "none"
        raise InvalidAuthorisationError(
            "process",
            f"{process!r} is not a legal process of policy pack {pack.name!r} ({defined})",
        )
    current = require_role(
        conn,
        actor,
        legal.recorded_by,
        "authorisation.record",
        {"process": process, "case_id": case_id},
    )
    case = require_case(conn, case_id)
    if not case.is_open:
        raise AuthorisationStateError(
            f"case #{case.id} is {case.status}; authorisations are recorded for open cases"
        )
    authority = _text("issuing_authority", issuing_authority)
    ref = _text("reference", reference)
    start, end = _aware("valid_from", valid_from), _aware("valid_to", valid_to)
    if end <= start:
        raise InvalidAuthorisationError(
            "valid_to", f"{end.isoformat()} is not after valid_from {start.isoformat()}"
        )
    clean = Scope.of(
        sources=scope.sources,
        markings=scope.markings,
        subjects=[subject.strip() for subject in scope.subjects],  # as typed into a form
    )
    _check_scope(conn, pack, process, case.purpose, clean)
    at = _now(now)
    new_id = store.insert_authorisation(
        conn,
        process=process,
        issuing_authority=authority,
        reference=ref,
        case_id=case.id,
        scope=clean,
        valid_from=start,
        valid_to=end,
        recorded_by=current.id,
        recorded_at=at,
        notes=notes.strip(),
    )
    audit.record(
        conn,
        actor=current.username,
        action="authorisation.record",
        objects={
            "authorisation_id": new_id,
            "case_id": case.id,
            "process": process,
            "reference": ref,
            "issuing_authority": authority,
            "scope": clean.to_json(),
            "valid_from": start.isoformat(),
            "valid_to": end.isoformat(),
        },
        decision={
            "allowed": True,
            "rule": f"legal_processes.{process}.recorded_by",
            "role": current.role.value,
            "needs_approval": [r.value for r in legal.approved_by],
        },
        case_id=case.id,
    )
    found = store.authorisation_by_id(conn, new_id)
    assert found is not None
    return found


def approve_authorisation(
    conn: Connection,
    actor: User,
    authorisation_id: int,
    *,
    pack: PolicyPack,
    now: dt.datetime | None = None,
) -> Authorisation:
    """Approve an authorisation recorded by someone else; it unlocks from now on (within its
    validity)."""
    auth = _fetch(conn, authorisation_id)
    legal = _process(pack, auth)
    if not legal.approved_by:
        raise AuthorisationStateError(
            f"authorisation #{auth.id} ({legal.title}) needs no approval: "
            "it is effective once recorded"
        )
    objects = _objects(auth)
    current = require_role(conn, actor, legal.approved_by, "authorisation.approve", objects)
    if current.id == auth.recorded_by:
        audit.record(
            conn,
            actor=current.username,
            action="permission.denied",
            objects={"action": "authorisation.approve", **objects},
            decision={"allowed": False, "rule": "no_self_approval", "role": current.role.value},
            case_id=auth.case_id,
        )
        raise SelfApprovalError(current.username, auth.id)
    at = _now(now)
    if auth.revoked:
        raise AuthorisationStateError(f"authorisation #{auth.id} is revoked; record a new one")
    if auth.approved:
        raise AuthorisationStateError(f"authorisation #{auth.id} is already approved")
    if at > auth.valid_to:
        raise AuthorisationStateError(
            f"authorisation #{auth.id} expired on {auth.valid_to.isoformat()}; record the "
            "renewed order as a new authorisation"
        )
    store.set_approval(conn, auth.id, approved_by=current.id, approved_at=at)
    audit.record(
        conn,
        actor=current.username,
        action="authorisation.approve",
        objects=objects,
        decision={
            "allowed": True,
            "rule": f"legal_processes.{auth.process}.approved_by",
            "role": current.role.value,
            "recorded_by": auth.recorded_by,
        },
        case_id=auth.case_id,
    )
    return _fetch(conn, auth.id)


def revoke_authorisation(
    conn: Connection,
    actor: User,
    authorisation_id: int,
    reason: str,
    *,
    pack: PolicyPack,
    now: dt.datetime | None = None,
) -> Authorisation:
    """Revoke an authorisation at once (an order quashed, withdrawn or entered in error).

    Anyone whose role may record or approve its process may revoke it, and a legal reviewer
    always may: revoking only ever narrows access, and every revocation is audited."""
    auth = _fetch(conn, authorisation_id)
    legal = pack.legal_processes.get(auth.process)
    roles = (
        {Role.LEGAL_REVIEWER}
        if legal is None
        else {*legal.recorded_by, *legal.approved_by, Role.LEGAL_REVIEWER}
    )
    objects = _objects(auth)
    current = require_role(
        conn,
        actor,
        sorted(roles, key=list(Role).index),
        "authorisation.revoke",
        objects,
    )
    why = _text("reason", reason)
    if auth.revoked:
        assert auth.revoked_at is not None
        raise AuthorisationStateError(
            f"authorisation #{auth.id} was already revoked on {auth.revoked_at.isoformat()}"
        )
    at = _now(now)
    store.set_revocation(conn, auth.id, revoked_by=current.id, revoked_at=at, reason=why)
    audit.record(
        conn,
        actor=current.username,
        action="authorisation.revoke",
        objects=objects,
        decision={
            "allowed": True,
            "role": current.role.value,
            "reason": why,
            "state_before": authorisation_state(pack, auth, at),
        },
        case_id=auth.case_id,
    )
    return _fetch(conn, auth.id)


# -- helpers -------------------------------------------------------------------------------


def _check_scope(
    conn: Connection, pack: PolicyPack, process: str, purpose: str, scope: Scope
) -> None:
    if not scope.markings:
        raise InvalidAuthorisationError(
            "scope.markings", "name at least one marking: an authorisation unlocks only those"
        )
    if not scope.sources:
        raise InvalidAuthorisationError(
            "scope.sources", "name at least one source: an authorisation reaches only those"
        )
    for name in scope.markings:
        marking = pack.markings.get(name)
        if marking is None:
            raise InvalidAuthorisationError(
                "scope.markings", f"{name!r} is not a marking of policy pack {pack.name!r}"
            )
        if marking.never_disclosed:
            raise InvalidAuthorisationError(
                "scope.markings",
                f"{name!r} is never disclosed ({marking.authority}); no authorisation unlocks it",
            )
        unlocks = [u for u in marking.unlocked_by if u.process == process]
        if not any(purpose in u.purposes for u in unlocks):
            purposes = sorted({p for u in unlocks for p in u.purposes})
            lawful = (
                f"it unlocks {name!r} only for {', '.join(purposes)}"
                if purposes
                else f"it does not unlock {name!r} for any purpose"
            )
            raise InvalidAuthorisationError(
                "scope.markings",
                f"under policy pack {pack.name!r}, {process!r} cannot unlock {name!r} for a "
                f"{purpose} case: {lawful}",
            )
    for name in scope.sources:
        row = source_row(conn, name)
        if row is None:
            raise InvalidAuthorisationError("scope.sources", f"no source named {name!r}")
        carried = list(row.markings)
        if not set(carried) & set(scope.markings):
            raise InvalidAuthorisationError(
                "scope.sources",
                f"source {name!r} carries none of the scope's markings "
                f"(it carries: {', '.join(carried) or 'none'})",
            )
    for subject in scope.subjects:
        if not subject:  # record_authorisation strips them
            raise InvalidAuthorisationError("scope.subjects", "an entity id cannot be blank")
        # A mistyped id would unlock nothing while the order seemed to cover the person. A
        # retired id is kept: the order may cite it, and the gate follows its redirects.
        if entity_status(conn, subject) is None:
            raise InvalidAuthorisationError(
                "scope.subjects",
                f"no entity {subject!r}: a subject is an entity id as `linkwise entity show` "
                "gives it",
            )


def _fetch(conn: Connection, authorisation_id: int) -> Authorisation:
    auth = store.authorisation_by_id(conn, authorisation_id, for_update=True)
    if auth is None:
        raise UnknownAuthorisationError(authorisation_id)
    return auth


def _process(pack: PolicyPack, auth: Authorisation) -> LegalProcess:
    legal = pack.legal_processes.get(auth.process)
    if legal is None:
        raise AuthorisationStateError(
            f"authorisation #{auth.id}'s process {auth.process!r} is no longer in policy pack "
            f"{pack.name!r}; it can be revoked but not approved"
        )
    return legal


def _objects(auth: Authorisation) -> dict[str, Any]:
    return {
        "authorisation_id": auth.id,
        "case_id": auth.case_id,
        "process": auth.process,
        "reference": auth.reference,
    }


def _text(field: str, value: str) -> str:
    clean = one_line(value)
    if not clean:
        raise InvalidAuthorisationError(field, "cannot be blank")
    if len(clean) > MAX_TEXT:
        raise InvalidAuthorisationError(field, f"at most {MAX_TEXT} characters")
    return clean


def _aware(field: str, value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidAuthorisationError(
            field, "give a time zone (e.g. 2026-12-01T00:00:00+00:00): validity is exact"
        )
    try:
        return utc(value)
    except OverflowError:  # 9999-12-31T23:59-14:00 is past the last day Python can hold
        raise InvalidAuthorisationError(
            field, f"{value.isoformat()} is outside the calendar once in UTC"
        ) from None


def _now(now: dt.datetime | None) -> dt.datetime:
    return utc(now) if now is not None else dt.datetime.now(dt.UTC)
