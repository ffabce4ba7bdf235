"""Appending to and reading the audit log (``audit_events``), a SHA-256 hash chain.

Appends run inside the caller's transaction, so an event commits or rolls back with the change
it records. Concurrent writers are serialised before the head of the chain is read: on
PostgreSQL by a transaction-scoped advisory lock, elsewhere (SQLite) by taking the database's
write lock first. Either way two events can never claim the same place in the chain, and the
primary key on ``seq`` turns any writer that slips past (e.g. one running at REPEATABLE READ
with a stale snapshot) into an error rather than a fork.

Every ``CHECKPOINT_INTERVAL``-th append also signs a checkpoint in the same transaction, with
the signing key passed in or found through the connection's ``SIGNING_KEY_OPTION`` (the
workspace sets it on its engine); the store never reads key files.

Subjects. ``audit_subjects`` is a side table of (subject, seq): for each event, the text of
every value held under one of ``SUBJECT_KEYS`` anywhere in its ``objects``. A search by
subject is then one indexed lookup, with the same SQL on SQLite and PostgreSQL, where JSON
containment (PostgreSQL) or ``json_tree`` (SQLite) would scan every event's JSON in two
dialects. The table is an index, not evidence: it is derived from the hashed ``objects`` and
every match is checked against them again, so a doctored row can hide an event from a search
(never from ``verify``) but cannot make an event match that does not name the subject.

The index is brought up to date in batches, not as each event is appended. Every governed
read appends an event naming each record it touched, and writing those rows with it put each
on a page of its own in the read's commit: for an entity of four records or more that was a
third of the read's time. So ``index_subjects`` indexes every event since the last one indexed
(``audit_index.indexed_to``) in one pass, under the chain's lock: the append of every
``SUBJECTS_EVERY``-th event does, so a few hundred events' rows share their pages in one
commit, and every read by subject (``iter_events``, ``linkwise.store.disclosures``) does
first, in the reader's transaction, so none misses an event. A reader whose transaction
rolls back leaves the index where it was (the next one indexes those events again).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Text,
    false,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from linkwise.model.audit import (
    GENESIS_HASH,
    Anchor,
    AuditEvent,
    ChainCheck,
    utc,
)
from linkwise.model.audit_checkpoints import (
    CHECKPOINT_INTERVAL,
    Checkpoint,
    check_signed_chain,
    sign_checkpoint,
)
from linkwise.store import tables as t
from linkwise.store.audit_driver import Driver, DriverStatement, compiled_for

DISCLOSED = "disclosed"
"""The key of an event's ``objects`` naming the records it disclosed (``disclosed_in``);
they are subjects of the event too (``record_ids`` under it), which is how
``linkwise.store.disclosures`` finds them."""
ADVISORY_LOCK_KEY = 0x6C696E6B77697365  # "linkwise" in ASCII, a positive 64-bit key
_PAGE = 1000

SigningKeySource = Callable[[Connection], Ed25519PrivateKey]
"""Gives the checkpoint signing key when a checkpoint is due (it may read a key file then, so
processes that never reach a checkpoint never touch the key); raises if the key is needed and
cannot be had, which rolls the append back rather than leave a gap in the signatures."""

SIGNING_KEY_OPTION = "linkwise_audit_signing_key"
"""Execution option (on an engine or connection) holding a ``SigningKeySource``. Without it,
and without a key passed to ``append_event``, no automatic checkpoint is written."""

SUBJECT_KEYS = frozenset(
    {
        "entity",
        "entity_id",
        "entities",
        "entity_ids",
        "record",
        "record_id",
        "records",
        "record_ids",
        "subject",
        "subjects",
    }
)
"""Keys of an event's ``objects`` (at any depth) whose values name a person: an entity or
record id, or a list of them. ``linkwise audit search --subject`` finds these."""

_MAX_SUBJECT = 200  # longer values are not ids; PostgreSQL's index would refuse huge ones


class AuditTransactionError(RuntimeError):
    """An append was attempted outside a transaction, where it could outlive (or miss) the
    change it records."""


def append_event(
    conn: Connection,
    *,
    actor: str,
    action: str,
    objects: Mapping[str, Any],
    decision: Mapping[str, Any] | None = None,
    case_id: int | None = None,
    at: datetime | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> AuditEvent:
    """Add one event at the head of the chain, in ``conn``'s open transaction, and a signed
    checkpoint of it when its seq is a multiple of ``CHECKPOINT_INTERVAL`` and a key is given
    (``signing_key``, else the connection's ``SIGNING_KEY_OPTION``)."""
    if not conn.in_transaction() or conn.get_execution_options().get("isolation_level") == (
        "AUTOCOMMIT"
    ):
        raise AuditTransactionError(
            "audit events are appended inside the transaction of the change they record; "
            "call this within `with engine.begin() as conn:` (or after conn.begin())"
        )
    if at is not None and at.tzinfo is None:
        raise ValueError("the time of an audit event must carry a time zone")
    lock, head_of, insert_event = _statements(conn)
    with Driver(conn) as driver:  # see linkwise.store.audit_driver
        driver.one(lock)
        head = driver.one(head_of)
        seq, prev_hash = (1, GENESIS_HASH) if head is None else (int(head[0]) + 1, str(head[1]))
        event = AuditEvent.sealed(
            seq=seq,
            at=at or datetime.now(UTC),
            actor=actor,
            case_id=case_id,
            action=action,
            objects=objects,
            decision=decision,
            prev_hash=prev_hash,
        )
        driver.one(
            insert_event,
            {
                "seq": event.seq,
                "at": event.at,
                "actor": event.actor,
                "case_id": event.case_id,
                "action": event.action,
                "objects": event.objects,
                "decision": event.decision,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
            },
        )
    if event.seq % CHECKPOINT_INTERVAL == 0:
        key = signing_key or _key_from(conn)
        if key is not None:
            _insert_checkpoint(conn, key, event.seq, event.hash)
    if event.seq % SUBJECTS_EVERY == 0:
        index_subjects(conn)
    return event


def disclosed_in(objects: Mapping[str, Any]) -> tuple[list[int], str | None]:
    """The records an event says were disclosed (``objects["disclosed"]["record_ids"]``: a
    read showed at least one of their values) and the document they went into, if any
    (``objects["disclosed"]["document_id"]``)."""
    item = objects.get(DISCLOSED)
    if not isinstance(item, Mapping):
        return [], None
    ids = item.get("record_ids")
    records = sorted(
        {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
        if isinstance(ids, list | tuple)
        else set()
    )
    document = item.get("document_id")
    return records, document if isinstance(document, str) and document else None


def subjects_of(objects: Mapping[str, Any]) -> list[str]:
    """The subjects an event names (see ``SUBJECT_KEYS``), as text, each once, sorted."""
    found: set[str] = set()

    def walk(value: Any, named: bool) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, key in SUBJECT_KEYS)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, named)
        elif named and isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value)
            if text and len(text) <= _MAX_SUBJECT:
                found.add(text)

    walk(objects, False)
    return sorted(found)


def _key_from(conn: Connection) -> Ed25519PrivateKey | None:
    source = conn.get_execution_options().get(SIGNING_KEY_OPTION)
    return None if source is None else source(conn)


def _insert_checkpoint(
    conn: Connection, key: Ed25519PrivateKey, seq: int, event_hash: str
) -> Checkpoint:
    c = t.audit_checkpoints
    prev = conn.execute(select(func.max(c.c.seq))).scalar()
    checkpoint = sign_checkpoint(
        key, seq=seq, event_hash=event_hash, at=datetime.now(UTC), prev_seq=prev or 0
    )
    conn.execute(
        insert(c).values(
            seq=checkpoint.seq,
            at=checkpoint.at,
            event_hash=checkpoint.event_hash,
            prev_seq=checkpoint.prev_seq,
            public_key=checkpoint.public_key,
            signature=checkpoint.signature,
        )
    )
    return checkpoint


class NothingToSignError(ValueError):
    """A checkpoint was asked for on an empty log."""


def write_checkpoint(conn: Connection, signing_key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the head of the chain now, in ``conn``'s open transaction; the head's checkpoint
    as it is if it already has one."""
    if not conn.in_transaction():
        raise AuditTransactionError("a checkpoint is written inside a transaction")
    _lock_chain(conn)
    c = t.audit_checkpoints
    top = conn.execute(_HEAD).first()
    if top is None:
        raise NothingToSignError("the audit log is empty: there is no event to sign")
    existing = conn.execute(select(c).where(c.c.seq == top.seq)).first()
    if existing is not None:
        return _checkpoint(existing)
    return _insert_checkpoint(conn, signing_key, top.seq, top.hash)


def checkpoints(conn: Connection) -> list[Checkpoint]:
    """Every checkpoint, oldest first (one per thousand events: few enough to hold)."""
    c = t.audit_checkpoints
    return [_checkpoint(row) for row in conn.execute(select(c).order_by(c.c.seq))]


def last_checkpoint(conn: Connection) -> Checkpoint | None:
    c = t.audit_checkpoints
    row = conn.execute(select(c).order_by(c.c.seq.desc()).limit(1)).first()
    return None if row is None else _checkpoint(row)


def _checkpoint(row: Row[Any]) -> Checkpoint:
    return Checkpoint(
        seq=row.seq,
        at=utc(row.at),
        event_hash=row.event_hash,
        prev_seq=row.prev_seq,
        public_key=row.public_key,
        signature=row.signature,
    )


def _lock_chain(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK)
        return
    # SQLite: an UPDATE that matches nothing still takes the write lock (waiting out the
    # busy timeout), so no other writer can append between our read of the head and our
    # insert. The driver opens the transaction at this first write, so the read that follows
    # sees every event committed before it.
    conn.execute(_SQLITE_LOCK)


# Built once: an append runs these thousands of times a second, and building a statement
# (with its cache key) cost more than executing it.
_E = t.audit_events
_HEAD = select(_E.c.seq, _E.c.hash).order_by(_E.c.seq.desc()).limit(1)
_INSERT_EVENT = insert(_E)
_PG_LOCK = select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY))
_SQLITE_LOCK = update(_E).where(false()).values(seq=_E.c.seq)


def _statements(conn: Connection) -> tuple[DriverStatement, ...]:
    """The append's statements for the connection's dialect: the lock (as ``_lock_chain``
    takes it), the head and the event."""
    lock = _PG_LOCK if conn.dialect.name == "postgresql" else _SQLITE_LOCK
    return compiled_for(conn.dialect, ((lock, None), (_HEAD, None), (_INSERT_EVENT, _E)))


SUBJECTS_INDEX = "subjects"
"""The ``audit_index`` row of ``audit_subjects``."""
SUBJECTS_EVERY = 256
"""Every this many events the append that falls on it brings the subject index up to date
(``index_subjects``), so no catch-up has more than this many events to index under the
chain's lock (12 to 19 ms in benchmarks/governed_reads.py's slowest reads), however long
since the last read by subject. With ``CHECKPOINT_INTERVAL`` at 1,000, the two fall on one
append once in 32,000 events."""


def index_subjects(conn: Connection) -> int:
    """Index the subjects of every event appended since the index was last brought up to
    date, in ``conn``'s transaction, and return how many events that was (normally fewer
    than ``SUBJECTS_EVERY``: the append of every such event does the same). Taken under the
    chain's lock, so it waits for appends in flight and never runs beside another catch-up;
    a row already there (a hand-made one) is left as it is."""
    _lock_chain(conn)
    x, e = t.audit_index, t.audit_events
    head = conn.execute(select(x.c.indexed_to).where(x.c.name == SUBJECTS_INDEX)).scalar()
    if head is None:
        conn.execute(insert(x).values(name=SUBJECTS_INDEX, indexed_to=0))
    done = int(head or 0)
    if done and done > int(conn.execute(select(func.max(e.c.seq))).scalar() or 0):
        done = 0  # a position past the newest event was set by hand: index the log again
    columns = [c for c in _columns(conn) if c.name in ("seq", "objects")]
    module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    add = module.insert(t.audit_subjects).on_conflict_do_nothing()
    count = 0
    while True:
        rows = conn.execute(
            select(*columns).where(e.c.seq > done).order_by(e.c.seq).limit(_PAGE)
        ).all()
        if not rows:
            break
        found = [
            {"subject": subject, "seq": row.seq}
            for row in rows
            for subject in subjects_of(_mapping(row.objects))
        ]
        if found:
            conn.execute(add, found)
        done = int(rows[-1].seq)
        count += len(rows)
    if done != head:  # under the chain's lock, so no other catch-up moves it meanwhile
        conn.execute(update(x).where(x.c.name == SUBJECTS_INDEX).values(indexed_to=done))
    return count


def _mapping(value: Any) -> Mapping[str, Any]:
    """An event's stored ``objects`` as a mapping; a garbled one names nothing (``verify``
    reports the event)."""
    found = _json(value)
    return found if isinstance(found, Mapping) else {}


def iter_events(
    conn: Connection,
    *,
    since_seq: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    case_id: int | None = None,
    subject: str | None = None,
    since_time: datetime | None = None,
    until_time: datetime | None = None,
    limit: int | None = None,
    newest_first: bool = False,
    before_seq: int | None = None,
    decision: str | None = None,
) -> Iterator[AuditEvent]:
    """Events in seq order (or newest first), those after ``since_seq`` (and before
    ``before_seq``) only if given, read a page at a time so that a long log is never held in
    memory. ``since_time`` is inclusive, ``until_time`` exclusive; ``subject`` matches an id
    named under one of ``SUBJECT_KEYS``; ``decision`` is one of ``DECISION_FILTERS``
    (``decision_matches``), checked on the parsed event so that a garbled row is skipped
    rather than stopping the read."""
    if decision is not None and decision not in DECISION_FILTERS:
        raise ValueError(f"decision {decision!r} is not one of {', '.join(DECISION_FILTERS)}")
    e = t.audit_events
    base = select(*_columns(conn))
    if actor is not None:
        base = base.where(e.c.actor == actor)
    if action is not None:
        base = base.where(e.c.action == action)
    if case_id is not None:
        base = base.where(e.c.case_id == case_id)
    if since_seq is not None:
        base = base.where(e.c.seq > since_seq)
    if before_seq is not None:
        base = base.where(e.c.seq < before_seq)
    if subject is not None:
        index_subjects(conn)
        s = t.audit_subjects
        base = base.where(e.c.seq.in_(select(s.c.seq).where(s.c.subject == subject)))
    if since_time is not None:
        base = base.where(e.c.at >= _bound(since_time))
    if until_time is not None:
        base = base.where(e.c.at < _bound(until_time))
    base = base.order_by(e.c.seq.desc() if newest_first else e.c.seq)
    remaining = limit
    after: int | None = None
    while remaining is None or remaining > 0:
        # filtered in Python: read full pages, as most rows of one may not match
        page = _PAGE if remaining is None or decision is not None else min(_PAGE, remaining)
        query = base.limit(page)
        if after is not None:
            query = query.where(e.c.seq < after if newest_first else e.c.seq > after)
        rows = conn.execute(query).all()
        for row in rows:
            event = _event(row)
            if subject is not None and subject not in subjects_of(event.objects):
                continue
            if decision is not None and not decision_matches(event.decision, decision):
                continue
            yield event
            if remaining is not None:
                remaining -= 1
                if remaining == 0:
                    return
        if len(rows) < page:
            return
        after = rows[-1].seq


DECISION_FILTERS = ("allowed", "refused", "shown", "redacted", "prohibited", "not_found")
"""What an event's decision can be searched for: a permission check that let the actor act
(``allowed``) or refused (``refused``), or a governed read's outcome (its most restrictive)."""


def decision_matches(decision: Mapping[str, Any] | None, wanted: str) -> bool:
    """Whether an event's decision is of the kind ``wanted`` (one of ``DECISION_FILTERS``)."""
    if not isinstance(decision, Mapping):
        return False
    if wanted in ("allowed", "refused"):
        allowed = decision.get("allowed")
        return isinstance(allowed, bool) and allowed == (wanted == "allowed")
    return decision.get("outcome") == wanted


def events_at(conn: Connection, seqs: Iterable[int]) -> list[AuditEvent]:
    """The events with these sequence numbers, in seq order (as stored, not verified)."""
    wanted = sorted(set(seqs))
    e = t.audit_events
    out: list[AuditEvent] = []
    for start in range(0, len(wanted), _PAGE):
        chunk = wanted[start : start + _PAGE]
        rows = conn.execute(select(*_columns(conn)).where(e.c.seq.in_(chunk)).order_by(e.c.seq))
        out.extend(_event(row) for row in rows)
    return out


def head(conn: Connection) -> AuditEvent | None:
    """The newest event, as stored (not verified)."""
    return next(iter_events(conn, newest_first=True, limit=1), None)


def verify_chain(
    conn: Connection,
    *,
    anchor: Anchor | None = None,
    trusted_keys: Iterable[Ed25519PublicKey] = (),
) -> ChainCheck:
    """Recompute every event's hash in seq order and check the links between them, and check
    every checkpoint's signature (by one of ``trusted_keys``) and signed hash."""
    # Checkpoints first: each names an event already committed, so events read after them
    # include every signed one, while a checkpoint committed meanwhile is simply not seen.
    signed = checkpoints(conn)
    return check_signed_chain(iter_events(conn), signed, trusted_keys=trusted_keys, anchor=anchor)


def _bound(at: datetime) -> datetime:
    """A time bound in UTC, as events are stored (SQLite keeps the UTC wall time only)."""
    if at.tzinfo is None:
        raise ValueError("a time bound must carry a time zone")
    return utc(at)


def _columns(conn: Connection) -> list[ColumnElement[Any]]:
    e = t.audit_events
    if conn.dialect.name != "sqlite":
        return list(e.c)
    # SQLite does not check that JSON columns hold JSON, nor that a time is a time; read the
    # text and parse it here, so a row garbled by hand shows up as a broken event instead of
    # stopping the whole read (verify included).
    return [type_coerce(c, Text).label(c.name) if c.name in _AS_TEXT else c for c in e.c]


_JSON = ("objects", "decision")
_AS_TEXT = (*_JSON, "at")
UNREADABLE = "unreadable stored value"
UNREADABLE_TIME = datetime.min.replace(tzinfo=UTC)
"""The time of an event whose stored time is not a time (edited by hand): no event was
hashed with it, so the event fails verification where it stands."""


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return utc(value)
    try:
        return utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return UNREADABLE_TIME


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        # A value that was valid JSON when hashed cannot be this, so the hash check fails.
        return {UNREADABLE: value}


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        at=_time(row.at),
        actor=row.actor,
        case_id=row.case_id,
        action=row.action,
        objects=_json(row.objects),
        decision=_json(row.decision),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
