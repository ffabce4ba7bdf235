"""Where entity ids went: an id retired by a merge or split stands for the active entities
that now hold its records (an order or a case names a person, not an entity id)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection

from linkwise.store import reads


def current_ids(
    conn: Connection, entity_ids: Iterable[str], reached_in: Mapping[str, int] | None = None
) -> set[str]:
    """The active entity ids that ``entity_ids`` are or have become, following merges and
    splits over any number of runs (the same walk as ``linkwise.resolve.ids.resolve_redirect``,
    which this layer may not import, over the stored redirects only): an id reached through
    a redirect of one run is followed on only through redirects of later runs, since its
    own redirects of that run or before moved records that never were the first id's.
    ``reached_in`` gives that run for ids the caller itself reached through a redirect
    (the others are followed through every run). One statement per step of the walk: most
    ids were never redirected, and take one."""
    known = reached_in or {}
    after = {eid: known.get(eid, 0) for eid in entity_ids}
    frontier = set(after)
    active: set[str] = set()
    while frontier:
        moves, live = reads.redirects_and_active(conn, frontier)
        active |= live
        reached: dict[str, int] = {}  # id -> the earliest run it is reached through
        for old, new, run in moves:
            earliest = reached.get(new, after.get(new))
            if run > after[old] and (earliest is None or run < earliest):
                reached[new] = run
        after.update(reached)
        frontier = set(reached)
    return active
