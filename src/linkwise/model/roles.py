"""Who a user is to the system: the roles of the governance issue (DESIGN.md §2, §5).

Roles are fixed by the product, not by the policy pack: the pack says which role may
record or approve each legal process; what each role may do otherwise is decided in
``linkwise.govern``.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANALYST = "analyst"
    """Works cases: searches, reads entities, judges pairs, drafts documents."""
    SUPERVISOR = "supervisor"
    """An analyst who also approves supervisor-level processes and assigns cases."""
    LEGAL_REVIEWER = "legal_reviewer"
    """Approves authorisations (never one they recorded) and signs off legal documents."""
    AUDITOR = "auditor"
    """Reads and verifies the audit log; reads no person data for case work."""
    ADMINISTRATOR = "administrator"
    """Manages users, sources and the policy pack; reads no person data for case work."""
