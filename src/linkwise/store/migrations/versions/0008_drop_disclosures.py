"""the disclosure record is found through audit_subjects; the disclosures table goes

The ids a read disclosed are subjects of its audit event too, so ``audit_subjects`` already
finds every such event (``linkwise.store.disclosures``); every governed read wrote them a
second time here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosures_case_id")
    op.drop_table("disclosures")


def downgrade() -> None:
    # recreated empty: the events still name every disclosure
    op.create_table(
        "disclosures",
        sa.Column("record_id", _ID, autoincrement=False, nullable=False),
        sa.Column("seq", _ID, autoincrement=False, nullable=False),
        sa.Column("case_id", _ID, nullable=True),
        sa.Column("document_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("record_id", "seq", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index("ix_disclosures_case_id", ["case_id"], unique=False)
