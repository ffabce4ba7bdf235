"""entity_generation: a count that moves whenever resolution changes the entities

A governed read follows an authorisation's named subjects through the stored redirects; it
reads this count with its standing rows and makes the walk again only when the count has
moved (``linkwise.store.standing``). Every completed run so far changed the entities once,
so the count starts at the number of completed runs.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    generation = op.create_table(
        "entity_generation",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column(
            "generation", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_entity_generation")),
    )
    runs = sa.table("resolution_runs", sa.column("status", sa.String()))
    completed = op.get_bind().execute(
        sa.select(sa.func.count()).select_from(runs).where(runs.c.status == "completed")
    )
    op.bulk_insert(generation, [{"name": "entities", "generation": int(completed.scalar() or 0)}])


def downgrade() -> None:
    op.drop_table("entity_generation")
