"""documents of `format: documents` sources, their mentions and a full-text term index

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "source_documents",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("parent_id", _ID, nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["source_documents.id"],
            name=op.f("fk_source_documents_parent_id_source_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ingestion_runs.id"],
            name=op.f("fk_source_documents_run_id_ingestion_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_documents_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_documents")),
        sa.UniqueConstraint(
            "source_id", "path", "version", name="uq_source_documents_path_version"
        ),
    )
    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_source_documents_current", ["source_id", "is_current"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_source_documents_run_id"), ["run_id"], unique=False)
    op.create_table(
        "mentions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("refers_to", sa.Integer(), nullable=True),
        sa.Column("person", sa.Integer(), nullable=True),
        sa.Column("record_key", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["source_documents.id"],
            name=op.f("fk_mentions_document_id_source_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
    )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentions_document_id"), ["document_id"], unique=False)
        batch_op.create_index("ix_mentions_record_key", ["record_key"], unique=False)
    op.create_table(
        "document_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("document_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["source_documents.id"],
            name=op.f("fk_document_terms_document_id_source_documents"),
        ),
        sa.PrimaryKeyConstraint("term", "document_id", name=op.f("pk_document_terms")),
    )
    with op.batch_alter_table("document_terms", schema=None) as batch_op:
        batch_op.create_index("ix_document_terms_document_id", ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_document_terms_document_id")
    op.drop_table("document_terms")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_record_key")
        batch_op.drop_index(batch_op.f("ix_mentions_document_id"))
    op.drop_table("mentions")
    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_documents_run_id"))
        batch_op.drop_index("ix_source_documents_current")
    op.drop_table("source_documents")
