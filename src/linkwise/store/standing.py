"""What a governed read stands on, read in one statement: the reading user, the case,
every authorisation of the case, the entity generation (``tables.entity_generation``) and
the latest completed resolution run's clustering threshold.

The governed session re-reads these rows at every read, so that a disabled account, a role
change, a closed case or a revoked authorisation takes effect at the very next read, in any
process. Reading them as three queries cost more than the rest of a small read's decisions,
so they come back as one (the user joined to the case and, outer, to its authorisations),
run on the driver's cursor (``linkwise.store.audit_driver``), which costs half of what the
same statement costs through SQLAlchemy.

Turning the rows into objects is memoised on the rows' content as the driver gives them: the
same rows always give the same (immutable) objects, so the memo can never serve anything but
what the database says now, needs no invalidation, and is shared safely by every thread and
workspace.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Text,
    bindparam,
    cast,
    select,
    type_coerce,
)
from sqlalchemy.types import NullType

from linkwise.model.authorisations import Authorisation, Scope
from linkwise.model.cases import Case
from linkwise.store.audit_driver import Driver, DriverStatement, compiled_select
from linkwise.store.reads import GENERATION, THRESHOLD
from linkwise.store.tables import authorisations, cases, users
from linkwise.store.users import utc

_A_PREFIX = "a_"


@dataclass(frozen=True, slots=True)
class Standing:
    """The user (id, username, display name, role, disabled), the case, the case's
    authorisations in any state, oldest first, ``generation``: the entity generation (None
    when its row is missing), and ``threshold``: the match probability at which the latest
    completed resolution run let records join (None before the first). Entities' statuses
    and their redirects are written only by a run that completes, in the transaction that
    moves the generation on (``linkwise.store.resolution``), so while the generation stays
    the same, so does every walk over the redirects."""

    user: tuple[int, str, str, str, bool]
    case: Case
    authorisations: tuple[Authorisation, ...]
    generation: int | None
    threshold: float | None


_u, _c, _a = users, cases, authorisations
_STANDING = (
    select(
        _u.c.id,
        _u.c.username,
        _u.c.display_name,
        _u.c.role,
        _u.c.disabled,
        _c.c.id.label("c_id"),
        _c.c.title,
        _c.c.purpose,
        _c.c.status,
        _c.c.assignee_id,
        _c.c.created_by,
        _c.c.created_at,
        GENERATION.scalar_subquery().label("generation"),
        # as the driver gives it (a float): the PostgreSQL driver's Float processor needs a
        # type code that a bare cursor does not hand over
        type_coerce(THRESHOLD.scalar_subquery(), NullType()).label("threshold"),
        *[
            # the scope as text: hashable for the memo, decoded only on a miss
            (cast(col, Text) if col.name == "scope" else col).label(_A_PREFIX + col.name)
            for col in _a.c
            if col.name != "case_id"
        ],
    )
    .select_from(_u)
    .join(_c, _c.c.id == bindparam("case_id"))
    .outerjoin(_a, _a.c.case_id == _c.c.id)
    .where(_u.c.id == bindparam("user_id"))
    .order_by(_a.c.id)
)


def standing(conn: Connection, user_id: int, case_id: int) -> Standing | None:
    """The user, case and authorisations as stored now; None when either the user or the
    case does not exist (the caller then says which)."""
    statement = compiled_select(conn.dialect, _STANDING)
    with Driver(conn) as driver:
        rows = tuple(driver.all(statement, {"user_id": user_id, "case_id": case_id}))
    return _decode(statement, rows) if rows else None


@functools.lru_cache(maxsize=1024)
def _decode(statement: DriverStatement, raw: tuple[tuple[Any, ...], ...]) -> Standing:
    rows = [statement.decode(row) for row in raw]
    first = dict(zip(_STANDING.selected_columns.keys(), rows[0], strict=True))
    case = Case(
        id=int(first["c_id"]),
        title=first["title"],
        purpose=first["purpose"],
        status=first["status"],
        assignee_id=None if first["assignee_id"] is None else int(first["assignee_id"]),
        created_by=int(first["created_by"]),
        created_at=utc(first["created_at"]),
    )
    user = (
        int(first["id"]),
        str(first["username"]),
        str(first["display_name"]),
        str(first["role"]),
        bool(first["disabled"]),
    )
    found = []
    for row in rows:
        values = dict(zip(_STANDING.selected_columns.keys(), row, strict=True))
        auth = {k.removeprefix(_A_PREFIX): v for k, v in values.items() if k.startswith(_A_PREFIX)}
        if auth["id"] is not None:
            found.append(_authorisation(auth, case))
    threshold = None if first["threshold"] is None else float(first["threshold"])
    generation = None if first["generation"] is None else int(first["generation"])
    return Standing(user, case, tuple(found), generation, threshold)


def _authorisation(row: dict[str, Any], case: Case) -> Authorisation:
    def when(value: Any) -> Any:
        return None if value is None else utc(value)

    def ref(value: Any) -> int | None:
        return None if value is None else int(value)

    return Authorisation(
        id=int(row["id"]),
        process=row["process"],
        issuing_authority=row["issuing_authority"],
        reference=row["reference"],
        case_id=case.id,
        case_purpose=case.purpose,
        scope=Scope.from_json(json.loads(row["scope"])),
        valid_from=utc(row["valid_from"]),
        valid_to=utc(row["valid_to"]),
        recorded_by=int(row["recorded_by"]),
        recorded_at=utc(row["recorded_at"]),
        approved_by=ref(row["approved_by"]),
        approved_at=when(row["approved_at"]),
        revoked_by=ref(row["revoked_by"]),
        revoked_at=when(row["revoked_at"]),
        revocation_reason=row["revocation_reason"],
        notes=row["notes"],
    )
