"""Ingestion as the interfaces show it to people who run the workspace: the rows a run set
aside (quarantine). A quarantined row failed validation, so nothing governs it: its raw
columns and the reason quote person values as the source sent them. Only administrators
(who fix sources) may list it; a refusal is audited like any other (``quarantine.list``).
Sources and runs hold counts and file names, no person values, and are read directly
through ``Workspace.sources`` and ``Workspace.runs``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from linkwise.govern.accounts import User, require_role
from linkwise.model.records import QuarantineEntry
from linkwise.model.roles import Role
from linkwise.workspace.users import _transaction

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

__all__ = ["QUARANTINE_READERS", "quarantine"]

QUARANTINE_READERS = (Role.ADMINISTRATOR,)


def quarantine(
    ws: Workspace,
    actor: User,
    *,
    source: str | None = None,
    run_id: int | None = None,
    limit: int | None = 100,
) -> list[QuarantineEntry]:
    """The rows set aside by each source's latest run (or by ``run_id``), for an
    administrator."""

    def check(conn: Connection) -> None:
        objects = {"source": source, "run_id": run_id}
        require_role(conn, actor, QUARANTINE_READERS, "quarantine.list", objects)

    _transaction(ws, check)
    return ws.quarantine(source, run_id, limit)
