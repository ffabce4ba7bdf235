"""The session a workspace hands its interfaces: the governed session
(``linkwise.govern.session``) plus the read paths that need the resolution model, namely
explanations of pairs and entities and real-time matching. Each is one governed read, audited
in its own transaction like every other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from linkwise.cases import priority
from linkwise.govern.accounts import User
from linkwise.govern.session import Clock, GovernedSession, NotFoundError
from linkwise.model.cases import Case
from linkwise.workspace import explaining, matching

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace


class WorkspaceSession(GovernedSession):
    """What ``Workspace.session`` yields (see ``GovernedSession`` for the reads it has)."""

    def __init__(
        self, workspace: Workspace, actor: User, case: Case, *, clock: Clock | None = None
    ) -> None:
        super().__init__(workspace.engine, actor, case, workspace.pack, clock=clock)
        self.workspace = workspace

    def explain_pair(self, left: tuple[str, str], right: tuple[str, str]) -> dict[str, Any]:
        """Why two records (source, key) were linked, or that no link was kept
        (``pair.explain``)."""
        with self.reading("pair.explain") as read:
            a = read.ref(*left)
            b = read.ref(*right)
            read.touch(records=[a.record_id, b.record_id], entities=[a.entity_id, b.entity_id])
            return explaining.explain_pair(read, a, b)

    def explain_entity(
        self, entity_id: str, why_not: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """Each record's path of links into the entity; with ``why_not``, why that record is
        not in it (``entity.why``)."""
        with self.reading("entity.why") as read:
            read.touch(entities=[entity_id])
            ev = read.evidence(entity_id)
            if ev is None or not ev.refs:
                raise NotFoundError(f"no active entity {entity_id!r}")
            outsider = read.ref(*why_not) if why_not is not None else None
            if outsider is not None:
                read.touch(records=[outsider.record_id], entities=[outsider.entity_id])
            return explaining.explain_entity(read, ev, outsider)

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
