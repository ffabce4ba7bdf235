"""What an entity may be shown to rest on, for one case's purpose.

An entity is the records resolution put together, and the links (and reviewers' "same"
judgements) it put them together with. A link scored from a record whose source may not be
used for the purpose is evidence drawn from that source: showing it, or a record that joined
the entity only through it, would use the prohibited data after all. So, per entity:

- records of a source marked never disclosed (8 U.S.C. § 1367) are left out entirely, and so
  is a record tied to the rest only through them (a reason would reveal they exist);
- records prohibited for the purpose are listed as prohibited, with the reason;
- the other records are grouped by the links and judgements between them alone; the largest
  group (among equals, the one holding the lowest record id, where resolution starts an
  entity from) is the entity as this purpose sees it, and a record outside it that the
  entity reached only through prohibited records is withheld, saying which sources and what would
  lawfully unlock them; a record that no link ties to the rest at all is shown as it is;
- only links between shown records are shown, and each shown record's step in the entity
  (``steps``) follows the clustering's own links where they are usable, else the strongest
  usable one.

Links count as evidence when they attached a record in the run (``via_link``) or reach the
run's clustering threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linkwise.govern.policy import Decision, Unlocker
from linkwise.store import reads

if TYPE_CHECKING:
    from linkwise.govern.gate import Read, RecordRef


THROUGH_PROTECTED = "evidence:never_disclosed_links"
"""The audit rule for a record left out because only a never-disclosed record ties it in."""


@dataclass(frozen=True, slots=True)
class Step:
    """How a shown record joins the entity: the record it joins and the link (None: a
    reviewer judged the two the same person)."""

    joined_to: int
    link: dict[str, Any] | None


@dataclass
class EntityEvidence:
    entity_id: str
    refs: dict[int, RecordRef]
    """Every member the reader may know of, in display order (source, then key)."""
    shown: set[int] = field(default_factory=set)
    prohibited: dict[int, Decision] = field(default_factory=dict)
    withheld: dict[int, Decision] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    """Stored links between shown records."""
    tree: tuple[set[int] | None, Sequence[_Edge]] = field(default=(None, ()), repr=False)
    """What ``steps`` is worked out from: the main group of shown records (None: every
    record may be weighed, and the main group is the largest group of ``shown``) and the
    usable edges."""
    _steps: dict[int, Step | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def steps(self) -> dict[int, Step | None]:
        """Per shown record, how it joins the entity (None for the first, or a loose
        record); worked out when first asked (an entity view never asks)."""
        if self._steps is None:
            main, edges = self.tree
            if main is None:
                main = _main(_components(self.shown, edges))
            inside = [e for e in edges if e.a in main and e.b in main]
            self._steps = _steps(self.shown, main, inside)
        return self._steps

    def decision_for(self, record_id: int) -> Decision | None:
        """Why a listed record is not shown, or None when it is."""
        return self.prohibited.get(record_id) or self.withheld.get(record_id)


@dataclass(frozen=True, slots=True)
class _Edge:
    a: int
    b: int
    link: dict[str, Any] | None
    via: bool

    @property
    def strength(self) -> float:
        return 1.0 if self.link is None else float(self.link["match_probability"])


def entity_evidence(read: Read, entity_id: str) -> EntityEvidence | None:
    """The evidence view of an active entity (None when it is not active)."""
    status, rows, judged = read.members(entity_id)
    if status != "active":
        return None
    refs = {row.id: read.ref_of(row) for row, _ in rows}
    omitted = {i for i, ref in refs.items() if read.omitted(ref)}
    prohibited = {
        i: d
        for i, ref in refs.items()
        if i not in omitted and (d := read.standing(ref)).outcome == "prohibited"
    }
    allowed = set(refs) - omitted - set(prohibited)
    links = reads.links_among(read.conn, sorted(refs))
    members = [row for row, _ in rows] if judged else []
    edges = _edges(read, links, members, {v for _, v in rows if v})
    result = EntityEvidence(entity_id, {}, prohibited=prohibited)
    if not omitted and not prohibited:
        # Every member may be weighed, so every group of them is shown (the main one, and
        # any other, no prohibited record lying between), with every link among them:
        # what the loop below comes to, without grouping them unless ``steps`` is asked.
        result.shown = allowed
        result.refs = refs
        result.links = links
        result.tree = (None, edges)
        read.touch(records=refs, entities=[entity_id])
        return result
    groups = _components(allowed, edges)
    main = _main(groups)
    result.shown |= main
    if len(groups) > 1:  # how the other groups hang together (one group: all of it shown)
        visible = _component_of(allowed | set(prohibited), edges)
        full = _component_of(set(refs), edges)
    for group in groups:
        if group is main:
            continue
        anchor = min(main) if main else None
        if anchor is not None and visible[min(group)] == visible[anchor]:
            blockers = [
                (refs[i], d) for i, d in prohibited.items() if visible[i] == visible[anchor]
            ]
            reason = _withheld(read, blockers)
            result.withheld.update(dict.fromkeys(group, reason))
        elif anchor is not None and full[min(group)] == full[anchor]:
            for i in sorted(group):
                read.note_omitted(refs[i], rule=THROUGH_PROTECTED)
            omitted |= group
        else:
            result.shown |= group
    for i in sorted(omitted - set().union(*groups)):
        read.note_omitted(refs[i])
    result.refs = {i: ref for i, ref in refs.items() if i not in omitted}
    result.links = [
        lk for lk in links if lk["record_l"] in result.shown and lk["record_r"] in result.shown
    ]
    result.tree = (main, edges)
    read.touch(records=result.refs, entities=[entity_id])
    return result


def _main(groups: list[set[int]]) -> set[int]:
    """The entity as the purpose sees it: the largest group, among equals the one holding
    the lowest record id (where resolution starts an entity from)."""
    return max(groups, key=lambda g: (len(g), -min(g)), default=set())


def _edges(
    read: Read,
    links: Sequence[dict[str, Any]],
    members: Sequence[reads.RecordRow],
    via: set[int],
) -> list[_Edge]:
    threshold = read.threshold() if links else 1.0
    edges = [
        _Edge(int(lk["record_l"]), int(lk["record_r"]), lk, lk["id"] in via)
        for lk in links
        if lk["id"] in via or float(lk["match_probability"]) >= threshold
    ]
    if members:
        edges.extend(_Edge(a, b, None, False) for a, b in reads.judged_same(read.conn, members))
    return edges


def _components(nodes: set[int], edges: Iterable[_Edge]) -> list[set[int]]:
    of = _component_of(nodes, edges)
    groups: dict[int, set[int]] = {}
    for node, root in of.items():
        groups.setdefault(root, set()).add(node)
    return sorted(groups.values(), key=min)


def _component_of(nodes: set[int], edges: Iterable[_Edge]) -> dict[int, int]:
    """Per node, a representative of its connected component over edges inside ``nodes``."""
    parent = {n: n for n in nodes}

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for e in edges:
        if e.a in parent and e.b in parent:
            ra, rb = find(e.a), find(e.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {n: find(n) for n in nodes}


def _steps(shown: set[int], main: set[int], edges: list[_Edge]) -> dict[int, Step | None]:
    """A spanning tree of ``main`` from its first record: the clustering's own links first
    (so an entity nothing was withheld from reads as the run built it), then the strongest
    other edges. Shown records outside ``main`` are loose (None)."""
    steps: dict[int, Step | None] = dict.fromkeys(shown)
    if not main:
        return steps
    reached = {min(main)}
    for phase in ([e for e in edges if e.via], sorted(edges, key=lambda e: -e.strength)):
        grew = True
        while grew:
            grew = False
            for e in phase:
                if (e.a in reached) == (e.b in reached):
                    continue
                inside, outside = (e.a, e.b) if e.a in reached else (e.b, e.a)
                steps[outside] = Step(inside, e.link)
                reached.add(outside)
                grew = True
    return steps


def _withheld(read: Read, blockers: list[tuple[RecordRef, Decision]]) -> Decision:
    sources = sorted({ref.source for ref, _ in blockers})
    parts = list({d.rule: d for _, d in blockers}.values())
    purpose = read.pack.purposes[read.purpose].title if read.purpose in read.pack.purposes else ""
    would: tuple[Unlocker, ...] = ()
    if parts and all(p.would_unlock for p in parts):
        would = tuple({(u.marking, u.process): u for p in parts for u in p.would_unlock}.values())
    reason = (
        f"This record is tied to the entity only through links resting on records of "
        f"{', '.join(sources) or 'a prohibited source'}, which may not be used for "
        f"{purpose or read.purpose}; such links are not evidence for this purpose. "
        + " ".join(dict.fromkeys(p.reason for p in parts))
    )
    return Decision(
        outcome="prohibited",
        rule="evidence:prohibited_links",
        reason=reason.strip(),
        authority="; ".join(dict.fromkeys(p.authority for p in parts if p.authority)),
        would_unlock=would,
        parts=tuple(parts),
    )
