"""The disclosure record of an entity: which cases and documents used which of its records.

Every governed read notes the records it showed anything of (``linkwise.store.disclosures``).
This module answers, for one entity, every such use of any version of any of its records,
grouped by case: what a correction, a dispute or a split needs to find every case and signed
document that relied on the data. A retired entity id answers for the entities its records
are in now (a case may cite an id a later run merged away).

The answer names records, cases, documents, actors and times, never person values. It is
still a map of who was looked at for what, so only oversight roles read it (auditor,
supervisor, legal reviewer), and each lookup writes its own audit event
(``disclosure.list``); a refusal writes ``permission.denied``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import User, require_role
from linkwise.govern.cases import get_case
from linkwise.govern.gate import NotFoundError
from linkwise.govern.session import current_ids
from linkwise.model.audit import format_time
from linkwise.model.roles import Role
from linkwise.store import reads
from linkwise.store.disclosures import Use, uses_of

__all__ = ["READERS", "CaseUses", "DisclosureRecord", "Use", "disclosure_record"]

READERS = (Role.AUDITOR, Role.SUPERVISOR, Role.LEGAL_REVIEWER)
"""Who may see which cases used a person's records: oversight, not case work."""


@dataclass(frozen=True, slots=True)
class CaseUses:
    """The uses of the entity's records in one case (``case_id`` None: reads outside any
    case, which the session does not allow today but an older log may hold)."""

    case_id: int | None
    title: str | None
    purpose: str | None
    status: str | None
    record_ids: tuple[int, ...]
    documents: tuple[str, ...]
    uses: tuple[Use, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "title": self.title,
            "purpose": self.purpose,
            "status": self.status,
            "record_ids": list(self.record_ids),
            "documents": list(self.documents),
            "uses": [
                {
                    "seq": u.seq,
                    "at": format_time(u.at),
                    "actor": u.actor,
                    "action": u.action,
                    "document_id": u.document_id,
                    "record_ids": list(u.record_ids),
                }
                for u in self.uses
            ],
        }


@dataclass(frozen=True, slots=True)
class DisclosureRecord:
    """Who used an entity's records, by case."""

    entity_id: str
    entity_ids: tuple[str, ...]
    record_ids: tuple[int, ...]
    cases: tuple[CaseUses, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "entity_ids": list(self.entity_ids),
            "record_ids": list(self.record_ids),
            "cases": [c.to_json() for c in self.cases],
        }


def disclosure_record(conn: Connection, actor: User, entity_id: str) -> DisclosureRecord:
    """Every read that showed any version of any record of the entity (or of the entities a
    retired id's records are in now), grouped by case, oldest use first; for an oversight
    role, recorded as ``disclosure.list``. NotFoundError for an id that never was."""
    objects = {"entity_id": entity_id}
    current = require_role(conn, actor, READERS, "disclosure.list", objects)
    if reads.entity_status(conn, entity_id) is None:
        raise NotFoundError(f"no entity {entity_id!r}")
    entity_ids = sorted(current_ids(conn, [entity_id]))
    members = [row for e in entity_ids for row, _ in reads.entity_member_rows(conn, e)]
    versions = reads.version_ids(conn, members)
    current_of = {v: rid for rid, vs in versions.items() for v in vs}
    uses = uses_of(conn, current_of)
    by_case: dict[int | None, list[Use]] = {}
    for use in uses:
        by_case.setdefault(use.case_id, []).append(use)
    cases = tuple(
        _case_uses(conn, case_id, found, current_of) for case_id, found in by_case.items()
    )
    audit.record(
        conn,
        actor=current.username,
        action="disclosure.list",
        objects={
            "entity_id": entity_id,
            "entity_ids": entity_ids,
            "uses": len(uses),
            "case_ids": [c.case_id for c in cases if c.case_id is not None],
        },
        decision={"allowed": True, "role": current.role.value},
    )
    return DisclosureRecord(
        entity_id=entity_id,
        entity_ids=tuple(entity_ids),
        record_ids=tuple(sorted(versions)),
        cases=cases,
    )


def _case_uses(
    conn: Connection, case_id: int | None, uses: Iterable[Use], current_of: dict[int, int]
) -> CaseUses:
    found = list(uses)
    case = get_case(conn, case_id) if case_id is not None else None
    return CaseUses(
        case_id=case_id,
        title=None if case is None else case.title,
        purpose=None if case is None else case.purpose,
        status=None if case is None else case.status,
        record_ids=tuple(sorted({current_of[r] for u in found for r in u.record_ids})),
        documents=tuple(sorted({u.document_id for u in found if u.document_id is not None})),
        uses=tuple(found),
    )
