"""Counts for the dashboards: how many of a kind, never which person."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from linkwise.store import tables as t


def review_counts(conn: Connection) -> dict[str, int]:
    """Review items by kind, of the last full resolution run and the incremental runs after
    it (the queue reviewers work through)."""
    rv, rr = t.review_items, t.resolution_runs
    last_full = (
        select(func.max(rr.c.id))
        .where(rr.c.status == "completed", rr.c.mode == "full")
        .scalar_subquery()
    )
    query = (
        select(rv.c.kind, func.count())
        .where(rv.c.run_id >= last_full)
        .group_by(rv.c.kind)
        .order_by(rv.c.kind)
    )
    return {str(kind): int(n) for kind, n in conn.execute(query)}
