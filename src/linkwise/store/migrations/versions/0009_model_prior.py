"""models.prior: a model's prior in a column of its own

Governed reads that show a link's figures on the evidence shown start from the model's prior
(``probability_two_random_records_match``). Reading it out of the model's settings, tens of
kB of JSON parsed whole on every read, took longer than the rest of such a read. Existing
models get the prior their settings hold.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_PRIOR = "probability_two_random_records_match"


def upgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prior", sa.Float(), nullable=True))
    models = sa.table(
        "models",
        sa.column("version", sa.String()),
        sa.column("settings", _JSON),
        sa.column("prior", sa.Float()),
    )
    conn = op.get_bind()
    for version, settings in conn.execute(sa.select(models.c.version, models.c.settings)).all():
        prior = settings.get(_PRIOR) if isinstance(settings, dict) else None
        if isinstance(prior, int | float):
            conn.execute(
                sa.update(models).where(models.c.version == version).values(prior=float(prior))
            )


def downgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("prior")
