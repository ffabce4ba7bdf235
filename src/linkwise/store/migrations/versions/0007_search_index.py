"""the people-search index: keys per record and the name vocabulary's deletion variants

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "search_keys",
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("a", sa.Text(), nullable=False),
        sa.Column("b", sa.Text(), nullable=False),
        sa.Column("record_id", _ID, autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("kind", "a", "b", "record_id", name=op.f("pk_search_keys")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "search_terms",
        sa.Column("variant", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("variant", "term", name=op.f("pk_search_terms")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("search_terms")
    op.drop_table("search_keys")
