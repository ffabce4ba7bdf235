"""identity resolution: runs, models, links, entities, redirects, judgements, review,
generic values

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "resolution_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("model_version", sa.String(length=32), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("floor", sa.Float(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("stats", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_runs")),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_run", sa.Integer(), nullable=False),
        sa.Column("updated_run", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_run"],
            ["resolution_runs.id"],
            name=op.f("fk_entities_created_run_resolution_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_run"],
            ["resolution_runs.id"],
            name=op.f("fk_entities_updated_run_resolution_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
    )
    op.create_table(
        "entity_redirects",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("old_id", sa.String(length=24), nullable=False),
        sa.Column("new_id", sa.String(length=24), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["resolution_runs.id"],
            name=op.f("fk_entity_redirects_run_id_resolution_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_redirects")),
    )
    with op.batch_alter_table("entity_redirects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_redirects_old_id"), ["old_id"], unique=False)

    op.create_table(
        "generic_values",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["resolution_runs.id"],
            name=op.f("fk_generic_values_run_id_resolution_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generic_values")),
    )
    with op.batch_alter_table("generic_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_generic_values_run_id"), ["run_id"], unique=False)

    op.create_table(
        "judgements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("left_source_id", sa.Integer(), nullable=False),
        sa.Column("left_key", sa.Text(), nullable=False),
        sa.Column("right_source_id", sa.Integer(), nullable=False),
        sa.Column("right_key", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["left_source_id"], ["sources.id"], name=op.f("fk_judgements_left_source_id_sources")
        ),
        sa.ForeignKeyConstraint(
            ["right_source_id"], ["sources.id"], name=op.f("fk_judgements_right_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgements")),
    )
    with op.batch_alter_table("judgements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_judgements_pair",
            ["left_source_id", "left_key", "right_source_id", "right_key"],
            unique=False,
        )

    op.create_table(
        "models",
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["resolution_runs.id"], name=op.f("fk_models_run_id_resolution_runs")
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_models")),
    )
    op.create_table(
        "review_items",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("record_ids", JSON, nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["resolution_runs.id"], name=op.f("fk_review_items_run_id_resolution_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_run_id"), ["run_id"], unique=False)

    op.create_table(
        "entity_members",
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entity_id", sa.String(length=24), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("via_link", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_members_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_entity_members_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["resolution_runs.id"],
            name=op.f("fk_entity_members_run_id_resolution_runs"),
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_entity_members")),
    )
    with op.batch_alter_table("entity_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entity_members_entity_id"), ["entity_id"], unique=False
        )

    op.create_table(
        "links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_l", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_r", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("match_key", sa.String(length=8), nullable=True),
        sa.Column("contributions", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["record_l"], ["records.id"], name=op.f("fk_links_record_l_records")
        ),
        sa.ForeignKeyConstraint(
            ["record_r"], ["records.id"], name=op.f("fk_links_record_r_records")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["resolution_runs.id"], name=op.f("fk_links_run_id_resolution_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_record_l"), ["record_l"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_record_r"), ["record_r"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_run_id"))
        batch_op.drop_index(batch_op.f("ix_links_record_r"))
        batch_op.drop_index(batch_op.f("ix_links_record_l"))

    op.drop_table("links")
    with op.batch_alter_table("entity_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_members_entity_id"))

    op.drop_table("entity_members")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_run_id"))

    op.drop_table("review_items")
    op.drop_table("models")
    with op.batch_alter_table("judgements", schema=None) as batch_op:
        batch_op.drop_index("ix_judgements_pair")

    op.drop_table("judgements")
    with op.batch_alter_table("generic_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generic_values_run_id"))

    op.drop_table("generic_values")
    with op.batch_alter_table("entity_redirects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_redirects_old_id"))

    op.drop_table("entity_redirects")
    op.drop_table("entities")
    op.drop_table("resolution_runs")
