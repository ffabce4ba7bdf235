"""The review queue as a reviewer works through it: the latest run's items, most
consequential first, less those a judgement has settled since that run.

A run leaves out pairs already judged when it builds its queue, but judgements keep coming
after it; without this filter the item just judged would stay at the top until the next
``linkwise resolve``. An item is settled when any two of its records were judged after the
latest completed run started (that run could not have honoured the judgement). The
judgements are read in a plain connection: they name record keys, and nothing of them is
shown; the items themselves come from the governed ``review_queue`` read.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from linkwise.store import resolution as store

if TYPE_CHECKING:
    from linkwise.workspace.session import WorkspaceSession


def settled_pairs(session: WorkspaceSession) -> set[frozenset[int]]:
    """Pairs of current record ids judged since the latest completed run started."""
    with session.workspace.engine.connect() as conn:
        run = store.last_run(conn)
        since = None if run is None else _aware(run["started_at"])
        pairs: set[frozenset[int]] = set()
        for judgement in store.judgements(conn):
            if since is not None and _aware(judgement.created_at) < since:
                continue
            left = store.current_record_id(conn, judgement.left)
            right = store.current_record_id(conn, judgement.right)
            if left is not None and right is not None:
                pairs.add(frozenset((left, right)))
    return pairs


def pending(session: WorkspaceSession, limit: int = 50) -> list[dict[str, Any]]:
    """The governed review queue (``review.list``) without the items settled since the run
    that queued them, at most ``limit``, most consequential first."""
    settled = settled_pairs(session)
    items = session.review_queue(limit + len(settled))
    open_items = [item for item in items if not _is_settled(item, settled)]
    return open_items[:limit]


def _is_settled(item: dict[str, Any], settled: set[frozenset[int]]) -> bool:
    ids = [int(r["record_id"]) for r in item["records"]]
    return any(frozenset((a, b)) in settled for i, a in enumerate(ids) for b in ids[i + 1 :])


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
