"""Where entity ids went: an id retired by a merge or split stands for the active entities
that now hold its records (an order or a case names a person, not an entity id)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from linkwise.store import reads


def current_ids(conn: Connection, entity_ids: Iterable[str]) -> set[str]:
    """The active entity ids that ``entity_ids`` are or have become, following merges and
    splits over any number of runs (the same walk as ``linkwise.resolve.ids.resolve_redirect``,
    which this layer may not import, over the stored redirects only). One statement per step
    of the walk: most ids were never redirected, and take one."""
    seen = set(entity_ids)
    frontier = set(seen)
    active: set[str] = set()
    while frontier:
        targets, live = reads.redirects_and_active(conn, frontier)
        active |= live
        frontier = targets - seen
        seen |= frontier
    return active
