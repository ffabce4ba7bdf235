"""The governed session: the one gate every interface reads person data through (DESIGN.md
§2). A session is bound to an actor (a ``User``) and a case, whose purpose every decision is
judged against, under the workspace's policy pack and the case's authorisations.

Who may read. Only analysts, supervisors and legal reviewers read person data for case work;
auditors read the audit log and administrators manage the system, and both are refused, as is
a disabled user or a case that is unknown or not open. The check is made when the session
opens and again at every read (a role changed or an account disabled mid-session takes effect
at once); each refusal writes a ``permission.denied`` audit event, committed before the error
is raised.

Each read is one transaction (``reading``): it re-reads the actor, the case and the case's
authorisations, in one statement (``standing``), so a revocation, a disabled account or a
closed case takes effect on the very next read, in every process, and judges each
authorisation's validity against the clock at that read (so does an expiry). The policy's
answers (``Decisions``) are handed on to the next read only while all of that is the same
(``_decisions_for``), so they are the answers a fresh one would give. It follows entity
redirects so that an authorisation naming an entity that was since merged or split still
reaches its records, decides every value it returns (``linkwise.govern.gate.Read``), and
writes its audit event in the same transaction. A read that finds nothing is audited too
(``decision.outcome: not_found``); one refused on bad input (an unknown field, say) is not a
read and leaves no event.

Every value of every structure a read returns is either shown or replaced by a marker
``{"redacted": true, "outcome", "marking", "authority", "reason", "would_unlock", ...}``
(``outcome`` is ``redacted`` or ``prohibited``). Records the law never discloses (8 U.S.C.
§ 1367) are left out entirely, and the audit event records that they were.

Read paths that need only the store live here (``record``, ``entity``, ``review_queue``,
``export_entity``, ``why``); those that need the resolution model (explanations, real-time
matching) are added by ``linkwise.workspace.session.WorkspaceSession``, and later ones
(search, drafting, the API) plug in the same way: open ``reading`` and pass every value
through the ``Read`` it yields.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

from linkwise.govern import audit, document_reads
from linkwise.govern.accounts import AuditedRefusalError, User, to_user
from linkwise.govern.cases import get_case
from linkwise.govern.entity_ids import current_ids
from linkwise.govern.gate import (
    RECORD,
    NotFoundError,
    Read,
    RecordRef,
    SessionError,
    is_withheld,
    marker,
)
from linkwise.govern.policy import Decisions, authorisation_state, explain
from linkwise.govern.views import (
    SUMMARY_FIELDS,
    export_record,
    link_view,
    named_records,
    record_view,
    review_item,
)
from linkwise.model.authorisations import Authorisation
from linkwise.model.cases import Case
from linkwise.model.fields import FIELDS, RECORD_COLUMNS
from linkwise.model.policy import PolicyPack
from linkwise.model.roles import Role
from linkwise.normalize.terms import search_terms
from linkwise.store import reads
from linkwise.store import records as record_store
from linkwise.store import standing as standing_store
from linkwise.store import users as user_store

__all__ = [
    "READ_ROLES",
    "GovernedSession",
    "NotFoundError",
    "Read",
    "RecordRef",
    "SessionError",
    "SessionRefusedError",
    "admit",
    "current_ids",
    "is_withheld",
    "marker",
]

READ_ROLES = (Role.ANALYST, Role.SUPERVISOR, Role.LEGAL_REVIEWER)
"""The roles that read person data for case work."""
EXPORT_FORMAT = "linkwise.entity-export/1"
_WHY_NOT_ROLE = {
    Role.AUDITOR: "auditors read and verify the audit log, not person data for case work",
    Role.ADMINISTRATOR: (
        "administrators manage users, sources and the policy pack, not person data for case work"
    ),
}

Clock = Callable[[], dt.datetime]


class SessionRefusedError(AuditedRefusalError, PermissionError):
    """The actor may not read person data in this case (role, disabled account, unknown or
    closed case). Raised after its ``permission.denied`` audit event was committed."""


def admit(conn: Connection, actor: User, case_id: int, action: str) -> tuple[User, Case]:
    """The actor as stored now and the case, if the one may read person data in the other;
    otherwise write a ``permission.denied`` event and raise SessionRefusedError (the caller
    commits before passing it on)."""
    current, case, _, _, _ = standing(conn, actor, case_id, action)
    return current, case


def standing(
    conn: Connection, actor: User, case_id: int, action: str
) -> tuple[User, Case, tuple[Authorisation, ...], int | None, float]:
    """``admit``, with the case's authorisations in any state, the entity generation and
    the latest completed resolution run's clustering threshold, all read in one statement
    (``linkwise.store.standing``): what every read re-reads, so that a disabled account, a
    role change, a closed case or a revocation takes effect at the very next read."""
    found = standing_store.standing(conn, actor.id, case_id)
    current: User | None
    case: Case | None
    generation: int | None = None
    threshold = reads.DEFAULT_THRESHOLD
    if found is not None:
        uid, username, display_name, role, disabled = found.user
        current = User(uid, username, display_name, Role(role), disabled)
        case, authorisations, generation = found.case, found.authorisations, found.generation
        if found.threshold is not None:
            threshold = found.threshold
    else:  # the user or the case is missing: say which
        row = user_store.user_by_id(conn, actor.id)
        current = to_user(row) if row is not None else None
        case, authorisations = get_case(conn, case_id), ()
    roles = ", ".join(r.value for r in READ_ROLES)
    problem = None
    if current is None:
        problem = f"there is no user #{actor.id}"
    elif current.disabled:
        problem = f"{current.username}'s account is disabled"
    elif current.role not in READ_ROLES:
        problem = (
            f"{current.username} is {current.role.value} ({_WHY_NOT_ROLE[current.role]}); "
            f"person data is read by the {roles} roles"
        )
    elif case is None:
        problem = f"there is no case #{case_id}; open one with `linkwise case open`"
    elif not case.is_open:
        problem = f"case #{case.id} is {case.status}; person data is read only in open cases"
    if problem is None:
        assert current is not None
        assert case is not None
        return current, case, authorisations, generation, threshold
    shown = current or actor
    audit.record(
        conn,
        actor=shown.username,
        action="permission.denied",
        objects={"action": action, "case_id": case_id},
        decision={
            "allowed": False,
            "reason": problem,
            "needs": [r.value for r in READ_ROLES],
            "role": shown.role.value,
            "disabled": shown.disabled,
            "purpose": case.purpose if case is not None else None,
        },
        case_id=case.id if case is not None else None,
    )
    raise SessionRefusedError(f"{action} refused: {problem}")


def admit_committed(
    engine: Engine,
    actor: User,
    case_id: int,
    *,
    first: Callable[[Connection], object] | None = None,
) -> tuple[User, Case]:
    """``admit`` in a transaction of its own, committing a refusal's audit event; with
    ``first``, that is done in the same transaction before (and committed either way)."""
    refusal: SessionRefusedError | None = None
    with engine.begin() as conn:
        if first is not None:
            first(conn)
        try:
            return admit(conn, actor, case_id, "session.open")
        except SessionRefusedError as exc:
            refusal = exc
    assert refusal is not None
    raise refusal


CARRIED_LIMIT = 100_000
"""The most entries a ``Decisions.carried`` holds before a read empties it (everything in it
is worked out again when next asked). Each resolution run that moves the entity generation
adds a walk and what was decided under it, so a long-lived server's would otherwise grow."""


class SharedDecisions:
    """The policy's answers kept across sessions (a workspace's, for every session it opens),
    so that a session opened for one request starts from what earlier sessions of the same
    case worked out. Keyed as a session keys its own (``GovernedSession._decisions_for``):
    the pack, the case and its purpose, the authorisations as stored and where each stands;
    the actor decides nothing in them (who may read at all is checked at every read).

    Shared between threads (a server's requests): the memos of ``Decisions`` and what is
    carried on it are only ever read or set an entry at a time (a dict's get and set, each
    atomic in CPython; nothing iterates them), and their values are not changed once set;
    two threads that miss the same key both work out the same answer and one of them is
    kept. A key naming other decisions holds them (``Read._kept``), and the one key made of
    an id, ``("levels", id(answer))``, is stored with the answer itself
    (``_Levels.answer``), so no id is reused while a key holds it; a read holds what it took
    from ``carried`` for as long as it runs, so emptying it (``CARRIED_LIMIT``) under a
    read in progress changes nothing that read sees."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._found: OrderedDict[tuple[Any, ...], Decisions] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], Decisions]) -> Decisions:
        """The decisions kept under ``key``, else those ``make`` gives, kept (the least
        recently used beyond ``size`` let go)."""
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
                return found
        made = make()
        with self._lock:
            found = self._found.setdefault(key, made)
            self._found.move_to_end(key)
            while len(self._found) > self._size:
                self._found.popitem(last=False)
        return found


class GovernedSession:
    """Reads of person data for one actor in one case (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        actor: User,
        case: Case,
        pack: PolicyPack,
        *,
        clock: Clock | None = None,
        shared: SharedDecisions | None = None,
    ) -> None:
        self.engine = engine
        self.actor = actor
        self.case = case
        self.pack = pack
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._decided: tuple[tuple[Any, ...], Decisions] | None = None
        self._shared = shared

    def _decisions_for(
        self, authorisations: Sequence[Authorisation], now: dt.datetime
    ) -> Decisions:
        """The policy's answers for this read. A decision depends on the time only through
        where each authorisation stands (``authorisation_state``), so the answers of the
        last read are reused while the purpose, the case, the authorisations as just re-read
        and each one's state are all the same; any change (a revocation, an expiry, a new
        authorisation) starts afresh. With ``shared`` (a workspace's sessions), the answers
        are those of any earlier session under the same key."""
        auths = tuple(authorisations)
        key = (
            id(self.pack),  # the pack object, kept alive by the session and by ``found``
            self.case.id,
            self.case.purpose,
            auths,
            tuple(authorisation_state(self.pack, a, now) for a in auths),
        )
        if self._decided is not None and self._decided[0] == key:
            found = self._decided[1]
        else:

            def make() -> Decisions:
                return Decisions(
                    self.pack,
                    purpose=self.case.purpose,
                    authorisations=auths,
                    now=now,
                    case_id=self.case.id,
                )

            found = make() if self._shared is None else self._shared.get(key, make)
            self._decided = (key, found)
        if len(found.carried) > CARRIED_LIMIT:
            found.carried.clear()
        return found

    @classmethod
    def open(
        cls,
        engine: Engine,
        actor: User,
        case_id: int,
        pack: PolicyPack,
        *,
        clock: Clock | None = None,
    ) -> GovernedSession:
        """A session, if ``actor`` may read person data in case ``case_id``."""
        user, case = admit_committed(engine, actor, case_id)
        return cls(engine, user, case, pack, clock=clock)

    @property
    def purpose(self) -> str:
        return self.case.purpose

    @contextmanager
    def reading(self, action: str, **objects: Any) -> Iterator[Read]:
        """One governed read in one transaction, audited as ``action`` (see the module
        docstring). ``objects`` name what is read (ids, never person data)."""
        refusal: SessionRefusedError | None = None
        missing: NotFoundError | None = None
        with self.engine.begin() as conn:
            try:
                self.actor, self.case, authorisations, generation, threshold = standing(
                    conn, self.actor, self.case.id, action
                )
            except SessionRefusedError as exc:
                refusal = exc
            else:
                now = self._clock()
                read = Read(
                    conn,
                    actor=self.actor,
                    case=self.case,
                    pack=self.pack,
                    now=now,
                    authorisations=authorisations,
                    action=action,
                    objects=objects,
                    decisions=self._decisions_for(authorisations, now),
                    generation=generation,
                    threshold=threshold,
                )
                try:
                    yield read
                except NotFoundError as exc:
                    missing = exc
                    read.finish(error=str(exc))
                else:
                    read.finish()
        if refusal is not None:
            raise refusal
        if missing is not None:
            raise missing

    # -- read paths -------------------------------------------------------------------------

    def record(self, source: str, source_key: str) -> dict[str, Any]:
        """Every version of one record, with each value's origin (``record.view``)."""
        with self.reading("record.view", source=source) as read:
            ref = read.ref(source, source_key)
            versions = record_store.record_versions(read.conn, source, source_key)
            read.touch(records=[int(v["id"]) for v in versions], entities=[ref.entity_id])
            return record_view(read, ref, versions)

    def entity(self, entity_id: str) -> dict[str, Any]:
        """An entity's records and the links between them (``entity.view``). An id retired
        by a merge or split answers with the entities now holding its records."""
        with self.reading("entity.view") as read:
            found = self._entity(read, entity_id)
            if isinstance(found, dict):
                return found
            ev = found
            values = reads.person_values(read.conn, list(ev.refs))
            records = [
                read.summary(
                    ref,
                    {f: values[i].get(f) for f in SUMMARY_FIELDS},
                    instead=ev.withheld.get(i),
                )
                for i, ref in ev.refs.items()
            ]
            links = [
                link_view(read, lk, ev.refs[lk["record_l"]], ev.refs[lk["record_r"]])
                for lk in ev.links
            ]
            return {"id": entity_id, "status": "active", "records": records, "links": links}

    def export_entity(self, entity_id: str) -> dict[str, Any]:
        """An entity as a JSON document for use outside linkwise (``entity.export``): every
        canonical value, identifier and fact of its records, and its links, governed as any
        read is, with the case, purpose and pack it was exported under."""
        with self.reading("entity.export") as read:
            found = self._entity(read, entity_id)
            if isinstance(found, dict):
                raise NotFoundError(
                    f"entity {entity_id} is {found['status']}; its records are now in "
                    f"{', '.join(found['redirected_to']) or 'no entity'}"
                )
            ev = found
            values = reads.person_values(read.conn, list(ev.refs))
            records = []
            for i, ref in ev.refs.items():
                withheld = ev.withheld.get(i)
                if withheld is None:
                    records.append(export_record(read, ref, values[i]))
                    continue
                item = read.summary(ref, {c: None for c in RECORD_COLUMNS}, instead=withheld)
                item["identifiers"] = item["facts"] = marker(withheld)
                records.append(item)
            return {
                "format": EXPORT_FORMAT,
                "exported_at": read.now.isoformat(),
                "exported_by": read.actor.username,
                "case_id": read.case.id,
                "purpose": read.purpose,
                "policy_pack": {"name": self.pack.name, "version": self.pack.version},
                "entity": {"id": entity_id, "status": "active"},
                "records": records,
                "links": [
                    link_view(read, lk, ev.refs[lk["record_l"]], ev.refs[lk["record_r"]])
                    for lk in ev.links
                ],
                "notice": (
                    "Values this case may not use are replaced by markers naming the rule, "
                    "the authority and what would lawfully unlock them."
                ),
            }

    def review_queue(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest run's review items, most consequential first (``review.list``). An
        item about a record the law never discloses, or whose sentence names one, is left
        out."""
        with self.reading("review.list", limit=limit) as read:
            out: list[dict[str, Any]] = []
            offset = 0
            while len(out) < limit:
                batch = reads.review_items(read.conn, limit, offset)
                if not batch:
                    break
                offset += len(batch)
                ids = {int(i) for item in batch for i in item["record_ids"]}
                values = reads.person_values(read.conn, sorted(ids))
                named = {int(item["id"]): named_records(item["reason"]) for item in batch}
                refs = read.refs(ids | {i for found in named.values() for i in found})
                # an uncertain pair's figure may rest on comparisons the reader may not see:
                # the links of all such items are read at once to tell
                restricted = []
                for item in batch:
                    ends = [int(i) for i in item["record_ids"]]
                    if (
                        item["match_probability"] is not None
                        and len(ends) == 2
                        and all(i in refs for i in ends)
                        and not all(read.unrestricted(refs[i]) for i in ends)
                    ):
                        restricted.append((ends[0], ends[1]))
                links = reads.links_between(read.conn, restricted)
                for item in batch:
                    found = [refs[int(i)] for i in item["record_ids"] if int(i) in refs]
                    quoted = [refs[i] for i in named[int(item["id"])] if i in refs]
                    # an item whose records, or the records its sentence names, the law
                    # never discloses is left out: even a marker would say one is there
                    hidden = [r for r in (*found, *quoted) if read.omitted(r)]
                    for ref in hidden:
                        read.note_omitted(ref)
                    if hidden or len(out) >= limit:
                        continue
                    read.touch(entities=[r.entity_id for r in found])
                    link = links.get(frozenset(r.record_id for r in found))
                    out.append(review_item(read, item, found, values, quoted, link))
            return out

    def source_document(self, source: str, path: str) -> dict[str, Any]:
        """A source document's text and mentions, governed by its source's markings
        (``source_document.view``; see ``linkwise.govern.document_reads``)."""
        with self.reading("source_document.view", source=source) as read:
            return document_reads.document_view(read, source, path)

    def entity_documents(self, entity_id: str) -> list[dict[str, Any]]:
        """The documents that mention the entity, with the passages highlighted
        (``entity.documents``)."""
        with self.reading("entity.documents") as read:
            return document_reads.entity_documents(read, entity_id)

    def search_documents(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over source documents (``source_documents.search``); the audit
        event counts the words searched for, never names them."""
        words = len(search_terms(query))
        with self.reading("source_documents.search", words=words, limit=limit) as read:
            return document_reads.search(read, query, limit)

    def why(self, source: str, source_key: str, field: str | None) -> dict[str, Any]:
        """Why a value of a record is shown, redacted or prohibited here (``policy.why``):
        the decision with its rule, reason, authority and what would unlock it. ``field`` is
        a canonical field, or None (or ``"record"``) for the record as a whole."""
        name = None if field in (None, RECORD) else field
        if name is not None and name not in FIELDS:
            raise SessionError(
                f"{field!r} is not a canonical field ({', '.join(FIELDS)}); "
                f"give {RECORD!r} for the record as a whole"
            )
        with self.reading("policy.why", source=source, field=name or RECORD) as read:
            ref = read.ref(source, source_key)
            if read.omitted_field(ref, name):
                read.note_omitted(ref, name)
                raise NotFoundError(f"record {ref.record_id} has no field {name!r}")
            decision = read.decision(ref, name)
            read.count(ref, name, decision)
            ev = read.evidence(ref.entity_id) if ref.entity_id is not None else None
            withheld = ev.withheld.get(ref.record_id) if ev is not None else None
            return {
                "record_id": ref.record_id,
                "source": ref.source,
                "field": name or RECORD,
                "entity_id": read.subject(ref),
                "purpose": read.purpose,
                "decision": decision.to_json(),
                "explanation": explain(decision),
                "entity_evidence": None if withheld is None else withheld.to_json(),
            }

    def _entity(self, read: Read, entity_id: str) -> Any:
        """The entity's evidence, or a redirect answer for a retired id; NotFoundError when
        there is no such entity or nothing in it may be known to this reader."""
        read.touch(entities=[entity_id])
        status = read.status(entity_id)
        if status is None:
            raise NotFoundError(f"no entity {entity_id!r}")
        if status != "active":
            targets = sorted(current_ids(read.conn, [entity_id]) - {entity_id})
            read.touch(entities=targets)
            return {"id": entity_id, "status": status, "redirected_to": targets}
        ev = read.evidence(entity_id)
        if ev is None or not ev.refs:
            raise NotFoundError(f"no entity {entity_id!r}")
        return ev
