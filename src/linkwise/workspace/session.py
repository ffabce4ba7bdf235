"""The session a workspace hands its interfaces: the governed session
(``linkwise.govern.session``) plus the read paths that need the resolution model, namely
explanations of pairs and entities and real-time matching. Each is one governed read, audited
in its own transaction like every other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from linkwise.cases import priority
from linkwise.govern.accounts import User
from linkwise.govern.gate import marker
from linkwise.govern.session import Clock, GovernedSession, NotFoundError, SessionError
from linkwise.model.cases import Case
from linkwise.search import governed as searching
from linkwise.search.query import build_query
from linkwise.store import resolution as store_resolution
from linkwise.workspace import entity_view, explaining, matching

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

JUDGEMENT_DECISIONS = ("same", "different", "unsure")


class JudgementInputError(SessionError, ValueError):
    """A judgement that cannot be recorded as given (unknown decision, one record twice)."""


class JudgementRefusedError(SessionError, PermissionError):
    """A judgement on a record the case may not use: the reviewer cannot have seen it."""


class ExplainInputError(SessionError, ValueError):
    """A question the explanation cannot answer as asked (why a member is not a member)."""


class WorkspaceSession(GovernedSession):
    """What ``Workspace.session`` yields (see ``GovernedSession`` for the reads it has)."""

    def __init__(
        self, workspace: Workspace, actor: User, case: Case, *, clock: Clock | None = None
    ) -> None:
        super().__init__(
            workspace.engine, actor, case, workspace.pack, clock=clock, shared=workspace.decisions
        )
        self.workspace = workspace

    def explain_pair(self, left: tuple[str, str], right: tuple[str, str]) -> dict[str, Any]:
        """Why two records (source, key) were linked, or that no link was kept
        (``pair.explain``)."""
        with self.reading("pair.explain") as read:
            a = read.ref(*left)
            b = read.ref(*right)
            read.touch(records=[a.record_id, b.record_id], entities=[a.entity_id, b.entity_id])
            return explaining.explain_pair(read, a, b)

    def entity_detail(self, entity_id: str) -> dict[str, Any]:
        """An entity as its page shows it: every value, identifier and fact of its records
        with their provenance, and its links (``entity.view``; see
        ``linkwise.workspace.entity_view``). A retired id answers as ``entity`` does."""
        with self.reading("entity.view") as read:
            found = self._entity(read, entity_id)
            if isinstance(found, dict):
                return found
            return entity_view.entity_detail(read, entity_id, found)

    def explain_entity(
        self, entity_id: str, why_not: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """Each record's path of links into the entity; with ``why_not``, why that record is
        not in it (``entity.why``)."""
        with self.reading("entity.why") as read:
            found = self._entity(read, entity_id)
            if isinstance(found, dict):  # a retired id: say where its records went
                raise NotFoundError(
                    f"entity {entity_id} is {found['status']}; its records are now in "
                    f"{', '.join(found['redirected_to']) or 'no entity'}"
                )
            ev = found
            outsider = None
            if why_not is not None:
                outsider = read.ref(*why_not)
                read.touch(records=[outsider.record_id], entities=[outsider.entity_id])
                if outsider.record_id in ev.shown:  # shown with its path in the answer
                    raise ExplainInputError(
                        f"{why_not[0]}:{why_not[1]} is in entity {entity_id} (the answer "
                        "gives its path); ask why-not of a record outside it"
                    )
            return explaining.explain_entity(
                read, ev, outsider, names=self.workspace.resolved_names
            )

    def match(
        self,
        fields: Mapping[str, str],
        *,
        top: int = matching.DEFAULT_TOP,
        threshold: float = matching.DEFAULT_THRESHOLD,
    ) -> list[dict[str, Any]]:
        """The resolved entities most likely to be the person these details describe (raw
        text per canonical field), most likely first (``match.query``). The audit event
        names the fields given, never their values. The matcher is built on the first call
        and kept until another resolution completes."""
        matching.normalize_fields(fields)  # bad input is refused before anything is read
        with self.reading(
            "match.query", fields=sorted(fields), top=top, threshold=threshold
        ) as read:
            return matching.governed_match(
                read, self.workspace.matcher(), fields, top=top, threshold=threshold
            )

    def search(
        self,
        q: str | None = None,
        *,
        name: str | None = None,
        dob: str | None = None,
        identifier: str | None = None,
        address: str | None = None,
        phone: str | None = None,
        limit: int = searching.DEFAULT_LIMIT,
    ) -> dict[str, Any]:
        """People search (``search.query``): the entities best answering a free-text box
        ``q`` and/or the optional fields, best first, each with its key facts and match
        quality as this case may see them (``linkwise.search.governed``). The audit event
        names the kinds of value searched for, never the values."""
        query = build_query(
            q, name=name, dob=dob, identifier=identifier, address=address, phone=phone
        )  # bad input is refused before anything is read
        limit = max(1, min(limit, searching.MAX_LIMIT))
        with self.reading("search.query", fields=list(query.fields), limit=limit) as read:
            return searching.governed_search(read, query, limit)

    def judge(
        self,
        left: tuple[str, str],
        right: tuple[str, str],
        decision: str,
        rationale: str = "",
    ) -> dict[str, Any]:
        """Record the session's user's judgement that two records (source, key) are the same
        person, different people, or unsure (``review.judge``): the reviewer is the actor,
        never a name the caller supplies, and the judgement is stored in the same
        transaction as its audit event. A record whose use is prohibited for the case's
        purpose cannot be judged here (its refusal is audited and nothing is stored). Every
        later resolution honours the judgement."""
        if decision not in JUDGEMENT_DECISIONS:
            raise JudgementInputError(
                f"decision must be one of {', '.join(JUDGEMENT_DECISIONS)}, not {decision!r}"
            )
        if tuple(left) == tuple(right):
            raise JudgementInputError("a judgement needs two different records")
        refused: dict[str, Any] | None = None
        result: dict[str, Any] = {}
        with self.reading("review.judge", decision=decision) as read:
            a, b = read.ref(*left), read.ref(*right)
            read.touch(records=[a.record_id, b.record_id], entities=[a.entity_id, b.entity_id])
            standing = [(r, read.standing(r)) for r in (a, b)]
            blocked = [d for _, d in standing if d.outcome == "prohibited"]
            if blocked:
                refused = marker(blocked[0])
                read.objects["refused"] = blocked[0].rule
                for r, d in standing:  # the event's outcome is the refusal's, not "shown"
                    if d.outcome == "prohibited":
                        read.count(r, None, d)
            else:
                number = store_resolution.add_judgement(
                    read.conn,
                    (a.source_id, a.source_key),
                    (b.source_id, b.source_key),
                    decision,
                    read.actor.username,
                    rationale,
                )
                read.objects["judgement_id"] = number
                result = {
                    "id": number,
                    "left": explaining.ref_view(read, a),
                    "right": explaining.ref_view(read, b),
                    "decision": decision,
                    "reviewer": read.actor.username,
                    "rationale": rationale,
                    "at": read.now.isoformat(),
                }
        if refused is not None:
            raise JudgementRefusedError(
                "a judgement cannot be recorded on a record this case may not use: "
                f"{refused.get('reason') or refused.get('rule')}"
            )
        return result

    # -- case work (linkwise.cases.priority) --------------------------------------------------

    def case_facts(self, entity_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The facts of the entities' records as this case may see them (values, or markers
        naming why not), each record with whether its tie into its entity is confirmed
        (``case.facts``)."""
        threshold = self.pack.priority_settings.confirmation_threshold
        with self.reading("case.facts") as read:
            read.touch(entities=entity_ids)
            return [
                record.to_json()
                for entity_id in entity_ids
                for record in priority.facts_of(read, entity_id, threshold)
            ]

    def case_priority(self) -> priority.Priority:
        """The case's priority from the pack's rules over its subjects' facts, each reason
        with the records behind it (``case.priority``; kept in the case's history)."""
        with self.reading("case.priority", case_id=self.case.id) as read:
            return priority.compute(read)
