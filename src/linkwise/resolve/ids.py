"""Entity ids that survive re-resolution, with redirects for merges, splits and deletions.

Resolution rebuilds every cluster from scratch, but an entity id is cited in cases,
documents and audit entries, so a person must keep their id while their records stay
largely the same, and an id that stops naming an entity must say where its records went.

The rules, over the records each old entity still has (deleted records do not count):

* **Keep.** An old entity keeps its id for a new cluster when the overlap is at least
  ``keep_threshold`` (default one half) of both: of the old entity's surviving records,
  and of the new cluster's *previously known* records. New records are left out of the
  second share, so an entity that gains ten new records keeps its id; but a cluster that
  is mostly some other old entity's does not take this one's id. At one half, a cluster
  can be claimed by at most two old entities (an even merge) and an old entity can claim
  at most two clusters (an even split); such ties go to the larger overlap, then the
  smaller old id, then the earlier cluster. Each old id is kept at most once.
* **Merge.** An old entity that did not keep its id and whose records all went to one
  cluster redirects there ("merge"): in a merge of two, the smaller side.
* **Split.** An old entity whose records went to several clusters redirects from its id
  to each part that did not keep it ("split"), one redirect per part; when no part kept
  the id, every part gets one.
* **Retired.** An old entity none of whose records remain redirects nowhere ("retired").

Clusters of new records only, and clusters no old entity could keep, get ``new_id()``,
called in cluster order. Given the same inputs (and the same ``new_id`` sequence) the
result is the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import (
    Callable,
    Collection,
    Container,
    Hashable,
    Iterable,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from typing import Literal, TypeVar

K = TypeVar("K", bound=Hashable)

RedirectKind = Literal["merge", "split", "retired"]


@dataclass(frozen=True, slots=True)
class Redirect:
    """Where some or all of ``old_id``'s records went in one re-resolution.

    ``records`` counts the old entity's records now under ``new_id`` (0 when retired).
    ``continues`` says whether ``old_id`` still names an entity afterwards: true only for
    the split-off parts of an entity that kept its id for its largest part, so that a
    lookup of the old id can tell "renamed" from "still here, and part of it moved".
    """

    old_id: str
    new_id: str | None
    kind: RedirectKind
    records: int
    continues: bool = False


@dataclass(frozen=True)
class IdAssignment:
    """``ids[i]`` names ``clusters[i]``; ``kept + created == len(ids)``."""

    ids: list[str]
    redirects: list[Redirect]
    kept: int
    created: int
    retired: int


def assign_stable_ids(
    previous: Mapping[str, Collection[K]],
    clusters: Sequence[Collection[K]],
    *,
    new_id: Callable[[], str],
    keep_threshold: float = 0.5,
) -> IdAssignment:
    """Name ``clusters`` after the ``previous`` entities (id -> records) they continue.

    See the module docstring for the rules. A record in two clusters, or in two previous
    entities, is an error, as is ``new_id`` returning an id already in use.
    """
    if not 0.0 < keep_threshold <= 1.0:
        raise ValueError(f"keep_threshold must be in (0, 1], got {keep_threshold}")
    where = _cluster_of(clusters)
    # Overlap of each old entity with each cluster, over the records that survive.
    overlaps: dict[str, Counter[int]] = {}
    known: Counter[int] = Counter()  # previously known records per cluster
    seen: set[K] = set()
    for old in sorted(previous):
        counts: Counter[int] = Counter()
        for record in previous[old]:
            if record in seen:
                raise ValueError(f"record {record!r} is in two previous entities")
            seen.add(record)
            if record in where:
                counts[where[record]] += 1
        overlaps[old] = counts
        known.update(counts)

    eligible = sorted(
        (-overlap, old, cluster)
        for old, counts in overlaps.items()
        for cluster, overlap in counts.items()
        if overlap >= keep_threshold * counts.total() and overlap >= keep_threshold * known[cluster]
    )
    keeper: dict[int, str] = {}
    kept_by: dict[str, int] = {}
    for _, old, cluster in eligible:
        if cluster not in keeper and old not in kept_by:
            keeper[cluster] = old
            kept_by[old] = cluster

    ids: list[str] = []
    in_use = set(previous)
    for index in range(len(clusters)):
        if index in keeper:
            ids.append(keeper[index])
            continue
        fresh = new_id()
        if fresh in in_use:
            raise ValueError(f"new_id returned {fresh!r}, which is already in use")
        in_use.add(fresh)
        ids.append(fresh)

    redirects: list[Redirect] = []
    retired = 0
    for old, counts in overlaps.items():
        if not counts:
            retired += 1
            redirects.append(Redirect(old, None, "retired", 0, continues=False))
            continue
        parts = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        home = kept_by.get(old)
        kind: RedirectKind = "merge" if len(parts) == 1 else "split"
        redirects.extend(
            Redirect(old, ids[cluster], kind, count, continues=home is not None)
            for cluster, count in parts
            if cluster != home
        )
    return IdAssignment(ids, redirects, len(keeper), len(clusters) - len(keeper), retired)


def _cluster_of(clusters: Sequence[Collection[K]]) -> dict[K, int]:
    where: dict[K, int] = {}
    for index, cluster in enumerate(clusters):
        for record in cluster:
            if where.setdefault(record, index) != index:
                raise ValueError(f"record {record!r} is in two clusters")
    return where


def index_redirects(*runs: Iterable[Redirect]) -> dict[str, list[tuple[int, Redirect]]]:
    """Redirects by old id, each with the number of its run: ``runs`` are the redirects
    of successive re-resolutions, oldest first (the first is run 1)."""
    by_old: dict[str, list[tuple[int, Redirect]]] = {}
    for number, redirects in enumerate(runs, start=1):
        for redirect in redirects:
            by_old.setdefault(redirect.old_id, []).append((number, redirect))
    return by_old


def resolve_redirect(
    entity_id: str,
    redirects_by_old: Mapping[str, Sequence[tuple[int, Redirect]]],
    *,
    current: Container[str] | None = None,
) -> list[str]:
    """The current ids that ``entity_id`` has become, following merges and splits over
    any number of runs: itself if it still names an entity, then where its records went.

    An id reached through a redirect of run *r* is followed on only through redirects of
    later runs: its own redirects of run *r* or before moved *its* earlier records, none of
    which came from ``entity_id`` (in a run where B merged into A and A split a part off,
    B's records are in A, not in the part). Whether an id on the way still names an entity
    is ``current`` when given (the entity table is the authority); otherwise an id is
    current unless a redirect ended it (a merge, a retirement, or a split in which no part
    kept it). A retired id with nowhere to go gives ``[]``; an id with no redirects gives
    itself unless ``current`` says otherwise. Each id is expanded once for the earliest run
    it is reached after, so a cycle in corrupt history cannot loop.
    """
    found: list[str] = []
    after: dict[str, int] = {}
    todo = [(entity_id, 0)]
    while todo:
        here, since = todo.pop()
        if here in after and after[here] <= since:
            continue
        first_visit = here not in after
        after[here] = since
        moves = redirects_by_old.get(here, ())
        live = here in current if current is not None else all(m.continues for _, m in moves)
        if live and first_visit:
            found.append(here)
        later = [(run, m.new_id) for run, m in moves if run > since and m.new_id is not None]
        todo.extend((new, run) for run, new in reversed(later))
    return found
