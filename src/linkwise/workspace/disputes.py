"""Disputes for interfaces (``linkwise.cases.disputes``), each call one transaction whose
refusal events commit before the error reaches the caller."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from linkwise.cases import disputes
from linkwise.cases.disputes import DisputeOutcome
from linkwise.govern.accounts import User
from linkwise.model.disputes import Dispute
from linkwise.store import catalog
from linkwise.workspace.audit import attach_audit_signer
from linkwise.workspace.cases import _transaction

if TYPE_CHECKING:
    from linkwise.workspace.workspace import Workspace

__all__ = [
    "about_records",
    "confirm",
    "list_all",
    "never_disclosed_sources",
    "raise_",
    "reject",
    "show",
]


def raise_(
    ws: Workspace,
    actor: User,
    *,
    record: tuple[str, str],
    evidence: str,
    field: str | None = None,
    claimed_value: str | None = None,
    link_to: tuple[str, str] | None = None,
    on_behalf_of: str | None = None,
    case_id: int | None = None,
) -> Dispute:
    attach_audit_signer(ws)
    return _transaction(
        ws,
        lambda conn: disputes.raise_dispute(
            conn,
            actor,
            record=record,
            evidence=evidence,
            field=field,
            claimed_value=claimed_value,
            link_to=link_to,
            on_behalf_of=on_behalf_of,
            case_id=case_id,
            never_disclosed=never_disclosed_sources(ws),
        ),
    )


def never_disclosed_sources(ws: Workspace) -> frozenset[str]:
    """The sources whose records the law never discloses, for any purpose (a whole-record
    marking with ``never_disclosed``): no interface may tell that one of them exists."""
    with ws.engine.connect() as conn:
        sources = catalog.source_markings(conn)
    return frozenset(
        name for name, markings in sources.items() if ws.pack.never_discloses(markings)
    )


def confirm(ws: Workspace, actor: User, dispute_id: int, resolution: str) -> DisputeOutcome:
    """Apply the correction. The corrected record version (or the "different" judgement)
    takes its place among the entities at the next ``linkwise resolve``."""
    attach_audit_signer(ws)
    return _transaction(
        ws, lambda conn: disputes.confirm_dispute(conn, actor, dispute_id, resolution)
    )


def reject(ws: Workspace, actor: User, dispute_id: int, resolution: str) -> Dispute:
    attach_audit_signer(ws)
    return _transaction(
        ws, lambda conn: disputes.reject_dispute(conn, actor, dispute_id, resolution)
    )


def list_all(ws: Workspace, actor: User, status: str | None = None) -> list[Dispute]:
    attach_audit_signer(ws)
    return _transaction(ws, lambda conn: disputes.list_disputes(conn, actor, status=status))


def show(ws: Workspace, actor: User, dispute_id: int) -> DisputeOutcome:
    attach_audit_signer(ws)
    return _transaction(ws, lambda conn: disputes.show_dispute(conn, actor, dispute_id))


def about_records(ws: Workspace, actor: User, record_ids: Collection[int]) -> list[Dispute]:
    """The disputes (in any state) of these records' values or of links touching them, as
    ``list_all`` shows them: what an entity page lists for its records."""
    wanted = set(record_ids)
    return [d for d in list_all(ws, actor) if d.record_id in wanted or d.other_record_id in wanted]
