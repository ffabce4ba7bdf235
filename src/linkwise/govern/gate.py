"""One governed read: the decision behind every value a session returns, the marker that
replaces a value the reader may not see, and the audit event the read leaves.

A ``Read`` lives for one transaction (``GovernedSession.reading``). Every read path asks it
about each value it is about to return (``value``, ``fields``, ``summary``) and returns
what it answers: the value itself, or a marker saying why it is withheld and what would
lawfully unlock it. The read's audit event, written in the same transaction when the read
ends, lists the fields shown, redacted and prohibited per source, the authorisations that
unlocked anything, the rules that withheld anything, the records left out entirely, and the
records it showed anything of (``disclosed``: the disclosure record, with the document when
a read passes ``document_id``; see ``linkwise.store.disclosures``).

Decisions are made by ``linkwise.govern.policy.Decisions`` and cached per (source, field)
for the read (and per subject where a subject-limited authorisation reaches the source),
then checked against the marking's statutory precondition, if it has one
(``requires_corroboration``; see ``linkwise.govern.corroboration``), per record. Those
three (source, subject where it decides, record where a precondition applies) are a
record's ``share_key``: answers about many values at once (a record's fields, a link's
comparison levels, which fields of a search candidate may count) are worked out once per
key and reused for every record with that key, with the audit bookkeeping that does not
name a record noted once. The ``Decisions`` a read starts from may be an earlier read's (of
this session, or of another session of the workspace: ``SharedDecisions``), and only when it
would give the same answers: while the policy pack, the case, its authorisations as just
re-read and where each stands at this read's time are all the same
(``GovernedSession._decisions_for``). What a read works out from those decisions
alone (a record's set of values, each (source, field) answer, a link's set of levels, a
model's prior) is kept on them for the next read (``Decisions.carried``, see
``Read._kept``), never what a record's own precondition decides; so is the redirect walk,
while the entity generation it was made in stays the same (``Read._follow``). Everything
else here, every audit note included, is made afresh at each read.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection

from linkwise.govern import audit, corroboration
from linkwise.govern.accounts import User
from linkwise.govern.entity_ids import current_ids
from linkwise.govern.evidence import EntityEvidence, entity_evidence
from linkwise.govern.policy import Decision, Decisions, authorisation_state
from linkwise.model.authorisations import Authorisation
from linkwise.model.cases import Case
from linkwise.model.fields import DATE_PARTS, FIELDS
from linkwise.model.policy import Marking, PolicyPack
from linkwise.model.records import composite_key
from linkwise.store import reads
from linkwise.store.audit import DISCLOSED

SEVERITY = {"shown": 0, "redacted": 1, "prohibited": 2}
RECORD = "record"
"""How the audit log names a decision about a whole record (its key, facts, existence)."""
_COMPARISON_FIELDS: dict[str, tuple[str, ...]] = {
    # the swap levels compare one record's given name with the other's family name
    "given_name": ("given_name", "family_name"),
    # ... and one record's family name with the other's middle name (a double surname
    # split over two fields), which the middle-name comparison also reads; the model's
    # family name may be the stored given name (a record read in swapped order)
    "family_name": ("family_name", "given_name", "middle_name"),
    "middle_name": ("middle_name", "family_name", "given_name"),
    # a generational suffix is also read off the end of a family name ("garcia jr")
    "name_suffix": ("name_suffix", "family_name"),
    # same address, then the same number on a similar street, then postcode, city, area
    "place": ("address_line", "postcode", "city"),
    "address": ("address_line",),
}
"""Every field a comparison's levels read, where that is more than the field of its name.
Reaching a level also says that each level above it did not hold, so a level gives away
something of every field any of its comparison's levels reads."""
_VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    # the model may read a record's names the other way round (``resolve.name_order``), so
    # the "given name" shown beside the comparison can be the stored family name
    "given_name": ("given_name", "family_name"),
    "family_name": ("family_name", "given_name"),
    "name_suffix": ("name_suffix", "family_name"),
    "place": ("address_line", "postcode", "city"),
    "address": ("address_line",),
}
"""The fields of the values a waterfall row shows beside a comparison, where that is not the
field of its name (``explain`` shows a place by its street address, postcode and city)."""
_MARKING = re.compile(r"marking:([a-z0-9_]+)\.")


class SessionError(Exception):
    """A governed read cannot be answered; the message says why."""


class NotFoundError(SessionError, LookupError):
    """No such record or entity, as far as this reader may know: a record the law never
    discloses is answered exactly like one that does not exist."""


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record as a read knows it: where it comes from and whose entity holds it (the
    ``subject`` of every decision about its values)."""

    record_id: int
    source: str
    source_id: int
    source_key: str
    entity_id: str | None


def comparison_fields(name: str) -> tuple[str | None, ...]:
    """The canonical fields whose values a comparison of the resolution model reads: what a
    reader must be allowed to see before the comparison's level is shown."""
    if name in _COMPARISON_FIELDS:
        return _COMPARISON_FIELDS[name]
    return (name,) if name in FIELDS else (None,)


def value_fields(name: str) -> tuple[str | None, ...]:
    """The canonical fields of the values shown beside a comparison: what a reader must be
    allowed to see before those values are shown."""
    if name in _VALUE_FIELDS:
        return _VALUE_FIELDS[name]
    return (name,) if name in FIELDS else (None,)


def field_of(name: str) -> str | None:
    """The canonical field a manifest field or note name stands for (date parts are the date
    of birth); None for anything else, which is decided as part of the whole record."""
    if name in DATE_PARTS:
        return "dob"
    return name if name in FIELDS else None


def most_restrictive(decisions: Iterable[Decision]) -> Decision:
    ordered = sorted(decisions, key=lambda d: -SEVERITY[d.outcome])
    return ordered[0]


def marker(decision: Decision) -> dict[str, Any]:
    """What replaces a value the reader may not see: the outcome, the marking and authority
    behind it, the reason, and what would lawfully unlock it (empty when nothing can)."""
    rules = [decision.rule, *(p.rule for p in decision.parts)]
    markings = list(dict.fromkeys(m for rule in rules for m in _MARKING.findall(rule)))
    return {
        "redacted": True,
        "outcome": decision.outcome,
        "marking": markings[0] if markings else None,
        "markings": markings,
        "authority": decision.authority,
        "rule": decision.rule,
        "reason": decision.reason,
        "would_unlock": [u.to_json() for u in decision.would_unlock],
    }


def is_withheld(value: object) -> bool:
    """Whether a value of a governed structure is a marker rather than data."""
    if type(value) is dict:  # the usual case, without the slower abstract-class check
        return value.get("redacted") is True
    return isinstance(value, Mapping) and value.get("redacted") is True


class Read:
    """The decisions and audit record of one read (see the module docstring)."""

    def __init__(
        self,
        conn: Connection,
        *,
        actor: User,
        case: Case,
        pack: PolicyPack,
        now: dt.datetime,
        authorisations: Sequence[Authorisation],
        action: str,
        objects: Mapping[str, Any],
        decisions: Decisions | None = None,
        generation: int | None = None,
        threshold: float | None = None,
    ) -> None:
        self.conn = conn
        self.actor = actor
        self.case = case
        self.pack = pack
        self.now = now
        self.authorisations = tuple(authorisations)
        """The case's authorisations as stored, each subject list as recorded (decisions
        follow the subjects through merges where it matters: see ``_decider``)."""
        self.action = action
        self.objects: dict[str, Any] = dict(objects)
        self._markings: dict[str, tuple[str, ...]] = {}
        self._all_sources: dict[str, reads.SourceFacts] | None = None
        self._plain = decisions or Decisions(
            pack, purpose=case.purpose, authorisations=self.authorisations, now=now, case_id=case.id
        )
        self._followed: Decisions | None = None
        self._generation = generation
        """The entity generation as this read began (``linkwise.store.standing``), if known:
        while it is the same, so are the redirects that ``_follow`` walks."""
        self._deciders: dict[str, Decisions] = {}
        self._by_subject: dict[str, bool] = {}
        self._decisions: dict[tuple[str, str | None, str | None], Decision] = {}
        self._answers: dict[
            tuple[str, str | None], tuple[Decision | None, tuple[tuple[str, Marking], ...]]
        ] = {}
        self._checked: dict[tuple[str, str | None], list[tuple[str, Marking]]] = {}
        self._unrestricted: dict[tuple[str, str | None], bool] = {}
        self._omitted: dict[str, bool] = {}
        self._defs: dict[str, list[Marking]] = {}
        self._has_precondition: dict[str, bool] = {}
        self._never: dict[str, frozenset[str]] = {}
        self._comparisons: dict[
            tuple[Any, ...], tuple[tuple[Decision | None, tuple[_Hidden, ...]], ...]
        ] = {}
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._markers: dict[int, tuple[Decision, dict[str, Any]]] = {}
        self._hidden_noted: dict[int, tuple[_Hidden, ...]] = {}
        self._levels: dict[int, tuple[_Levels, dict[str, dict[str, Any]]]] = {}
        self._shared: set[int] = set()
        self._scorable: dict[tuple[str, str | None, int | None], dict[str | None, bool] | str] = {}
        self._preconditions: dict[tuple[int, str], Decision | None] = {}
        self._checking: set[tuple[int, str]] = set()
        self._models: dict[str | None, dict[str, Any] | None] = {}
        self._priors: dict[str | None, float | None] = {}
        self._evidence: dict[str, EntityEvidence | None] = {}
        self._shown: dict[str, tuple[dict[int, RecordRef], set[int]] | None] = {}
        self._members: dict[
            str, tuple[str | None, list[tuple[reads.RecordRow, int | None]], bool]
        ] = {}
        self._threshold = threshold
        """The latest completed run's clustering threshold, as read with the standing rows
        (``linkwise.store.standing``), else read when first needed."""
        self._fields: dict[str, dict[str, set[str]]] = {o: {} for o in SEVERITY}
        self._used: set[int] = set()
        self._counted: dict[tuple[str, str | None, int], Decision] = {}
        self._rules: dict[str, str] = {}
        self._withheld: dict[tuple[int, str, str], dict[str, Any]] = {}
        self._records: set[int] = set()
        self._disclosed: set[int] = set()
        self._entities: set[str] = set()

    @property
    def purpose(self) -> str:
        return self.case.purpose

    # -- what the records are ---------------------------------------------------------------

    def markings(self, source: str) -> tuple[str, ...]:
        """The source's markings, as the first row of it this read saw carried them (every
        record row comes with them), else as the sources table says now."""
        found = self._markings.get(source)
        if found is None:
            facts = self.sources().get(source)
            found = self._markings[source] = () if facts is None else facts.markings
        return found

    def sources(self) -> dict[str, reads.SourceFacts]:
        """The registered sources by name, as the sources table says (read once per read)."""
        if self._all_sources is None:
            self._all_sources = reads.sources(self.conn)
        return self._all_sources

    def refs(self, record_ids: Iterable[int]) -> dict[int, RecordRef]:
        return {i: self.ref_of(row) for i, row in reads.record_rows(self.conn, record_ids).items()}

    def ref_of(self, row: reads.RecordRow) -> RecordRef:
        """The row as a reference, noting its source's markings for the rest of the read
        (the first row of a source to be seen decides, so one read never mixes two)."""
        if row.markings is not None:
            self._markings.setdefault(row.source, row.markings)
        return _ref(row)

    def ref(self, source: str, source_key: str) -> RecordRef:
        """The current record ``source:source_key``; NotFoundError when there is none, or when
        it is one the law never discloses (the withholding is audited, the answer is not)."""
        row = reads.current_record(self.conn, source, source_key)
        if row is None and (written := composite_key(source_key)) not in (None, source_key):
            row = reads.current_record(self.conn, source, written)  # ["NJ","X1"] as stored
        missing = f"no current record {source_key!r} in source {source!r}"
        if row is None:
            raise NotFoundError(missing)
        found = self.ref_of(row)
        if self.omitted(found):
            self.note_omitted(found)
            raise NotFoundError(missing)
        return found

    def status(self, entity_id: str) -> str | None:
        """The entity's status (active, merged, split, ...), read once per read (with its
        members, which an active entity's read goes on to need)."""
        status, _, _ = self.members(entity_id)
        return status

    def members(
        self, entity_id: str
    ) -> tuple[str | None, list[tuple[reads.RecordRow, int | None]], bool]:
        """The entity's status, its member rows (each with the link that attached it) and
        whether any member was judged by a reviewer, read once per read."""
        found = self._members.get(entity_id)
        if found is None:
            found = reads.evidence_members(self.conn, entity_id)
            if found[0] is None:  # no members: retired, or no such entity
                found = (reads.entity_status(self.conn, entity_id), [], False)
            self._members[entity_id] = found
        return found

    def prefetch(self, entity_ids: Iterable[str]) -> None:
        """Read the members of many entities at once (as ``members`` would, one statement
        for them all instead of one each), for a read about to weigh them in turn."""
        wanted = [e for e in entity_ids if e not in self._members]
        if wanted:
            self._members.update(reads.evidence_members_of(self.conn, wanted))

    def threshold(self) -> float:
        """The match probability at which the latest run let records join."""
        if self._threshold is None:
            self._threshold = reads.clustering_threshold(self.conn)
        return self._threshold

    def prior(self, version: str | None) -> float | None:
        """The prior of the model of ``version`` (the newest when there is no such model),
        read once per version in the read; the whole settings only when already read. A
        saved model is never changed (``save_model`` inserts a version once), so the prior
        of a version found is kept for the next read too (``Decisions.carried``)."""
        settings = self._models.get(version)
        if settings is not None:
            return float(settings["probability_two_random_records_match"])
        if version not in self._priors:
            key = ("prior", version)
            found = self._plain.carried.get(key)
            if found is None and version is not None:
                found = reads.model_prior(self.conn, version)
                if found is not None:
                    self._plain.carried[key] = found
            self._priors[version] = found if found is not None else reads.model_prior(self.conn)
        return self._priors[version]

    def model(self, version: str | None) -> dict[str, Any] | None:
        if version not in self._models:
            self._models[version] = reads.model_settings(self.conn, version)
        return self._models[version]

    # -- decisions --------------------------------------------------------------------------

    def omitted(self, ref: RecordRef) -> bool:
        """Whether the record is left out entirely: its source carries a marking that is
        never disclosed, for any purpose (8 U.S.C. § 1367). Showing even a redaction would
        tell the reader that a protected record exists."""
        return self._omitted_source(ref.source)

    def _omitted_source(self, source: str) -> bool:
        found = self._omitted.get(source)
        if found is None:
            found = self._omitted[source] = self.pack.never_discloses(self.markings(source))
        return found

    def weighs_none_of(self, source: str) -> bool:
        """Whether no record of ``source`` may be weighed in this read: the law never
        discloses them, or the source is prohibited for the purpose whoever they are about.
        A read that weighs many records (a match) leaves such a source out whole."""
        if self._omitted_source(source):
            return True
        whole = self._base(source, None, None)
        return whole.outcome == "prohibited" and not self._by_subject[source]

    def withholds(self, source: str, fields: Iterable[str | None]) -> str | None:
        """Whether a value of ``fields`` of a record of ``source`` is withheld from this
        read: "always" when one is for every record, "maybe" when one may be for some (an
        authorisation limited to named subjects unlocks it for theirs, or a statutory
        precondition is checked record by record), else None."""
        found = None
        for field in fields:
            if not self._base(source, field, None).shown:
                if not self._by_subject[source]:
                    return "always"
                found = "maybe"
            elif self._with_precondition(source, field):
                found = "maybe"
        return found

    def omitted_field(self, ref: RecordRef, field: str | None) -> bool:
        if field is None:
            return False
        return field in self._never_fields(ref.source)

    def _never_fields(self, source: str) -> frozenset[str]:
        """The fields of the source's records that are never disclosed (a marking limited
        to those fields), worked out once per source."""
        found = self._never.get(source)
        if found is None:
            found = self._never[source] = frozenset(
                f
                for m in self._marking_defs(source)
                if m.never_disclosed and m.fields is not None
                for f in m.fields
            )
        return found

    def decision(self, ref: RecordRef, field: str | None) -> Decision:
        """May ``field`` of the record (None: the record as a whole) be used here, and why.
        Decided once per source and field, and per subject only where an authorisation
        limited to named subjects reaches the source (see ``_decider``): elsewhere the
        subject decides nothing, so a search over hundreds of entities decides each field
        once rather than once per entity, and looked up in one step for the rest of the
        read. A statutory precondition is checked per record."""
        found = self._answers.get((ref.source, field))
        if found is None:
            found = self._answers[(ref.source, field)] = self._answer(ref.source, field)
        base, checks = found
        if base is None:  # the subject decides
            base = self._base(ref.source, field, ref.entity_id)
        if checks and base.shown:
            for name, marking in checks:
                unmet = self._precondition(ref, name, marking)
                if unmet is not None:
                    return unmet
        return base

    def _answer(
        self, source: str, field: str | None
    ) -> tuple[Decision | None, tuple[tuple[str, Marking], ...]]:
        """What ``decision`` needs of a (source, field): the decision for every subject
        (None where the subject decides), and the markings whose preconditions to check."""
        key = ("answer", source, self.markings(source), field)
        found = self._plain.carried.get(key)
        if found is None:  # the same for every read handed these decisions (see ``_plan``)
            self._decider(source)
            common = None if self._by_subject[source] else self._base(source, field, None)
            checks = tuple(self._with_precondition(source, field))
            found = self._plain.carried[key] = (common, checks)
        return found

    def _base(self, source: str, field: str | None, entity_id: str | None) -> Decision:
        """The decision before any statutory precondition, shared by every subject where
        the subject decides nothing."""
        by_subject = self._by_subject.get(source)
        if by_subject is None:
            self._decider(source)
            by_subject = self._by_subject[source]
        subject = entity_id if by_subject else None
        key = (source, field, subject)
        base = self._decisions.get(key)
        if base is None:
            base = self._decisions[key] = self._decider(source).decide(
                markings=self.markings(source), field=field, subject=subject, source=source
            )
        return base

    def share_key(self, ref: RecordRef) -> tuple[str, str | None, int | None]:
        """What decides every value of the record (see ``decision``): its source, its entity
        where the subject decides, and the record itself where a marking of its source sets
        a statutory precondition. Records with the same key get the same decisions, so
        answers about whole sets of values are worked out once per key and read."""
        if ref.source not in self._by_subject:
            self._decider(ref.source)
        subject = ref.entity_id if self._by_subject[ref.source] else None
        record = ref.record_id if self._preconditioned(ref.source) else None
        return (ref.source, subject, record)

    def scorable(self, ref: RecordRef) -> Callable[[str | None], bool] | None:
        """For a read that weighs many candidate records (search): None when the record may
        not count at all, because the law never discloses it (noted for the auditor, as
        ``note_omitted``) or it is prohibited for the purpose; else whether each field may
        be shown (``decision(ref, field).shown``), answered once per ``share_key`` and
        field, as the decisions behind it are, or at once for a record none of whose values
        is restricted here (``unrestricted``)."""
        source, subject, record = self.share_key(ref)
        key = (source, self._alike(subject), record)
        found = self._scorable.get(key)
        if found is None:
            if self.omitted(ref):
                found = "omitted"
            elif self.standing(ref).outcome == "prohibited":
                found = "prohibited"
            elif self.unrestricted(ref):
                found = "all"
            else:
                found = {}
            self._scorable[key] = found
        if found == "all":
            return _every_field
        if found == "omitted":
            self.note_omitted(ref)
        if isinstance(found, str):
            return None
        return functools.partial(self._visible, ref, found)

    def _visible(self, ref: RecordRef, shown: dict[str | None, bool], field: str | None) -> bool:
        answer = shown.get(field)
        if answer is None:
            answer = shown[field] = self.decision(ref, field).shown
        return answer

    def unrestricted(self, ref: RecordRef) -> bool:
        """Whether every value of the record may be shown here (no marking of its source
        restricts anything for this subject, and none sets a statutory precondition): the
        shortcut for a value built from several fields, such as a link's comparison
        level, where each field would otherwise be decided in turn."""
        key = (ref.source, ref.entity_id)
        found = self._unrestricted.get(key)
        if found is None:
            decider = self._decider(ref.source)
            subject = ref.entity_id if self._by_subject[ref.source] else None
            alike = (ref.source, self._alike(subject))
            found = self._unrestricted.get(alike)
            if found is None:
                found = self._unrestricted[alike] = not self._preconditioned(
                    ref.source
                ) and decider.unrestricted(
                    markings=self.markings(ref.source), subject=subject, source=ref.source
                )
            self._unrestricted[key] = found
        return found

    def comparisons(
        self, names: tuple[str, ...], refs: Sequence[RecordRef | None]
    ) -> tuple[tuple[Decision | None, tuple[_Hidden, ...]], ...]:
        """Per comparison of ``names``, the most restrictive decision on the values it read
        from ``refs`` (None: all may be seen; a None ref is the reader's own input) and each
        withheld value as (index into ``refs``, field, decision). Remembered per set of
        names and per each record's ``share_key``: an entity's links mostly join the same
        few sources, so a link's whole set of levels is one look-up for most of them."""
        shares = [None if r is None else self.share_key(r) for r in refs]
        key = (names, *shares)
        found = self._comparisons.get(key)
        if found is None:  # and from read to read where no record decides (``_kept``)
            kept = [None if s is None else self._kept(s) for s in shares]
            shared = all(k is not None for s, k in zip(shares, kept, strict=True) if s is not None)
            carried = ("comparisons", names, *kept)
            found = self._plain.carried.get(carried) if shared else None
            if found is None:
                found = tuple(self._comparison(n, refs) for n in names)
                if shared:
                    self._plain.carried[carried] = found
            if shared:  # held by ``_comparisons`` for the read, so its id is its own
                self._shared.add(id(found))
            self._comparisons[key] = found
        return found

    def _comparison(
        self, name: str, refs: Sequence[RecordRef | None]
    ) -> tuple[Decision | None, tuple[_Hidden, ...]]:
        hidden: list[_Hidden] = []
        worst: Decision | None = None
        for i, ref in enumerate(refs):
            if ref is None or self.unrestricted(ref):
                continue
            for field in comparison_fields(name):
                decision = self.decision(ref, field)
                if not decision.shown:
                    hidden.append((i, field, decision))
                    if worst is None or SEVERITY[decision.outcome] > SEVERITY[worst.outcome]:
                        worst = decision
        return worst, tuple(hidden)

    def _preconditioned(self, source: str) -> bool:
        """Whether a marking of the source sets a statutory precondition, checked record
        by record (``linkwise.govern.corroboration``)."""
        found = self._has_precondition.get(source)
        if found is None:
            found = self._has_precondition[source] = any(
                m.requires_corroboration is not None for m in self._marking_defs(source)
            )
        return found

    def standing(self, ref: RecordRef) -> Decision:
        """The decision on the record as a whole: its key, its facts, its existence."""
        return self.decision(ref, None)

    def _decider(self, source: str) -> Decisions:
        """The decisions for values of ``source``. An authorisation limited to named
        subjects covers the entities those have since become (an order names a person, not
        an entity id), which takes a walk over the stored redirects; the walk is made only
        when one such authorisation, in force now, reaches this source and one of its
        markings, since otherwise its subject list never decides anything (see
        ``linkwise.govern.policy``: state, scope sources and markings are checked first);
        ``_by_subject`` notes which sources such an authorisation reaches."""
        found = self._deciders.get(source)
        if found is None:
            carried = set(self.markings(source))
            reaching = any(
                auth.scope.subjects
                and source in auth.scope.sources
                and carried & set(auth.scope.markings)
                and authorisation_state(self.pack, auth, self.now) == "active"
                for auth in self.authorisations
            )
            self._by_subject[source] = reaching
            found = self._deciders[source] = self._follow() if reaching else self._plain
        return found

    def _follow(self) -> Decisions:
        """The decisions with each subject-limited authorisation in force now covering the
        entities its subjects have since become. They depend on the authorisations and
        their states, which the decisions handed to this read stand for (``_plain``), and
        on the entities' statuses and redirects, which change only with the entity
        generation: so one walk is kept with the decisions (for every later read, in any
        session of the workspace) under the generation it was made in, and made again once
        the generation moves (or at every read where it is not known). A read's statements
        need not see one snapshot, so the walk is kept only when the generation read after it
        is still the one this read began with: a run that completed in between may have
        changed what it found, and the walk made across that commit serves this read alone
        (which may then pair rows of one generation with the walk of the next, as any read
        made across a run's commit could before)."""
        if self._followed is None:
            kept = self._plain.carried.get(("followed",))
            if self._generation is not None and kept is not None and kept[0] == self._generation:
                self._followed = kept[1]
            else:
                found = self._followed = self._walk()
                if (
                    self._generation is not None
                    and reads.entity_generation(self.conn) == self._generation
                ):
                    self._plain.carried[("followed",)] = (self._generation, found)
        return self._followed

    def _walk(self) -> Decisions:
        followed = []
        for auth in self.authorisations:
            if auth.scope.subjects and authorisation_state(self.pack, auth, self.now) == "active":
                subjects = set(auth.scope.subjects) | current_ids(self.conn, auth.scope.subjects)
                scope = replace(auth.scope, subjects=tuple(sorted(subjects)))
                auth = replace(auth, scope=scope)
            followed.append(auth)
        # a walk that finds what an earlier one found gets the same decisions (and so the
        # answers carried with them: ``Decisions.carried``)
        key = ("walked", tuple(followed))
        found = self._plain.carried.get(key)
        if found is None:
            found = self._plain.carried[key] = Decisions(
                self.pack,
                purpose=self.purpose,
                authorisations=followed,
                now=self.now,
                case_id=self.case.id,
            )
        return found

    def _alike(self, subject: str | None) -> str | None:
        """``subject`` as a key of answers that depend on it only through whether an
        authorisation names it, through the redirects since (``_follow``): as the followed
        decisions tell subjects apart (``Decisions.alike``)."""
        return None if subject is None else self._follow().alike(subject)

    def _marking_defs(self, source: str) -> list[Marking]:
        found = self._defs.get(source)
        if found is None:
            found = self._defs[source] = [
                m for name in self.markings(source) if (m := self.pack.markings.get(name))
            ]
        return found

    def _with_precondition(self, source: str, field: str | None) -> list[tuple[str, Marking]]:
        found = self._checked.get((source, field))
        if found is None:
            found = self._checked[(source, field)] = []
            for name in self.markings(source):
                marking = self.pack.markings.get(name)
                if marking is None or marking.requires_corroboration is None:
                    continue
                if marking.fields is None or field in marking.fields:
                    found.append((name, marking))
        return found

    def _precondition(self, ref: RecordRef, name: str, marking: Marking) -> Decision | None:
        unmet = corroboration.unmet
        key = (ref.record_id, name)
        if key not in self._preconditions:
            if key in self._checking:  # a cycle of preconditions proves nothing
                return unmet(self, ref, name, marking, cycle=True)
            self._checking.add(key)
            try:
                self._preconditions[key] = unmet(self, ref, name, marking)
            finally:
                self._checking.discard(key)
        return self._preconditions[key]

    # -- values -----------------------------------------------------------------------------

    def marker(self, decision: Decision) -> dict[str, Any]:
        """``marker(decision)``, built once per decision in the read (an entity's records
        and links mostly repeat a few decisions, each withheld value of each of them); each
        call has a dict of its own."""
        return dict(self._marker(decision))

    def _marker(self, decision: Decision) -> dict[str, Any]:
        found = self._markers.get(id(decision))
        if found is None:  # the decision is kept with it, so its id is not reused meanwhile
            found = self._markers[id(decision)] = (decision, marker(decision))
        return found[1]

    def withheld_levels(
        self, names: tuple[str, ...], refs: Sequence[RecordRef]
    ) -> tuple[Mapping[str, Mapping[str, Any]], tuple[str, ...]]:
        """For a link's comparisons ``names`` between the records of ``refs``: the marker
        of each comparison withheld (``comparisons``), by name, this read's own (``marker``),
        for the caller to copy into what it hands out, and their names in order; each
        withheld value noted in the audit event as ``count_hidden`` notes it. Worked out
        once per answer, and kept with it from read to read where the answer is
        (``comparisons``): the links between records of the same share keys have the
        same."""
        decided = self.comparisons(names, refs)
        found = self._levels.get(id(decided))
        if found is None:  # the first link of this answer in the read
            shared = id(decided) in self._shared
            key = ("levels", id(decided))  # ``_Levels.answer`` keeps the id its own
            levels = self._plain.carried.get(key) if shared else None
            if levels is None:
                levels = _levels(decided, names, refs)
                if shared:
                    self._plain.carried[key] = levels
            markers = {name: self._marker(worst) for name, worst in levels.worst}
            found = self._levels[id(decided)] = (levels, markers)
            for source, field, decision in levels.noted:
                self._count_field(source, field, decision)
        levels, markers = found
        for i in levels.named:
            self._records.add(refs[i].record_id)
        return markers, levels.withheld

    def count_hidden(self, refs: Sequence[RecordRef | None], hidden: tuple[_Hidden, ...]) -> None:
        """``count`` for each withheld value of a comparison (``comparisons``): the part that
        does not name a record once per answer in the read (the answer is the same for
        every record with the same ``share_key``), each record named every time."""
        if id(hidden) not in self._hidden_noted:
            self._hidden_noted[id(hidden)] = hidden  # kept, so its id is not reused
            for i, field, decision in hidden:
                if (ref := refs[i]) is not None:
                    self._count_field(ref.source, field, decision)
        for i, _, _ in hidden:
            if (ref := refs[i]) is not None:
                self._records.add(ref.record_id)

    def count(self, ref: RecordRef, field: str | None, decision: Decision) -> None:
        """Note in the read's audit event that ``field`` of the record was decided so."""
        self._count_field(ref.source, field, decision)
        if decision.shown:
            self._disclosed.add(ref.record_id)
        self._records.add(ref.record_id)

    def _count_field(self, source: str, field: str | None, decision: Decision) -> None:
        """The part of ``count`` that does not depend on the record: the same for every
        record of a ``share_key``, so noting it once per read is noting it for them all."""
        key = (source, field, id(decision))
        if key in self._counted:
            return
        self._counted[key] = decision  # held, so that its id is not reused within the read
        self._fields[decision.outcome].setdefault(source, set()).add(field or RECORD)
        if decision.unlocked_by is not None or decision.parts:
            self._used.update(decision.authorisations_used)
        if not decision.shown:
            self._rules[decision.rule] = decision.outcome

    def value(self, ref: RecordRef, field: str | None, value: Any) -> Any:
        """``value`` of ``field`` if the reader may see it, else its marker."""
        decision = self.decision(ref, field)
        self.count(ref, field, decision)
        return value if decision.shown else self.marker(decision)

    def value_of(self, ref: RecordRef, fields: Sequence[str | None], value: Any) -> Any:
        """A value made from several fields (a raw column feeding two of them): shown only
        when every one of them may be."""
        decisions = [self.decision(ref, f) for f in fields]
        for f, d in zip(fields, decisions, strict=True):
            self.count(ref, f, d)
        worst = most_restrictive(decisions)
        return value if worst.shown else self.marker(worst)

    def fields(self, ref: RecordRef, values: Mapping[str, Any]) -> dict[str, Any]:
        """Each value governed by its field's decision; a field the law never discloses is
        left out (its marker would say that the person is protected). The same as
        ``value`` for each, with the decisions looked up once per ``share_key`` and set of
        names (``_plan``): an entity's records mostly share a few keys."""
        plan = self._plan(ref, tuple(values))
        out = {}
        for name, field, decision in plan.items:
            if decision is None:
                self.note_omitted(ref, field)
            else:
                out[name] = values[name] if decision.shown else self.marker(decision)
        if plan.noted:  # some value was decided
            self._records.add(ref.record_id)
        if plan.disclosed:
            self._disclosed.add(ref.record_id)
        return out

    def _plan(self, ref: RecordRef, names: tuple[str, ...]) -> _Plan:
        """The decision on each of ``names`` of the record (None: a field never disclosed),
        made once per ``share_key`` and names in the read (and kept for later reads where
        ``_kept`` allows), and noted (``_note_plan``) once per read."""
        share = self.share_key(ref)
        key = (share, names)
        found = self._plans.get(key)
        if found is None:
            # Where the record itself decides nothing, the plan is the same in every read
            # handed these decisions: it is worked out once for them (``_kept``) and only
            # noted (``_note_plan``) in each read that uses it.
            kept = self._kept(share)
            found = None if kept is None else self._plain.carried.get(("plan", names, kept))
            if found is None:
                found = self._make_plan(ref, names)
                if kept is not None:
                    self._plain.carried[("plan", names, kept)] = found
            self._note_plan(share[0], found)
            self._plans[key] = found
        return found

    def _kept(self, share: tuple[str, str | None, int | None]) -> tuple[Any, ...] | None:
        """What every decision about a record of this ``share_key`` rests on, as a key of
        ``Decisions.carried`` (answers kept from read to read): the source and its markings
        as this read saw them, the subject as the decisions tell subjects apart (``_alike``)
        and which decisions decide it (the session's, or those of the subjects a redirect
        walk found, themselves kept). None where the record itself decides (a statutory
        precondition): that is checked in every read."""
        source, subject, record = share
        if record is not None:
            return None
        # the decisions themselves (equal only to themselves): the key keeps them alive, so
        # nothing else can come to stand for them while it is kept; None for those the key
        # is kept on (``_plain``), which would otherwise hold itself
        decider = self._decider(source)
        deciding = None if decider is self._plain else decider
        return (source, self.markings(source), self._alike(subject), deciding)

    def _note_plan(self, source: str, plan: _Plan) -> None:
        """``_count_field`` for every decided value of the plan, in a few set updates."""
        fields = self._fields
        for outcome, names in plan.noted:
            fields[outcome].setdefault(source, set()).update(names)
        if plan.used:
            self._used.update(plan.used)
        if plan.rules:
            self._rules.update(plan.rules)

    def _make_plan(self, ref: RecordRef, names: tuple[str, ...]) -> _Plan:
        items: list[tuple[str, str | None, Decision | None]] = []
        for name in names:
            field = field_of(name)
            if self.omitted_field(ref, field):
                items.append((name, field, None))
                continue
            items.append((name, field, self.decision(ref, field)))
        decided = [(f, d) for _, f, d in items if d is not None]
        noted: dict[str, set[str]] = {}
        used: set[int] = set()
        rules: dict[str, str] = {}
        for field, d in decided:  # as _count_field notes each
            noted.setdefault(d.outcome, set()).add(field or RECORD)
            if d.unlocked_by is not None or d.parts:
                used.update(d.authorisations_used)
            if not d.shown:
                rules[d.rule] = d.outcome
        return _Plan(
            tuple(items),
            disclosed=any(d.shown for _, d in decided),
            noted=tuple((o, frozenset(names)) for o, names in noted.items()),
            used=frozenset(used),
            rules=tuple(rules.items()),
        )

    def summary(
        self, ref: RecordRef, values: Mapping[str, Any], *, instead: Decision | None = None
    ) -> dict[str, Any]:
        """A record as lists show it: id, source, key, entity, the decision on the record,
        and ``values`` governed. With ``instead``, the whole record is withheld for that
        reason (a record tied to an entity only through prohibited evidence)."""
        if instead is not None:
            self.note_withheld(ref, instead)
            withheld = marker(instead)
            for name in (None, *values):
                self.count(ref, None if name is None else field_of(name), instead)
            return {
                "record_id": ref.record_id,
                "source": ref.source,
                "source_key": withheld,
                "entity_id": ref.entity_id,
                "decision": instead.to_json(),
                "fields": {
                    name: withheld for name in values if not self.omitted_field(ref, field_of(name))
                },
            }
        standing = self.decision(ref, None)  # the key, as ``value`` gives it
        self.count(ref, None, standing)
        return {
            "record_id": ref.record_id,
            "source": ref.source,
            "source_key": ref.source_key if standing.shown else self.marker(standing),
            "entity_id": self.subject(ref),
            "decision": standing.to_json(),
            "fields": self.fields(ref, values),
        }

    def subject(self, ref: RecordRef) -> Any:
        """The entity a record belongs to, as the reader may know it: withheld, with the
        reason, when the record is tied to it only through evidence the purpose may not rest
        on (saying which entity would itself rest on that evidence)."""
        if ref.entity_id is None:
            return None
        ev = self.evidence(ref.entity_id)
        why = ev.withheld.get(ref.record_id) if ev is not None else None
        return ref.entity_id if why is None else marker(why)

    def evidence(self, entity_id: str) -> EntityEvidence | None:
        """The entity's members split by what this purpose may rest on
        (``linkwise.govern.EntityEvidence``), computed once per read; None when
        the entity is not active."""
        if entity_id not in self._evidence:
            self._evidence[entity_id] = entity_evidence(self, entity_id)
        return self._evidence[entity_id]

    def shown_members(self, entity_id: str) -> tuple[dict[int, RecordRef], set[int]] | None:
        """The ``refs`` and ``shown`` of the entity's evidence, for a read that needs no
        more of it (search): None when the entity is not active. When no member is left out
        or prohibited, every member is shown whatever links join them (no group of records
        can then be cut off by prohibited ones), so the links are not read; otherwise, or
        when the evidence is already in hand, it comes from ``evidence``. Once per read."""
        if entity_id in self._shown:
            return self._shown[entity_id]
        found: tuple[dict[int, RecordRef], set[int]] | None = None
        status, rows, _ = self.members(entity_id)
        refs = {row.id: self.ref_of(row) for row, _ in rows}
        if entity_id in self._evidence or any(
            self.omitted(r) or self.standing(r).outcome == "prohibited" for r in refs.values()
        ):
            ev = self.evidence(entity_id)
            found = None if ev is None else (ev.refs, ev.shown)
        elif status == "active":
            self.touch(records=refs, entities=[entity_id])
            found = (refs, set(refs))
        self._shown[entity_id] = found
        return found

    # -- the audit event --------------------------------------------------------------------

    def touch(self, *, records: Iterable[int] = (), entities: Iterable[str | None] = ()) -> None:
        """Name records and entities the read concerns in its audit event."""
        self._records.update(records)
        self._entities.update(e for e in entities if e is not None)

    def note_omitted(
        self, ref: RecordRef, field: str | None = None, *, rule: str | None = None
    ) -> None:
        """A record (or field) left out because the law never discloses it (or, with
        ``rule``, because showing it would reveal one that is): recorded for the auditor,
        never shown to the reader."""
        if rule is None:
            names = [
                n
                for n in self.markings(ref.source)
                if (m := self.pack.markings.get(n)) is not None and m.never_disclosed
            ]
            rule = f"marking:{names[0] if names else '?'}.never_disclosed"
        self._withhold(ref, field, rule, "omitted")

    def note_withheld(self, ref: RecordRef, decision: Decision) -> None:
        self._withhold(ref, None, decision.rule, decision.outcome)

    def _withhold(self, ref: RecordRef, field: str | None, rule: str, outcome: str) -> None:
        entry: dict[str, Any] = {
            "record_id": ref.record_id,
            "source": ref.source,
            "rule": rule,
            "outcome": outcome,
        }
        if field is not None:
            entry["field"] = field
        self._withheld[(ref.record_id, field or "", rule)] = entry

    def finish(self, *, error: str | None = None) -> None:
        """Write the read's audit event in its transaction."""
        objects = dict(self.objects)
        if self._records:
            objects["record_ids"] = sorted(self._records)
        if self._entities:
            objects["entity_ids"] = sorted(self._entities)
        if self._disclosed and not error:
            disclosed: dict[str, Any] = {"record_ids": sorted(self._disclosed)}
            if isinstance(document := self.objects.get("document_id"), str):
                disclosed["document_id"] = document
            objects[DISCLOSED] = disclosed
        hidden = sorted({entry["record_id"] for entry in self._withheld.values()})
        if hidden:
            objects["withheld"] = {"record_ids": hidden}
        seen = [o for o in SEVERITY if self._fields[o]]
        decision: dict[str, Any] = {
            "purpose": self.purpose,
            "policy_pack": f"{self.pack.name} {self.pack.version}",
            "outcome": "not_found" if error else (seen[-1] if seen else "shown"),
            "fields_shown": _sorted(self._fields["shown"]),
            "fields_redacted": _sorted(self._fields["redacted"]),
            "fields_prohibited": _sorted(self._fields["prohibited"]),
            "authorisations_used": sorted(self._used),
            "rules": dict(sorted(self._rules.items())),
            "withheld": [self._withheld[k] for k in sorted(self._withheld)],
        }
        if error:
            decision["error"] = error
        audit.record(
            self.conn,
            actor=self.actor.username,
            action=self.action,
            objects=objects,
            decision=decision,
            case_id=self.case.id,
        )


_Hidden = tuple[int, str | None, Decision]
"""A withheld value of a comparison: which of its records, which field, and why."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """The decisions on a set of a record's values (``Read.fields``): per name, its field
    and decision (None: never disclosed, left out); whether any is shown (disclosed); and
    what ``Read._count_field`` notes of its decided values, gathered: per outcome the fields
    (empty when no value was decided, and then the record is not named in the audit event),
    the authorisations used, the rules of withheld values."""

    items: tuple[tuple[str, str | None, Decision | None], ...]
    disclosed: bool
    noted: tuple[tuple[str, frozenset[str]], ...]
    used: frozenset[int]
    rules: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Levels:
    """``Read.withheld_levels`` for one answer of ``Read.comparisons`` (kept with it, which
    keeps the answer's id its own): the most restrictive decision of each withheld
    comparison by name, their names sorted, which of the records (by index) have a withheld
    value, to be named in the audit event, and each withheld (source, field, decision) once,
    to be noted in it. No marker: one kept from read to read would share its lists with
    every read's copies."""

    answer: tuple[tuple[Decision | None, tuple[_Hidden, ...]], ...]
    worst: tuple[tuple[str, Decision], ...]
    withheld: tuple[str, ...]
    named: tuple[int, ...]
    noted: tuple[tuple[str, str | None, Decision], ...]


def _levels(
    answer: tuple[tuple[Decision | None, tuple[_Hidden, ...]], ...],
    names: tuple[str, ...],
    refs: Sequence[RecordRef],
) -> _Levels:
    worst_of: dict[str, Decision] = {}
    noted: dict[tuple[str, str | None, int], tuple[str, str | None, Decision]] = {}
    named: set[int] = set()
    for name, (worst, hidden) in zip(names, answer, strict=True):
        if worst is None:
            continue
        worst_of[name] = worst
        for i, field, decision in hidden:
            named.add(i)
            noted.setdefault(
                (refs[i].source, field, id(decision)), (refs[i].source, field, decision)
            )
    return _Levels(
        answer,
        tuple(worst_of.items()),
        tuple(sorted(worst_of)),
        tuple(sorted(named)),
        tuple(noted.values()),
    )


def _every_field(_field: str | None) -> bool:
    """``Read.scorable`` for a record none of whose values is restricted here."""
    return True


def _ref(row: reads.RecordRow) -> RecordRef:
    return RecordRef(row.id, row.source, row.source_id, row.source_key, row.entity_id)


def _sorted(by_source: Mapping[str, set[str]]) -> dict[str, list[str]]:
    return {source: sorted(fields) for source, fields in sorted(by_source.items())}
