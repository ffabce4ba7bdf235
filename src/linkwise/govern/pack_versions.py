"""The policy pack in force is versioned in the store, and a change of pack is audited.

The pack is a file in the workspace (``policy.yaml``); anyone who can edit the file can
change what the system allows. So the exact text in force is kept in the store each time it
changes (identified by its SHA-256), and the change is an audit event naming the old and the
new text's hashes: an auditor can see when the rules changed, who first acted under the new
ones, and read both versions.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime

from sqlalchemy import Connection

from linkwise.govern import audit
from linkwise.model.policy import PolicyPack
from linkwise.store import policy_versions as store


def record_pack(conn: Connection, pack: PolicyPack, text: str, actor: str) -> bool:
    """Store ``text`` (the pack file's content, ``pack`` its parsed form) as the pack in force
    unless it already is; return whether a new version was recorded. Call inside a
    transaction: the version and its audit event commit together. Every session's opening
    asks, so the text's hash is worked out once per text and the store is asked for the
    hash in force alone, its text and version only when they differ."""
    digest = _sha256(text)
    if store.latest_sha256(conn) == digest:
        return False
    current = store.latest(conn)
    store.add(
        conn,
        name=pack.name,
        version=pack.version,
        sha256=digest,
        content=text,
        loaded_by=actor,
        at=datetime.now(UTC),
    )
    audit.record(
        conn,
        actor=actor,
        action="policy.load",
        objects={
            "pack": pack.name,
            "version": pack.version,
            "sha256": digest,
            "previous_sha256": None if current is None else current["sha256"],
            "previous_version": None if current is None else current["version"],
        },
    )
    return True


@functools.lru_cache(maxsize=8)
def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
