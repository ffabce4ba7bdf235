"""Governance: users, policy decisions, legal authorisations and the audit log (DESIGN.md
§2: the one gate every read of person data passes through)."""
