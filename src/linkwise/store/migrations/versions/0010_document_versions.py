"""documents: one row per (case, kind, version)

Two drafts of one kind made at the same time for one case both read the same latest version
and both wrote the next one; both then superseded the same row and neither was superseded,
so both could be signed. The constraint makes the second insert fail (its transaction rolls
back, and the drafter is told to draft again).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    documents = sa.table(
        "documents",
        sa.column("id", sa.Integer()),
        sa.column("case_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("version", sa.Integer()),
    )
    key = (documents.c.case_id, documents.c.kind, documents.c.version)
    twice = (
        op.get_bind()
        .execute(sa.select(*key, sa.func.count()).group_by(*key).having(sa.func.count() > 1))
        .all()
    )
    if twice:
        found = "; ".join(f"case #{c}, {k} version {v}: {n} rows" for c, k, v, n in twice)
        raise RuntimeError(
            "documents: two drafts raced each other and took one version number before this "
            f"upgrade ({found}); delete or renumber the unsigned one of each pair, then run "
            "`linkwise init` again"
        )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_documents_case_kind_version", ["case_id", "kind", "version"]
        )


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_documents_case_kind_version", type_="unique")
