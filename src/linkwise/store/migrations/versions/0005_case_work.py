"""case work: case subjects, events and notes; drafted documents; disputes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
AT = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "case_events",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        _fk("case_events", "actor_id", "users"),
        _fk("case_events", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table(
        "case_notes",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _fk("case_notes", "author_id", "users"),
        _fk("case_notes", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_case_id"), "case_notes", ["case_id"], unique=False)
    op.create_table(
        "case_subjects",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("entity_id", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("added_by", ID, nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.Column("replaced_by", ID, nullable=True),
        sa.Column("ended_by", ID, nullable=True),
        sa.Column("ended_at", AT, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _fk("case_subjects", "added_by", "users"),
        _fk("case_subjects", "case_id", "cases"),
        _fk("case_subjects", "ended_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_subjects")),
    )
    op.create_index(op.f("ix_case_subjects_case_id"), "case_subjects", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_case_subjects_entity_id"), "case_subjects", ["entity_id"], unique=False
    )
    op.create_table(
        "documents",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("template_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=False),
        sa.Column("docx_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", ID, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("signed_by", ID, nullable=True),
        sa.Column("signed_at", AT, nullable=True),
        _fk("documents", "case_id", "cases"),
        _fk("documents", "created_by", "users"),
        _fk("documents", "signed_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(op.f("ix_documents_case_id"), "documents", ["case_id"], unique=False)
    op.create_table(
        "disputes",
        _id(),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("other_record_id", ID, nullable=True),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("claimed_value", sa.Text(), nullable=True),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("raised_by", ID, nullable=False),
        sa.Column("raised_at", AT, nullable=False),
        sa.Column("on_behalf_of", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_by", ID, nullable=True),
        sa.Column("resolved_at", AT, nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("correction", JSON, nullable=True),
        _fk("disputes", "case_id", "cases"),
        _fk("disputes", "other_record_id", "records"),
        _fk("disputes", "raised_by", "users"),
        _fk("disputes", "record_id", "records"),
        _fk("disputes", "resolved_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_index(op.f("ix_disputes_record_id"), "disputes", ["record_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_disputes_record_id"), table_name="disputes")
    op.drop_table("disputes")
    op.drop_index(op.f("ix_documents_case_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_index(op.f("ix_case_subjects_entity_id"), table_name="case_subjects")
    op.drop_index(op.f("ix_case_subjects_case_id"), table_name="case_subjects")
    op.drop_table("case_subjects")
    op.drop_index(op.f("ix_case_notes_case_id"), table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
