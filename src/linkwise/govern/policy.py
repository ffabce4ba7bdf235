"""Policy decisions: may this value be used for this purpose, and if not, what would lawfully
unlock it (DESIGN.md §5). Pure: the pack, the markings and the authorisations in hand go in,
a decision with its reasons comes out; the governed session does the reading and auditing.

Outcomes, from least to most restrictive:

- ``shown``: the value may be used for the purpose;
- ``redacted``: the value is withheld, its presence may be shown with the reason and what
  would unlock it (a marking whose ``default`` is ``redact``);
- ``prohibited``: the data may not be used for the purpose at all (a prohibited purpose, a
  ``default: deny``, a marking no process unlocks, or a marking the pack does not define).

Over several markings the most restrictive outcome wins and every marking's reason is kept,
so a record marked ``criminal_justice`` and ``state_custody_sanctuary`` in a civil immigration
case is prohibited by the second and says why the first would have allowed it.

An authorisation unlocks a marking only when all of these hold at ``now``: it is not revoked
(revocation is immediate); it is approved by someone other than its recorder, if its process
needs approval; ``valid_from <= now <= valid_to``; the pack lists its process among the
marking's ``unlocked_by`` for the current purpose *and* for the purpose of the case it was
recorded for; it is used in its own case when that unlock says ``use_limited_to_case``; and
the value lies in its scope.

Scope: the value's source must be in ``scope.sources`` and the marking in ``scope.markings``;
an empty list on either axis covers nothing (an order names the records it reaches, and a
blank that silently meant "all records" would turn a forgotten field into a blanket order;
recording refuses them). An empty ``scope.subjects`` means every person in those records,
because orders often name record sets before anyone knows which resolved entities they hold;
a non-empty one covers only the entities it lists, and a decision with no subject is then
out of scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from linkwise.model.authorisations import Authorisation
from linkwise.model.policy import LegalProcess, Marking, PolicyPack, Unlock

Outcome = Literal["shown", "redacted", "prohibited"]
State = Literal["revoked", "awaiting_approval", "not_yet_valid", "active", "expired"]

_SEVERITY: dict[Outcome, int] = {"shown": 0, "redacted": 1, "prohibited": 2}
_DEFAULT_OUTCOME: dict[str, Outcome] = {
    "allow": "shown",
    "redact": "redacted",
    "deny": "prohibited",
}


@dataclass(frozen=True, slots=True)
class Unlocker:
    """One legal process that would lawfully unlock a marking for the current purpose."""

    marking: str
    process: str
    title: str
    """The process's title, as a person reads it."""
    purposes: tuple[str, ...]
    use_limited_to_case: bool = False
    judicial: bool = False

    def __str__(self) -> str:
        limited = ", used only in the case it names" if self.use_limited_to_case else ""
        return f"{self.title} ({self.process}) for {', '.join(self.purposes)}{limited}"

    def to_json(self) -> dict[str, Any]:
        return {
            "marking": self.marking,
            "process": self.process,
            "title": self.title,
            "purposes": list(self.purposes),
            "use_limited_to_case": self.use_limited_to_case,
            "judicial": self.judicial,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    rule: str
    """Which rule decided, e.g. ``marking:taxpayer_return.prohibited_purpose``."""
    reason: str
    """Plain sentences citing the authority."""
    authority: str
    unlocked_by: int | None = None
    """The authorisation that unlocked the value, if one did."""
    would_unlock: tuple[Unlocker, ...] = ()
    """Processes that would lawfully unlock it for this purpose; empty when nothing can."""
    considered: tuple[str, ...] = ()
    """Why authorisations in hand, of a process that could unlock it, did not."""
    parts: tuple[Decision, ...] = ()
    """One decision per marking, when several applied."""

    @property
    def shown(self) -> bool:
        return self.outcome == "shown"

    @property
    def authorisations_used(self) -> tuple[int, ...]:
        """Every authorisation that unlocked a marking of this decision."""
        own = () if self.unlocked_by is None else (self.unlocked_by,)
        used = own + tuple(i for p in self.parts for i in p.authorisations_used)
        return tuple(dict.fromkeys(used))

    def to_json(self) -> dict[str, Any]:
        """The decision as an audit event or API response holds it."""
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "rule": self.rule,
            "reason": self.reason,
            "authority": self.authority,
            "unlocked_by": self.unlocked_by,
            "would_unlock": [u.to_json() for u in self.would_unlock],
        }
        if self.considered:
            out["considered"] = list(self.considered)
        if self.parts:
            out["parts"] = [p.to_json() for p in self.parts]
        return out


def decide(
    pack: PolicyPack,
    *,
    purpose: str,
    markings: Collection[str],
    field: str | None,
    authorisations: Sequence[Authorisation],
    subject: str | None,
    source: str | None,
    now: dt.datetime,
    case_id: int | None = None,
) -> Decision:
    """The decision on one value (``field``) or a whole record (``field=None``) carrying
    ``markings``, read from ``source`` about entity ``subject`` for a case with ``purpose``
    (``case_id`` is needed only to honour ``use_limited_to_case``).

    A marking with ``fields`` restricts only those canonical fields: it does not apply to
    other fields, nor to the record as a whole. ``now`` must be timezone-aware.
    """
    decisions = Decisions(
        pack, purpose=purpose, authorisations=authorisations, now=now, case_id=case_id
    )
    return decisions.decide(markings=markings, field=field, subject=subject, source=source)


_UNNAMED = "\x00unnamed"
"""``Decisions.alike``'s key for every entity no authorisation names (no entity id has a
NUL in it)."""


class Decisions:
    """``decide`` for the many values of one read: one purpose, one set of authorisations,
    one moment. Answers are memoised, so each distinct question is worked out once.

    A marking's part of a decision depends on the marking, the source and the subject, never
    on the field (the field says only whether the marking applies), so the parts are
    memoised on their own and each field's decision is assembled from those that apply:
    a record's ten values under two markings cost two parts, not twenty, and one combined
    decision, shared by every field the same markings restrict. A session hands one on from
    read to read while the pack, the case, the authorisations and where each stands are the
    same (``GovernedSession._decisions_for``): the time enters a decision only through
    ``authorisation_state``, so ``now`` is the moment of the first read that used it, and
    nothing may read it as "the time of this read". A workspace keeps them across its
    sessions (``linkwise.govern.session.SharedDecisions``), whose requests run on several
    threads: every memo here is only read or set whole, one key at a time, and holds
    immutable answers, so two threads that miss the same key both work out the same answer.
    """

    def __init__(
        self,
        pack: PolicyPack,
        *,
        purpose: str,
        authorisations: Sequence[Authorisation],
        now: dt.datetime,
        case_id: int | None = None,
    ) -> None:
        self.pack = pack
        self.purpose = purpose
        self.authorisations = tuple(authorisations)
        self.now = now
        self.case_id = case_id
        self._parts: dict[tuple[str, str | None, str | None], Decision] = {}
        self._answers: dict[
            tuple[tuple[str, ...], str | None, str | None, str | None], Decision
        ] = {}
        self._combined: dict[tuple[tuple[str, ...], str | None, str | None], Decision] = {}
        self._named = frozenset(s for a in self.authorisations for s in a.scope.subjects)
        self.carried: dict[tuple[Any, ...], Any] = {}
        """What reads worked out from these decisions alone, for the next read handed them
        (``linkwise.govern.gate.Read._kept``): each key names the source and the markings its
        answer was worked out for (a source whose markings change is asked afresh), the
        subject as these decisions tell subjects apart, and the decisions that decided it.
        A new ``Decisions`` starts when anything it rests on changes; within one, each
        redirect walk adds its own entries, and a read empties it past
        ``linkwise.govern.session.CARRIED_LIMIT`` entries."""

    def decide(
        self,
        *,
        markings: Collection[str],
        field: str | None,
        subject: str | None,
        source: str | None,
    ) -> Decision:
        """As ``decide`` the function, for this read's purpose, authorisations and time."""
        key = (tuple(markings), field, self.alike(subject), source)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = self._decide(key[0], field, subject, source)
        return found

    def alike(self, subject: str | None) -> str | None:
        """``subject`` as a key of the memos: one key for every entity that no
        authorisation's scope names, since a decision depends on the subject only through
        whether a scope names it (and says so in the same words for all the others)."""
        if subject is None or subject in self._named:
            return subject
        return _UNNAMED

    def unrestricted(
        self, *, markings: Collection[str], subject: str | None, source: str | None
    ) -> bool:
        """Whether every value of a record carrying ``markings`` may be shown: each
        marking's part allows it (a marking limited to some fields allows or restricts
        them all alike), so no field's decision can be anything but ``shown``."""
        return self.purpose in self.pack.purposes and all(
            self._part(name, subject, source).shown for name in markings
        )

    def _decide(
        self, markings: tuple[str, ...], field: str | None, subject: str | None, source: str | None
    ) -> Decision:
        pack = self.pack
        if self.purpose not in pack.purposes:
            return Decision(
                outcome="prohibited",
                rule=f"purpose:{self.purpose}.undefined",
                reason=(
                    f"Purpose {self.purpose!r} is not defined in policy pack {pack.name!r}; "
                    "nothing is shown for it until the pack defines it."
                ),
                authority=f"policy pack {pack.name} {pack.version}",
            )
        names = tuple(name for name in dict.fromkeys(markings) if _applies(pack, name, field))
        if not names:
            what = "this record" if field is None else f"field {field!r}"
            return Decision(
                outcome="shown",
                rule="no_marking",
                reason=f"No marking restricts {what}.",
                authority="",
            )
        if len(names) == 1:
            return self._part(names[0], subject, source)
        key = (names, self.alike(subject), source)
        found = self._combined.get(key)
        if found is None:
            parts = [self._part(name, subject, source) for name in names]
            found = self._combined[key] = _combine(parts)
        return found

    def _part(self, name: str, subject: str | None, source: str | None) -> Decision:
        key = (name, self.alike(subject), source)
        found = self._parts.get(key)
        if found is None:
            ctx = _Context(
                self.pack,
                self.purpose,
                self.authorisations,
                subject,
                source,
                self.now,
                self.case_id,
            )
            found = self._parts[key] = _decide_marking(ctx, name)
        return found


def _applies(pack: PolicyPack, name: str, field: str | None) -> bool:
    """Whether marking ``name`` restricts ``field`` (None: the record as a whole). A marking
    the pack does not define restricts everything."""
    marking = pack.markings.get(name)
    return marking is None or marking.fields is None or field in marking.fields


def authorisation_state(pack: PolicyPack, auth: Authorisation, now: dt.datetime) -> State:
    """Where an authorisation stands at ``now``, whatever it is asked to unlock."""
    if auth.revoked:
        return "revoked"
    if now > auth.valid_to:
        return "expired"  # approved or not, it can never come into force now
    process = pack.legal_processes.get(auth.process)
    needs_approval = process is None or bool(process.approved_by)
    if needs_approval and (not auth.approved or auth.approved_by == auth.recorded_by):
        return "awaiting_approval"
    if now < auth.valid_from:
        return "not_yet_valid"
    return "active"


def explain(decision: Decision) -> str:
    """The decision as a person reads it: outcome, reason, rule, and what would change it."""
    lines = [f"{decision.outcome.upper()}: {decision.reason}", f"rule: {decision.rule}"]
    if decision.authority:
        lines.append(f"authority: {decision.authority}")
    if decision.authorisations_used:
        used = ", ".join(f"#{i}" for i in decision.authorisations_used)
        lines.append(f"unlocked by authorisation {used}")
    if not decision.shown:
        if decision.would_unlock:
            lines.append("would be unlocked by:")
            lines.extend(f"  - {u} [{u.marking}]" for u in decision.would_unlock)
        else:
            lines.append("no legal process unlocks it for this purpose")
    if decision.considered:
        lines.append("authorisations in hand that do not unlock it:")
        lines.extend(f"  - {note}" for note in decision.considered)
    if decision.parts:
        lines.append("per marking:")
        lines.extend(f"  - {p.rule}: {p.outcome}: {p.reason}" for p in decision.parts)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Context:
    pack: PolicyPack
    purpose: str
    authorisations: Sequence[Authorisation]
    subject: str | None
    source: str | None
    now: dt.datetime
    case_id: int | None


def _decide_marking(ctx: _Context, name: str) -> Decision:
    marking = ctx.pack.markings.get(name)
    if marking is None:
        return Decision(
            outcome="prohibited",
            rule=f"marking:{name}.undefined",
            reason=(
                f"Marking {name!r} is not defined in policy pack {ctx.pack.name!r}; values "
                "carrying it are withheld until the pack defines it."
            ),
            authority=f"policy pack {ctx.pack.name} {ctx.pack.version}",
        )
    if marking.never_disclosed:
        return Decision(
            outcome="prohibited",
            rule=f"marking:{name}.never_disclosed",
            reason=(
                f"{marking.title} is never disclosed, for any purpose ({marking.authority}); "
                "no legal process unlocks it."
            ),
            authority=marking.authority,
        )
    purpose_title = ctx.pack.purposes[ctx.purpose].title
    if ctx.purpose in marking.prohibited_purposes:
        outcome: Outcome = "prohibited"
        rule = f"marking:{name}.prohibited_purpose"
        stem = f"{marking.title} may not be used for {purpose_title}"
    else:
        outcome = _DEFAULT_OUTCOME[marking.default]
        rule = f"marking:{name}.default"
        stem = {
            "shown": f"{marking.title} may be used for {purpose_title}",
            "redacted": f"{marking.title} is redacted by default",
            "prohibited": f"{marking.title} is withheld by default",
        }[outcome]
    if outcome == "shown":
        return Decision(outcome, rule, f"{stem} ({marking.authority}).", marking.authority)
    candidates = [(i, u) for i, u in enumerate(marking.unlocked_by) if ctx.purpose in u.purposes]
    considered: list[str] = []
    for auth in sorted(ctx.authorisations, key=lambda a: a.id):
        for i, unlock in candidates:
            if unlock.process != auth.process:
                continue
            problem = _why_not(ctx, auth, name, unlock)
            if problem is None:
                return _unlocked(ctx, name, marking, i, auth)
            considered.append(problem)
    would = tuple(_unlocker(ctx.pack, name, u) for _, u in candidates)
    if would:
        needs = " or ".join(dict.fromkeys(with_article(u.title) for u in would))
        tail = f"; {needs} would unlock it for this purpose"
    else:
        tail = "; no legal process unlocks it for this purpose"
    return Decision(
        outcome=outcome,
        rule=rule,
        reason=f"{stem} ({marking.authority}){tail}.",
        authority=marking.authority,
        would_unlock=would,
        considered=tuple(dict.fromkeys(considered)),
    )


def _unlocked(ctx: _Context, name: str, marking: Marking, i: int, auth: Authorisation) -> Decision:
    process = ctx.pack.legal_processes[auth.process]
    return Decision(
        outcome="shown",
        rule=f"marking:{name}.unlocked_by[{i}]",
        reason=(
            f"{marking.title} ({marking.authority}) is shown under authorisation #{auth.id}: "
            f"{process.title} {auth.reference} issued by {auth.issuing_authority}, valid until "
            f"{_when(auth.valid_to)}."
        ),
        authority=marking.authority,
        unlocked_by=auth.id,
    )


def _why_not(ctx: _Context, auth: Authorisation, marking: str, unlock: Unlock) -> str | None:
    """Why ``auth`` does not unlock ``marking`` here, or None when it does."""
    process = ctx.pack.legal_processes[auth.process]
    label = f"#{auth.id} ({process.title} {auth.reference})"
    state = authorisation_state(ctx.pack, auth, ctx.now)
    if state == "revoked":
        why = f": {auth.revocation_reason}" if auth.revocation_reason else ""
        assert auth.revoked_at is not None
        return f"{label} was revoked on {_when(auth.revoked_at)}{why}"
    if state == "awaiting_approval":
        return f"{label} awaits approval by a {_roles(process)} other than its recorder"
    if state == "not_yet_valid":
        return f"{label} is not valid until {_when(auth.valid_from)}"
    if state == "expired":
        return f"{label} expired on {_when(auth.valid_to)}"
    if auth.case_purpose not in unlock.purposes:
        return (
            f"{label} was recorded for a {auth.case_purpose} case; {auth.process} unlocks "
            f"{marking} only for {', '.join(unlock.purposes)}"
        )
    if unlock.use_limited_to_case and auth.case_id != ctx.case_id:
        return f"{label} may be used only in case #{auth.case_id}"
    if marking not in auth.scope.markings:
        return f"{label} does not cover marking {marking} in its scope"
    if ctx.source is None or ctx.source not in auth.scope.sources:
        return f"{label} does not cover source {ctx.source or '(none given)'} in its scope"
    if auth.scope.subjects and ctx.subject not in auth.scope.subjects:
        # the same words for every entity it does not name (``Decisions`` decides those alike)
        if ctx.subject is None:
            return f"{label} covers only the entities its scope names, and this record is in none"
        return f"{label} does not name this record's entity in its scope"
    return None


def _combine(parts: list[Decision]) -> Decision:
    ordered = sorted(parts, key=lambda p: -_SEVERITY[p.outcome])
    outcome = ordered[0].outcome
    decisive = [p for p in ordered if p.outcome == outcome]
    restricting = [p for p in ordered if p.outcome != "shown"]
    if any(not p.would_unlock for p in restricting):
        would: tuple[Unlocker, ...] = ()
    else:
        would = tuple(u for p in restricting for u in p.would_unlock)
    unlocked = next((p.unlocked_by for p in ordered if p.unlocked_by is not None), None)
    return Decision(
        outcome=outcome,
        rule="; ".join(p.rule for p in decisive),
        reason=" ".join(p.reason for p in ordered),
        authority="; ".join(dict.fromkeys(p.authority for p in decisive if p.authority)),
        unlocked_by=unlocked if outcome == "shown" else None,
        would_unlock=would,
        considered=tuple(dict.fromkeys(n for p in ordered for n in p.considered)),
        parts=tuple(parts),
    )


def _unlocker(pack: PolicyPack, marking: str, unlock: Unlock) -> Unlocker:
    process = pack.legal_processes[unlock.process]
    return Unlocker(
        marking=marking,
        process=unlock.process,
        title=process.title,
        purposes=tuple(unlock.purposes),
        use_limited_to_case=unlock.use_limited_to_case,
        judicial=process.judicial,
    )


def _roles(process: LegalProcess) -> str:
    return " or ".join(r.value for r in process.approved_by)


def with_article(noun: str) -> str:
    """ "an affidavit", "a subpoena": ``noun`` with its indefinite article."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _when(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
