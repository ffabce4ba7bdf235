"""The case list and a case's detail: status, assignee, subjects (with what re-resolution
did to them), notes, history and the last computed priority.

These hold case data, not person values: entity ids, usernames, statuses, notes the case's
workers wrote, and the score with the rules behind it. Notes may still mention people, so
only the case-work roles read them, and each read is audited (``case.list``, ``case.view``)
like any other access.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from linkwise.cases import rules
from linkwise.cases.lifecycle import subject_states
from linkwise.cases.rules import permit
from linkwise.cases.subjects import SubjectState
from linkwise.govern import audit
from linkwise.govern.accounts import User
from linkwise.govern.cases import InvalidCaseError, require_case
from linkwise.govern.users import list_users
from linkwise.model.audit import format_time
from linkwise.model.cases import STATUSES, Case, CaseEvent, Note, Subject
from linkwise.store import case_work
from linkwise.store import cases as case_store

PRIORITY_EVENT = "priority"
"""The ``case_events`` kind a priority computation is kept under (``linkwise.cases.priority``)."""


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case: Case
    assignee: str | None
    priority: float | None
    """The score last computed (``linkwise case priority``), None when never."""
    priority_at: dt.datetime | None
    subjects: int
    needs_confirmation: int
    """Subjects that re-resolution changed and the assignee has not confirmed yet."""

    def to_json(self) -> dict[str, Any]:
        return {
            **_case_json(self.case),
            "assignee": self.assignee,
            "priority": self.priority,
            "priority_at": None if self.priority_at is None else format_time(self.priority_at),
            "subjects": self.subjects,
            "needs_confirmation": self.needs_confirmation,
        }


@dataclass(frozen=True, slots=True)
class HistoryItem:
    at: dt.datetime
    actor: str
    kind: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"at": format_time(self.at), "actor": self.actor, "kind": self.kind, **self.detail}

    def describe(self) -> str:
        """The step in words, as the command line and the case page show it."""
        detail = self.detail
        why = f" ({detail['reason']})" if detail.get("reason") else ""
        if self.kind == "opened":
            return f"opened for the purpose {detail.get('purpose', '')}"
        if self.kind == "status":
            return f"status {detail['from']} → {detail['to']}{why}"
        if self.kind == "assigned":
            return f"assigned {detail.get('from') or 'nobody'} → {detail['to']}"
        if self.kind == "note":
            return f"added note {detail['note_id']}"
        if self.kind == "priority":
            counted = [name for name, status in detail["rules"].items() if status == "counted"]
            return (
                f"priority computed: {detail['score']:g} "
                f"({', '.join(counted) or 'no rule counted'})"
            )
        if self.kind == "subject.confirmed":
            now = ", ".join(detail["entity_ids"])
            return f"subject {detail['entity_id']} confirmed as {now}{why}"
        if self.kind.startswith("subject."):
            return f"subject {self.kind.removeprefix('subject.')}: {detail['entity_id']}{why}"
        return ", ".join(f"{k} {v}" for k, v in detail.items())


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    assignee: str | None
    created_by: str
    subjects: tuple[SubjectState, ...]
    ended: tuple[Subject, ...]
    """Subject rows that were replaced or removed, oldest first."""
    notes: tuple[tuple[Note, str], ...]
    """Each note with its author's username."""
    history: tuple[HistoryItem, ...]
    priority: dict[str, Any] | None
    """The last priority computation's record (score, rules counted, when), or None."""

    @property
    def needs_confirmation(self) -> list[SubjectState]:
        return [s for s in self.subjects if s.needs_confirmation]

    def to_json(self) -> dict[str, Any]:
        return {
            **_case_json(self.case),
            "assignee": self.assignee,
            "created_by": self.created_by,
            "subjects": [s.to_json() for s in self.subjects],
            "ended_subjects": [
                {
                    "subject_id": s.id,
                    "entity_id": s.entity_id,
                    "status": s.status,
                    "replaced_by": s.replaced_by,
                    "ended_at": None if s.ended_at is None else format_time(s.ended_at),
                }
                for s in self.ended
            ],
            "notes": [
                {"id": n.id, "at": format_time(n.at), "author": who, "text": n.text}
                for n, who in self.notes
            ],
            "history": [h.to_json() for h in self.history],
            "priority": self.priority,
        }


def list_cases(
    conn: Connection, actor: User, *, statuses: Sequence[str] = (), mine: bool = False
) -> list[CaseSummary]:
    """Cases, newest first (only ``statuses`` if given; only the actor's with ``mine``),
    each with its assignee, last priority score and subjects awaiting confirmation;
    audited as ``case.list``."""
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise InvalidCaseError(
            "status", f"{', '.join(map(repr, unknown))} is not one of {', '.join(STATUSES)}"
        )
    filters = {"statuses": list(statuses), "mine": mine}
    current = permit(conn, actor, None, rules.READ, "case.list", filters)
    found = case_work.list_cases(conn, statuses=statuses, assignee_id=current.id if mine else None)
    names = _usernames(conn)
    scores = case_work.latest_events(conn, [c.id for c in found], PRIORITY_EVENT)
    out = []
    for case in found:
        states = subject_states(conn, case.id)
        score = scores.get(case.id)
        out.append(
            CaseSummary(
                case=case,
                assignee=names.get(case.assignee_id) if case.assignee_id else None,
                priority=None if score is None else float(score.detail["score"]),
                priority_at=None if score is None else score.at,
                subjects=len(states),
                needs_confirmation=sum(1 for s in states if s.needs_confirmation),
            )
        )
    audit.record(
        conn,
        actor=current.username,
        action="case.list",
        objects={**filters, "case_ids": [c.id for c in found]},
        decision={"allowed": True, "role": current.role.value},
    )
    return out


def case_detail(conn: Connection, actor: User, case_id: int) -> CaseDetail:
    """One case with its subjects, notes and history; audited as ``case.view``."""
    case = require_case(conn, case_id)
    current = permit(conn, actor, case, rules.READ, "case.view", {"case_id": case_id})
    names = _usernames(conn)
    states = tuple(subject_states(conn, case.id))
    every = case_store.subjects_of_case(conn, case.id, include_ended=True)
    events = case_work.events_of_case(conn, case.id)
    scores = [e for e in events if e.kind == PRIORITY_EVENT]
    detail = CaseDetail(
        case=case,
        assignee=names.get(case.assignee_id) if case.assignee_id else None,
        created_by=names.get(case.created_by, f"#{case.created_by}"),
        subjects=states,
        ended=tuple(s for s in every if s.status != "active"),
        notes=tuple(
            (n, names.get(n.author_id, f"#{n.author_id}"))
            for n in case_work.notes_of_case(conn, case.id)
        ),
        history=tuple(_history(case, events, names)),
        priority=None if not scores else {**scores[-1].detail, "at": format_time(scores[-1].at)},
    )
    audit.record(
        conn,
        actor=current.username,
        action="case.view",
        objects={
            "case_id": case.id,
            "entity_ids": sorted({s.subject.entity_id for s in states}),
            "needs_confirmation": [s.subject.entity_id for s in detail.needs_confirmation],
        },
        decision={"allowed": True, "role": current.role.value},
        case_id=case.id,
    )
    return detail


def _history(case: Case, events: Iterable[CaseEvent], names: dict[int, str]) -> list[HistoryItem]:
    """The case's history, oldest first, beginning with its opening (from the case row)."""
    opened = HistoryItem(
        case.created_at,
        names.get(case.created_by, f"#{case.created_by}"),
        "opened",
        {"purpose": case.purpose},
    )
    return [opened] + [
        HistoryItem(e.at, names.get(e.actor_id, f"#{e.actor_id}"), e.kind, dict(e.detail))
        for e in events
    ]


def _usernames(conn: Connection) -> dict[int, str]:
    return {u.id: u.username for u in list_users(conn)}


def _case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "title": case.title,
        "purpose": case.purpose,
        "status": case.status,
        "created_at": format_time(case.created_at),
    }
