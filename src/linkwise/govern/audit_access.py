"""Who may read, verify, export and sign the audit log, and the events those uses leave.

The log says who looked at whom, so reading it is itself an access worth recording: every
search, listing, verification, export and on-demand checkpoint writes an event (``audit.*``)
in the same transaction as its role check. A refusal writes ``permission.denied`` instead
(``require_role``); the caller commits that before passing the error on.

Each function takes the caller's connection inside an open transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.govern.accounts import User, require_role
from linkwise.model.audit import Anchor, AuditEvent, ChainCheck, format_time
from linkwise.model.audit_checkpoints import Checkpoint, public_key_hex
from linkwise.model.roles import Role
from linkwise.store.audit import DECISION_FILTERS as DECISION_FILTERS

READERS = (Role.AUDITOR,)
"""Who may search, list and export the log: it names who looked at which person, which is
for oversight, not for case work or administration."""
VERIFIERS = (Role.AUDITOR, Role.ADMINISTRATOR)
"""Who may verify the log and ask for a checkpoint: an administrator runs the system and
must be able to see that its log is intact, without reading it."""

DEFAULT_LIMIT = 100


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """What to look for; every filter given must match. ``since_time`` is inclusive and
    ``until_time`` exclusive; ``since_seq`` (events after it) is exclusive. ``limit`` keeps
    the newest matches unless ``since_seq`` is given, which keeps the first after it."""

    actor: str | None = None
    action: str | None = None
    case_id: int | None = None
    subject: str | None = None
    since_time: datetime | None = None
    until_time: datetime | None = None
    since_seq: int | None = None
    limit: int | None = DEFAULT_LIMIT
    before_seq: int | None = None
    """Only events before this sequence number (exclusive): the next page of a newest-first
    listing."""
    decision: str | None = None
    """Only events whose decision is of this kind (``linkwise.store.audit.DECISION_FILTERS``:
    allowed, refused, shown, redacted, prohibited, not_found)."""

    def __post_init__(self) -> None:
        if self.decision is not None and self.decision not in DECISION_FILTERS:
            raise ValueError(
                f"decision {self.decision!r} is not one of {', '.join(DECISION_FILTERS)}"
            )

    def to_objects(self) -> dict[str, Any]:
        """The filters given, for the audit event of the search (``subject`` among them, so
        that a search about a person is found by searching for that person)."""
        given: dict[str, Any] = {
            "actor": self.actor,
            "action": self.action,
            "case_id": self.case_id,
            "subject": self.subject,
            "since_time": None if self.since_time is None else format_time(self.since_time),
            "until_time": None if self.until_time is None else format_time(self.until_time),
            "since_seq": self.since_seq,
            "limit": self.limit,
            "before_seq": self.before_seq,
            "decision": self.decision,
        }
        return {key: value for key, value in given.items() if value is not None}


def search(
    conn: Connection, actor: User, query: AuditQuery, *, action: str = "audit.search"
) -> list[AuditEvent]:
    """Events matching ``query``, oldest first, for an auditor."""
    filters = query.to_objects()
    current = require_role(conn, actor, READERS, action, filters)
    newest_first = query.since_seq is None
    found = list(
        audit.events(
            conn,
            since_seq=query.since_seq,
            actor=query.actor,
            action=query.action,
            case_id=query.case_id,
            subject=query.subject,
            since_time=query.since_time,
            until_time=query.until_time,
            limit=query.limit,
            newest_first=newest_first,
            before_seq=query.before_seq,
            decision=query.decision,
        )
    )
    if newest_first:
        found.reverse()
    audit.record(
        conn,
        actor=current.username,
        action=action,
        objects={**filters, "matched": len(found)},
        decision=_allowed(current, READERS),
    )
    return found


def verify(
    conn: Connection,
    actor: User,
    *,
    anchor: Anchor | None = None,
    trusted_keys: Iterable[Ed25519PublicKey] = (),
) -> ChainCheck:
    """The chain and checkpoint check, for an auditor or administrator. The result is
    recorded (``audit.verify``), so a broken log found by anyone is on the record."""
    keys = list(trusted_keys)
    objects: dict[str, Any] = {"trusted_keys": [public_key_hex(k) for k in keys]}
    if anchor is not None:
        objects["anchor"] = f"{anchor[0]}:{anchor[1]}"
    current = require_role(conn, actor, VERIFIERS, "audit.verify", objects)
    check = audit.verify(conn, anchor=anchor, trusted_keys=keys)
    audit.record(
        conn,
        actor=current.username,
        action="audit.verify",
        objects={
            **objects,
            "ok": check.ok,
            "events": check.events,
            "first_bad_seq": check.first_bad_seq,
            "reason": check.reason,
            "checkpoints": check.checkpoints,
        },
        decision=_allowed(current, VERIFIERS),
    )
    return check


def export(
    conn: Connection, actor: User, out: Path | str | IO[str], *, destination: str
) -> tuple[int, int]:
    """Write the whole log with its checkpoints (``audit.export_jsonl``), for an auditor.
    Returns (events, checkpoints) written; ``destination`` is recorded (a path, or ``-``)."""
    current = require_role(conn, actor, READERS, "audit.export", {"to": destination})
    written = audit.export_jsonl(conn, out)
    signed = len(audit.checkpoints(conn))
    audit.record(
        conn,
        actor=current.username,
        action="audit.export",
        objects={"to": destination, "events": written, "checkpoints": signed},
        decision=_allowed(current, READERS),
    )
    return written, signed


def checkpoint(conn: Connection, actor: User, signing_key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the log now, for an auditor or administrator: the request is recorded first, so
    the checkpoint covers the event that asked for it."""
    objects = {"public_key": public_key_hex(signing_key)}
    current = require_role(conn, actor, VERIFIERS, "audit.checkpoint", objects)
    audit.record(
        conn,
        actor=current.username,
        action="audit.checkpoint",
        objects=objects,
        decision=_allowed(current, VERIFIERS),
    )
    return audit.checkpoint(conn, signing_key)


def _allowed(user: User, needs: tuple[Role, ...]) -> dict[str, Any]:
    return {"allowed": True, "role": user.role.value, "needs": [role.value for role in needs]}
