"""Explained prioritisation: a case's score from the pack's priority rules, with each reason
and the records behind it.

Every fact a rule looks at is read through the governed session (``facts_of``, inside one
``GovernedSession.reading``), so a rule sees exactly what the case's purpose may see:

- a fact of a record redacted or prohibited for the purpose (or withheld because only
  prohibited evidence ties it in) is never tested; the rule lists the record as
  ``withheld`` with the reason, and the score ignores it. The list never says whether the
  hidden value would have met the rule, since that would disclose it;
- a record of a never-disclosed source (8 U.S.C. § 1367) is not mentioned at all;
- a fact of a record tied into its entity only by links below the pack's
  ``priority_settings.confirmation_threshold`` counts only after a reviewer judged a link
  "same": until then the rule lists it as ``unconfirmed`` and the score leaves it out.
  The **confirmed core** of an entity is the largest group of its shown records held together
  by links at or above the threshold and by "same" judgements (among equals, the one with
  the lowest record id); its records are confirmed.

A rule scores once per case, when at least one record counts. A rule limited to other
purposes, or naming facts no registered source declares with the type it tests, is listed
as not applied, with why. The computation is one governed read, audited as
``case.priority`` (rules applied and the record ids behind each, never values), and is kept
in the case's history (a ``priority`` event with the score and each rule's outcome).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linkwise.cases.lifecycle import subject_states
from linkwise.cases.subjects import SubjectState
from linkwise.cases.views import PRIORITY_EVENT
from linkwise.govern.gate import Read, RecordRef, is_withheld, marker
from linkwise.govern.policy import Decision, decide
from linkwise.govern.views import withheld_evidence
from linkwise.model.audit import format_time
from linkwise.model.policy import PolicyPack
from linkwise.model.priority import PriorityRule
from linkwise.store import case_work, reads

COUNTED = "counted"
UNCONFIRMED = "unconfirmed"
WITHHELD = "withheld"


@dataclass(frozen=True, slots=True)
class FactRecord:
    """One record of a subject as the case may know it: its facts (values, or markers where
    the purpose may not see them) and whether its tie to the entity is confirmed."""

    ref: RecordRef
    source_key: Any
    decision: Decision
    facts: dict[str, Any]
    confirmed: bool
    link_probability: float | dict[str, Any] | None
    """The strongest shown link tying it to another record of the entity (None: none; a
    marker where that link's figure rests on comparisons the case may not see, since the
    model's figure would tell their levels)."""
    judged: bool
    """A reviewer's "same" judgement ties it to another shown record of the entity."""

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.ref.record_id,
            "source": self.ref.source,
            "source_key": self.source_key,
            "entity_id": self.ref.entity_id,
            "decision": self.decision.to_json(),
            "facts": self.facts,
            "confirmed": self.confirmed,
            "link_probability": self.link_probability,
            "judged_same": self.judged,
        }


@dataclass(frozen=True, slots=True)
class RecordUse:
    """A record behind a rule's outcome, and how it counted."""

    record: FactRecord
    status: str
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record.ref.record_id,
            "source": self.record.ref.source,
            "source_key": self.record.source_key,
            "entity_id": self.record.ref.entity_id,
            "status": self.status,
            "note": self.note,
            "link_probability": self.record.link_probability,
        }


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    name: str
    rule: PriorityRule
    records: tuple[RecordUse, ...]
    notice: str = ""
    """Why the rule was not applied at all (other purposes, undeclared facts), or empty."""

    @property
    def counted(self) -> bool:
        return any(use.status == COUNTED for use in self.records)

    @property
    def score(self) -> float:
        return self.rule.score if self.counted else 0.0

    @property
    def status(self) -> str:
        if self.notice:
            return "not applied"
        if self.counted:
            return COUNTED
        for kind in (UNCONFIRMED, WITHHELD):
            if any(use.status == kind for use in self.records):
                return kind
        return "no match"

    def ids(self, status: str) -> list[int]:
        return [u.record.ref.record_id for u in self.records if u.status == status]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.name,
            "title": self.rule.title,
            "reason": self.rule.reason,
            "rule_score": self.rule.score,
            "score": self.score,
            "status": self.status,
            "notice": self.notice,
            "records": [u.to_json() for u in self.records],
        }


@dataclass(frozen=True, slots=True)
class Priority:
    case_id: int
    purpose: str
    score: float
    computed_at: dt.datetime
    threshold: float
    policy_pack: str
    rules: tuple[RuleOutcome, ...]
    subjects: tuple[dict[str, Any], ...]

    @property
    def reasons(self) -> list[RuleOutcome]:
        """The rules that found anything (counted, unconfirmed or withheld), biggest first."""
        found = [r for r in self.rules if r.records]
        return sorted(found, key=lambda r: (-r.score, -abs(r.rule.score), r.name))

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "purpose": self.purpose,
            "score": self.score,
            "computed_at": format_time(self.computed_at),
            "confirmation_threshold": self.threshold,
            "policy_pack": self.policy_pack,
            "subjects": list(self.subjects),
            "rules": [r.to_json() for r in self.rules],
        }


def compute(read: Read) -> Priority:
    """Score ``read``'s case from its active subjects' facts (see the module docstring), and
    keep the result in the case's history, in the read's transaction."""
    pack = read.pack
    threshold = pack.priority_settings.confirmation_threshold
    states = subject_states(read.conn, read.case.id)
    active = [s.subject.entity_id for s in states if s.entity_status == "active"]
    read.touch(entities=[s.subject.entity_id for s in states])
    records = [r for e in active for r in facts_of(read, e, threshold)]
    declared = case_work.declared_facts(read.conn)
    today = read.now.astimezone(dt.UTC).date()
    outcomes = tuple(
        _apply(name, rule, records, read.purpose, today, declared, threshold)
        for name, rule in pack.priority_rules.items()
    )
    score = float(sum(o.score for o in outcomes))
    result = Priority(
        case_id=read.case.id,
        purpose=read.purpose,
        score=score,
        computed_at=read.now,
        threshold=threshold,
        policy_pack=f"{pack.name} {pack.version}",
        rules=outcomes,
        subjects=tuple(_subject_note(s) for s in states),
    )
    _keep(read, result)
    return result


def facts_of(read: Read, entity_id: str, threshold: float) -> list[FactRecord]:
    """The facts of an active entity's records as this read may see them, each record with
    whether its tie into the entity is confirmed (``threshold``: see the module docstring).
    Records the law never discloses are left out, as every read path does."""
    ev = read.evidence(entity_id)
    if ev is None:
        return []
    values = reads.person_values(read.conn, list(ev.refs))
    core, best, judged = confirmed_core(read, ev.refs, ev.shown, ev.links, threshold)
    out = []
    for i, ref in ev.refs.items():
        stored = dict(values[i].get("facts") or {})
        instead = ev.decision_for(i)
        if instead is not None:
            if i in ev.withheld:
                read.note_withheld(ref, instead)
            read.count(ref, None, instead)
            hidden = marker(instead)
            facts: dict[str, Any] = dict.fromkeys(stored, hidden)
            key: Any = hidden
            decision = instead
        else:
            decision = read.standing(ref)
            facts = {k: read.value(ref, None, v) for k, v in stored.items()}
            key = read.value(ref, None, ref.source_key)
        out.append(FactRecord(ref, key, decision, facts, i in core, best.get(i), i in judged))
    return out


def confirmed_core(
    read: Read,
    refs: Mapping[int, RecordRef],
    shown: set[int],
    links: Iterable[Mapping[str, Any]],
    threshold: float,
) -> tuple[set[int], dict[int, float | dict[str, Any]], set[int]]:
    """The confirmed core of the shown records, each record's strongest shown link, and the
    records a "same" judgement ties in."""
    parent = {i: i for i in shown}

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def join(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    best: dict[int, float | dict[str, Any]] = {}
    for lk in links:
        a, b, p = int(lk["record_l"]), int(lk["record_r"]), float(lk["match_probability"])
        if a not in parent or b not in parent:
            continue
        # a record with any link the case may not weigh whole shows a marker, not its
        # strongest figure: which link is strongest, and its figure, would tell of it
        hidden = withheld_evidence(read, lk, (refs[a], refs[b]))
        for end in (a, b):
            held = best.get(end, 0.0)
            if hidden is not None:
                best[end] = marker(hidden[0])
            elif isinstance(held, float):
                best[end] = max(held, p)
        if p >= threshold:
            join(a, b)
    rows = [
        reads.RecordRow(i, refs[i].source_id, refs[i].source, refs[i].source_key, True, None)
        for i in sorted(shown)
    ]
    judged: set[int] = set()
    for a, b in reads.judged_same(read.conn, rows):
        if a in parent and b in parent:
            join(a, b)
            judged |= {a, b}
    groups: dict[int, set[int]] = {}
    for i in shown:
        groups.setdefault(find(i), set()).add(i)
    core = max(groups.values(), key=lambda g: (len(g), -min(g)), default=set())
    return core, best, judged


def _apply(
    name: str,
    rule: PriorityRule,
    records: list[FactRecord],
    purpose: str,
    today: dt.date,
    declared: Mapping[str, Mapping[str, str]],
    threshold: float,
) -> RuleOutcome:
    if rule.purposes is not None and purpose not in rule.purposes:
        return RuleOutcome(
            name, rule, (), f"not applied: the rule is for {', '.join(rule.purposes)} cases"
        )
    usable, problems = _sources_for(rule, declared)
    if not usable:
        return RuleOutcome(name, rule, (), "not applied: " + "; ".join(problems))
    uses = []
    for record in records:
        if record.ref.source not in usable:
            continue
        use = _use(rule, record, today, threshold)
        if use is not None:
            uses.append(use)
    return RuleOutcome(name, rule, tuple(uses))


def _use(
    rule: PriorityRule, record: FactRecord, today: dt.date, threshold: float
) -> RecordUse | None:
    """How one record counts for a rule; None when it has none of the rule's facts or does
    not meet it. A withheld fact is never tested."""
    names = rule.facts()
    if not any(n in record.facts for n in names):
        return None
    hidden = [record.facts[n] for n in names if is_withheld(record.facts.get(n))]
    if hidden:
        why = hidden[0]
        return RecordUse(
            record,
            WITHHELD,
            f"not counted: {why['outcome']} for this case's purpose ({why['reason']})",
        )
    if not all(c.holds(record.facts.get(c.fact), today) for c in rule.when):
        return None
    if record.confirmed:
        return RecordUse(record, COUNTED, "counted")
    strength = record.link_probability
    if strength is None:
        tie = "no link"
    elif is_withheld(strength):
        tie = "a link whose figure rests on values not shown here"
    else:
        tie = f"a link of {strength:.3f}"
    return RecordUse(
        record,
        UNCONFIRMED,
        f"unconfirmed: tied into entity {record.ref.entity_id} by {tie}, below the "
        f"confirmation threshold {threshold:g}; it counts once a reviewer judges the link "
        '"same"',
    )


def _sources_for(
    rule: PriorityRule, declared: Mapping[str, Mapping[str, str]]
) -> tuple[set[str], list[str]]:
    """The registered sources whose manifests declare every fact the rule tests with the
    type it tests, and what is wrong with the others."""
    wanted = [(c.fact, c.type) for c in rule.when]
    candidates = rule.sources if rule.sources is not None else sorted(declared)
    usable: set[str] = set()
    problems: list[str] = []
    for source in candidates:
        facts = declared.get(source)
        if facts is None:
            problems.append(f"source {source!r} is not registered")
            continue
        wrong = [
            f"{fact!r} ({facts[fact]})"
            for fact, kind in wanted
            if fact in facts and facts[fact] != kind
        ]
        if wrong:
            problems.append(f"source {source!r} declares {', '.join(wrong)}, not as the rule tests")
        elif all(fact in facts for fact, _ in wanted):
            usable.add(source)
    if not usable and not problems:
        facts_named = ", ".join(f"{f!r} as {k}" for f, k in wanted)
        problems.append(f"no registered source declares {facts_named}")
    return usable, problems


def _subject_note(state: SubjectState) -> dict[str, Any]:
    entity = state.subject.entity_id
    if state.entity_status != "active":
        note = f"not scored: {state.summary()}"
    elif state.needs_confirmation:
        note = f"scored as the entity stands now; {state.summary()}"
    else:
        note = "scored"
    return {"entity_id": entity, "needs_confirmation": state.needs_confirmation, "note": note}


def _keep(read: Read, result: Priority) -> None:
    """Name the rules and records in the read's audit event, and keep the score in the
    case's history."""
    read.objects.update(
        {
            "case_id": result.case_id,
            "score": result.score,
            "rules_applied": [r.name for r in result.rules if not r.notice],
            "rules": {
                r.name: {
                    "status": r.status,
                    "counted": r.ids(COUNTED),
                    "unconfirmed": r.ids(UNCONFIRMED),
                    "withheld": r.ids(WITHHELD),
                }
                for r in result.rules
            },
        }
    )
    case_work.insert_event(
        read.conn,
        case_id=result.case_id,
        actor_id=read.actor.id,
        kind=PRIORITY_EVENT,
        detail={
            "score": result.score,
            "rules": {r.name: r.status for r in result.rules},
            "policy_pack": result.policy_pack,
            "confirmation_threshold": result.threshold,
        },
        at=result.computed_at,
    )


@dataclass(frozen=True, slots=True)
class UnusableRule:
    """A priority rule that could never count a fact for ``purpose``: every source it is
    limited to is withheld for that purpose for good; ``reasons`` says why, per source."""

    rule: str
    purpose: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"for {self.purpose}, {'; '.join(self.reasons)}"


def unusable_rules(pack: PolicyPack, sources: Mapping[str, Sequence[str]]) -> list[UnusableRule]:
    """Rules limited to named sources (``sources:``) that could never count a fact for a
    purpose they score, given the markings those sources carry (``sources``: source name
    to marking names): every one of their sources is, for that purpose, never disclosed or
    withheld with no legal process to unlock it (as ``linkwise.govern.policy.decide``
    decides with no authorisation). A rule that names its purposes is judged for each; one
    that names none, only when no purpose at all could use it. Sources not registered yet,
    and markings the pack does not define (refused when a source is added), are not
    judged."""
    found: list[UnusableRule] = []
    now = dt.datetime.now(dt.UTC)
    for key, rule in pack.priority_rules.items():
        named = [s for s in rule.sources or () if s in sources]
        if not named or len(named) < len(rule.sources or ()):
            continue
        blocked = []
        for purpose in rule.purposes or list(pack.purposes):
            reasons = []
            for source in named:
                markings = [m for m in sources[source] if m in pack.markings]
                d = decide(
                    pack,
                    purpose=purpose,
                    markings=markings,
                    field=None,
                    authorisations=(),
                    subject=None,
                    source=source,
                    now=now,
                )
                if d.shown or d.would_unlock:
                    break
                reasons.append(f"{source}: {d.reason.rstrip('.')}")
            else:
                blocked.append(UnusableRule(key, purpose, tuple(reasons)))
        if rule.purposes is not None or len(blocked) == len(pack.purposes):
            found += blocked
    return found
