"""audit_index: how far the subject index has been brought

Appends no longer write their subjects into ``audit_subjects``; the first read by subject
indexes every event since the last one indexed (``linkwise.store.audit.index_subjects``).
Every event already stored was indexed when it was appended, so the index starts at the
newest of them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    index = op.create_table(
        "audit_index",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column(
            "indexed_to", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_audit_index")),
    )
    events = sa.table("audit_events", sa.column("seq", sa.Integer()))
    newest = op.get_bind().execute(sa.select(sa.func.max(events.c.seq))).scalar()
    op.bulk_insert(index, [{"name": "subjects", "indexed_to": int(newest or 0)}])


def downgrade() -> None:
    # the code before this revision indexes every event as it is appended and never catches
    # up, so the events not yet indexed are indexed now (with this revision's code)
    from linkwise.store.audit import index_subjects

    index_subjects(op.get_bind())
    op.drop_table("audit_index")
