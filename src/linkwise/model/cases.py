"""Cases (DESIGN.md §3): the purpose every read in a case is judged against, its subjects,
its status lifecycle and its history.

Lifecycle: ``open`` → ``in_review`` → ``ready_for_legal`` → ``closed``, with a step back
allowed from review (``in_review`` → ``open``, ``ready_for_legal`` → ``in_review``) and a
closed case reopened only to ``open``. Person data is read in a case that is not closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

OPEN = "open"
IN_REVIEW = "in_review"
READY_FOR_LEGAL = "ready_for_legal"
CLOSED = "closed"
STATUSES = (OPEN, IN_REVIEW, READY_FOR_LEGAL, CLOSED)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    OPEN: (IN_REVIEW, CLOSED),
    IN_REVIEW: (READY_FOR_LEGAL, OPEN, CLOSED),
    READY_FOR_LEGAL: (CLOSED, IN_REVIEW),
    CLOSED: (OPEN,),
}
"""Where a case may move from each status."""

SUBJECT_ACTIVE = "active"
SUBJECT_REPLACED = "replaced"
SUBJECT_REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    title: str
    purpose: str
    """A purpose name of the policy pack."""
    status: str
    assignee_id: int | None
    created_by: int
    created_at: dt.datetime

    @property
    def is_open(self) -> bool:
        """Whether the case is being worked (any status but closed): person data is read,
        and authorisations recorded, only then."""
        return self.status != CLOSED


@dataclass(frozen=True, slots=True)
class Subject:
    """An entity a case concerns. ``status`` is active, replaced (the assignee confirmed
    another entity after a merge or split; ``replaced_by`` is that row) or removed."""

    id: int
    case_id: int
    entity_id: str
    status: str
    added_by: int
    added_at: dt.datetime
    reason: str
    replaced_by: int | None = None
    ended_by: int | None = None
    ended_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One step of a case's history: a status move, an assignment, a subject added, removed
    or confirmed, a note."""

    id: int
    case_id: int
    at: dt.datetime
    actor_id: int
    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    case_id: int
    author_id: int
    at: dt.datetime
    text: str
