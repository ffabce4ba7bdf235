"""What became of a case's subjects after re-resolution.

A subject names an entity id, and resolution may since have merged that entity into another,
split it, split records off it while keeping its id, or merged another entity into it. The
case is about a person, not an id, so it must not silently follow: each such change is shown
(the old id, what happened, the entities its records are in now) and flags the subject
"needs confirmation" until the assignee says which entity (or entities) the case concerns
(``linkwise.cases.lifecycle.confirm_subject``). Only entity ids and record counts are read
here, no person data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from linkwise.govern.session import current_ids
from linkwise.model.audit import format_time
from linkwise.model.cases import Subject
from linkwise.store import case_work, reads
from linkwise.store.case_work import Redirect


@dataclass(frozen=True, slots=True)
class SubjectState:
    """An active subject row as resolution has left it."""

    subject: Subject
    entity_status: str | None
    """The entity's status now (active, merged, split, ...; None: unknown id)."""
    changes: tuple[Redirect, ...]
    """Redirects since the row was added that moved records out of or into the entity."""
    now_in: tuple[str, ...]
    """The active entities the case could concern now: the entity itself when still active,
    and those its records went to."""

    @property
    def needs_confirmation(self) -> bool:
        return self.entity_status != "active" or bool(self.changes)

    def summary(self) -> str:
        """What happened, in a sentence (empty when nothing did)."""
        entity = self.subject.entity_id
        if not self.needs_confirmation:
            return ""
        now = ", ".join(self.now_in) or "no active entity"
        if self.entity_status is None:
            return f"entity {entity} is unknown to the store; its records are in {now}"
        parts = []
        if self.entity_status != "active":
            parts.append(f"entity {entity} is {self.entity_status}; its records are now in {now}")
        for move in self.changes:
            if move.old_id == entity and self.entity_status == "active":
                parts.append(
                    f"{move.records} record(s) {_moved(move.kind)} to {move.new_id or 'no entity'}"
                )
            elif move.new_id == entity:
                parts.append(f"{move.records} record(s) of {move.old_id} merged into {entity}")
        return "; ".join(parts) + "; confirm which entity the case concerns"

    def to_json(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject.id,
            "entity_id": self.subject.entity_id,
            "entity_status": self.entity_status,
            "added_at": format_time(self.subject.added_at),
            "reason": self.subject.reason,
            "needs_confirmation": self.needs_confirmation,
            "now_in": list(self.now_in),
            "changes": [
                {
                    "old_id": m.old_id,
                    "new_id": m.new_id,
                    "kind": m.kind,
                    "records": m.records,
                    "at": format_time(m.at),
                }
                for m in self.changes
            ],
            "summary": self.summary(),
        }


def subject_state(conn: Connection, subject: Subject) -> SubjectState:
    """Where the subject's entity stands now, and what changed since the row was added."""
    entity = subject.entity_id
    status = reads.entity_status(conn, entity)
    changes = tuple(case_work.redirects_touching(conn, entity, subject.added_at))
    # where the entity's records went since, each followed on only through later runs
    # (a target's own redirects of the same run moved records that never were the entity's)
    moved: dict[str, int] = {}
    for m in changes:
        if m.old_id == entity and m.new_id is not None:
            moved[m.new_id] = min(m.run_id, moved.get(m.new_id, m.run_id))
    if status == "active":
        now = {entity} | current_ids(conn, moved, moved)
        # records merged in from elsewhere stay with this entity: nothing more to offer
    else:
        now = current_ids(conn, moved, moved) if moved else current_ids(conn, [entity])
    return SubjectState(subject, status, changes, tuple(sorted(now)))


def _moved(kind: str) -> str:
    return "merged" if kind == "merge" else "split off"
