"""The disclosure record: which reads showed which records, in which case and document.

A governed read names, in its audit event, the records it showed at least one value of
(``objects["disclosed"]``, see ``linkwise.store.audit.disclosed_in``). Those ids are subjects
of the event as well (under its ``record_ids`` key), so the subject index (``audit_subjects``,
brought up to date first: see ``linkwise.store.audit.index_subjects``) finds every event that
could have disclosed a record; each one found is
read back from its hashed event and kept only if the event itself says it disclosed the
record. A row added by hand therefore cannot invent a use, and a row deleted by hand hides a
use only from the index (the event is still in the verified chain, and
``missing_from_index`` finds it). Until migration 0008 a separate ``disclosures`` table held
the same ids a second time, so every governed read wrote each disclosed id twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from linkwise.store import audit
from linkwise.store import tables as t

_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Use:
    """One read that showed values of some of the records asked about."""

    seq: int
    at: datetime
    actor: str
    action: str
    case_id: int | None
    document_id: str | None
    record_ids: tuple[int, ...]


def uses_of(conn: Connection, record_ids: Iterable[int]) -> list[Use]:
    """Every read that disclosed any of ``record_ids``, oldest first, each with the ones of
    them it disclosed."""
    wanted = set(record_ids)
    audit.index_subjects(conn)
    s = t.audit_subjects
    seqs: set[int] = set()
    ordered = [str(i) for i in sorted(wanted)]
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        seqs.update(conn.execute(select(s.c.seq).where(s.c.subject.in_(chunk))).scalars())
    uses = []
    for event in audit.events_at(conn, seqs):
        disclosed, document_id = audit.disclosed_in(event.objects)
        named = tuple(r for r in disclosed if r in wanted)
        if named:
            uses.append(
                Use(
                    seq=event.seq,
                    at=event.at,
                    actor=event.actor,
                    action=event.action,
                    case_id=event.case_id,
                    document_id=document_id,
                    record_ids=named,
                )
            )
    return uses


def missing_from_index(conn: Connection) -> Iterator[tuple[int, int]]:
    """(seq, record_id) for each disclosure an event names that the subject index, brought up
    to date, lacks: after the chain verifies, an empty answer means the index finds every
    disclosure."""
    audit.index_subjects(conn)
    s = t.audit_subjects
    for event in audit.iter_events(conn):
        disclosed, _ = audit.disclosed_in(event.objects)
        if not disclosed:
            continue
        indexed = set(conn.execute(select(s.c.subject).where(s.c.seq == event.seq)).scalars())
        for record_id in disclosed:
            if str(record_id) not in indexed:
                yield event.seq, record_id
