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

import json
from typing import Any

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


# What linkwise.store.audit.SUBJECT_KEYS and subjects_of were at this revision, frozen here
# as a migration must be (the downgrade runs against this revision's schema, whatever the
# code has become since).
_SUBJECT_KEYS = frozenset(
    {
        "entity",
        "entity_id",
        "entities",
        "entity_ids",
        "record",
        "record_id",
        "records",
        "record_ids",
        "subject",
        "subjects",
    }
)


def _subjects(value: Any, named: bool = False) -> set[str]:
    if isinstance(value, dict):
        return {s for k, v in value.items() for s in _subjects(v, k in _SUBJECT_KEYS)}
    if isinstance(value, list):
        return {s for v in value for s in _subjects(v, named)}
    if named and isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value)
        return {text} if text and len(text) <= 200 else set()
    return set()


def downgrade() -> None:
    # the code before this revision indexes every event as it is appended and never catches
    # up, so the events not yet indexed are indexed now
    bind = op.get_bind()
    index = sa.table("audit_index", sa.column("name", sa.String()), sa.column("indexed_to"))
    events = sa.table("audit_events", sa.column("seq", sa.Integer()), sa.column("objects"))
    subjects = sa.table("audit_subjects", sa.column("subject", sa.Text()), sa.column("seq"))
    head = bind.execute(sa.select(index.c.indexed_to).where(index.c.name == "subjects")).scalar()
    done = int(head or 0)
    while rows := bind.execute(
        sa.select(events.c.seq, sa.cast(events.c.objects, sa.Text))
        .where(events.c.seq > done)
        .order_by(events.c.seq)
        .limit(1000)
    ).all():
        first, done = int(rows[0][0]), int(rows[-1][0])
        held = set(
            bind.execute(
                sa.select(subjects.c.subject, subjects.c.seq).where(
                    subjects.c.seq.between(first, done)
                )
            ).all()
        )
        missing = []
        for seq, text in rows:
            try:
                objects = json.loads(text)
            except (TypeError, ValueError):
                continue  # a garbled event names nothing (verify reports it)
            missing += [
                {"subject": s, "seq": seq} for s in _subjects(objects) if (s, seq) not in held
            ]
        if missing:
            bind.execute(sa.insert(subjects), missing)
    op.drop_table("audit_index")
