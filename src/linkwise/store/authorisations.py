"""Authorisation rows, read back as ``Authorisation`` with their case's purpose joined in.
The rules (who may record, approve, revoke) live in ``linkwise.govern.authorisations``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from linkwise.model.authorisations import Authorisation, Scope
from linkwise.store.tables import authorisations, cases
from linkwise.store.users import utc


def insert_authorisation(
    conn: Connection,
    *,
    process: str,
    issuing_authority: str,
    reference: str,
    case_id: int,
    scope: Scope,
    valid_from: dt.datetime,
    valid_to: dt.datetime,
    recorded_by: int,
    recorded_at: dt.datetime,
    notes: str,
) -> int:
    key = conn.execute(
        insert(authorisations).values(
            process=process,
            issuing_authority=issuing_authority,
            reference=reference,
            case_id=case_id,
            scope=scope.to_json(),
            valid_from=utc(valid_from),
            valid_to=utc(valid_to),
            recorded_by=recorded_by,
            recorded_at=utc(recorded_at),
            notes=notes,
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


def authorisation_by_id(
    conn: Connection, authorisation_id: int, *, for_update: bool = False
) -> Authorisation | None:
    """One authorisation; ``for_update`` locks its row until the transaction ends
    (PostgreSQL), so that an approval and a revocation cannot interleave."""
    query = _query().where(authorisations.c.id == authorisation_id)
    if for_update:
        query = query.with_for_update(of=authorisations)
    row = conn.execute(query).first()
    return None if row is None else _authorisation(row)


def authorisations_of_case(conn: Connection, case_id: int) -> list[Authorisation]:
    return [_authorisation(row) for row in conn.execute(_OF_CASE, {"case_id": case_id})]


def set_approval(
    conn: Connection, authorisation_id: int, *, approved_by: int, approved_at: dt.datetime
) -> None:
    conn.execute(
        update(authorisations)
        .where(authorisations.c.id == authorisation_id)
        .values(approved_by=approved_by, approved_at=utc(approved_at))
    )


def set_revocation(
    conn: Connection,
    authorisation_id: int,
    *,
    revoked_by: int,
    revoked_at: dt.datetime,
    reason: str,
) -> None:
    conn.execute(
        update(authorisations)
        .where(authorisations.c.id == authorisation_id)
        .values(revoked_by=revoked_by, revoked_at=utc(revoked_at), revocation_reason=reason)
    )


def _query() -> Any:
    return select(authorisations, cases.c.purpose.label("case_purpose")).join(
        cases, cases.c.id == authorisations.c.case_id
    )


_OF_CASE = (
    _query().where(authorisations.c.case_id == bindparam("case_id")).order_by(authorisations.c.id)
)


def _authorisation(row: Row[Any]) -> Authorisation:
    return Authorisation(
        id=int(row.id),
        process=row.process,
        issuing_authority=row.issuing_authority,
        reference=row.reference,
        case_id=int(row.case_id),
        case_purpose=row.case_purpose,
        scope=Scope.from_json(row.scope),
        valid_from=utc(row.valid_from),
        valid_to=utc(row.valid_to),
        recorded_by=int(row.recorded_by),
        recorded_at=utc(row.recorded_at),
        approved_by=None if row.approved_by is None else int(row.approved_by),
        approved_at=None if row.approved_at is None else utc(row.approved_at),
        revoked_by=None if row.revoked_by is None else int(row.revoked_by),
        revoked_at=None if row.revoked_at is None else utc(row.revoked_at),
        revocation_reason=row.revocation_reason,
        notes=row.notes,
    )
