"""Table definitions (SQLAlchemy Core). Alembic migrations create exactly these tables;
``tests/store/test_migrations.py`` fails if the two drift apart."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

Json = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(63), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("kind", String(63), nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("owner", Text),
    Column("markings", Json, nullable=False),
    Column("retention_days", Integer),
    Column("manifest", Json, nullable=False),
    Column("manifest_path", Text, nullable=False),
    Column("manifest_hash", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

ingestion_runs = Table(
    "ingestion_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    Column("manifest", Json, nullable=False),
    Column("manifest_hash", String(64), nullable=False),
    Column("location", Text, nullable=False),
    Column("encoding", String(32)),
    Column("batches", Integer, nullable=False, default=0),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("new_versions", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    Column("notes", Json, nullable=False),
    Column("error", Text),
)

records = Table(
    "records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("source_key", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("run_id", ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    Column("locator", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("raw", Json, nullable=False),
    Column("notes", Json, nullable=False),
    Column("facts", Json, nullable=False),
    Column("given_name", Text),
    Column("middle_name", Text),
    Column("family_name", Text),
    Column("name_suffix", String(8)),
    Column("full_name", Text),
    Column("name_original", Text),
    Column("dob", String(10)),
    Column("sex", String(1)),
    Column("address_line", Text),
    Column("city", Text),
    Column("region", Text),
    Column("postcode", String(16)),
    Column("country", String(2)),
    Column("phone", String(20)),
    Column("email", Text),
    Column("ingested_at", Timestamp, nullable=False),
    UniqueConstraint("source_id", "source_key", "version", name="uq_records_source_key_version"),
)
Index("ix_records_current", records.c.source_id, records.c.source_key, records.c.is_current)

record_identifiers = Table(
    "record_identifiers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("record_id", ForeignKey("records.id"), nullable=False, index=True),
    Column("type", String(32), nullable=False),
    Column("value", Text),
    Column("raw", Text, nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("issue", Text),
)
Index("ix_record_identifiers_type_value", record_identifiers.c.type, record_identifiers.c.value)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("ingestion_runs.id"), nullable=False, index=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("locator", Text, nullable=False),
    Column("line", Integer),
    Column("source_key", Text),
    Column("column", Text),
    Column("reason", Text, nullable=False),
    Column("raw", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# --- identity resolution -------------------------------------------------------------------

resolution_runs = Table(
    "resolution_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    Column("model_version", String(32)),
    Column("threshold", Float, nullable=False),
    Column("floor", Float, nullable=False),
    Column("records", Integer, nullable=False, default=0),
    Column("links", Integer, nullable=False, default=0),
    Column("entities", Integer, nullable=False, default=0),
    Column("stats", Json, nullable=False),
    Column("error", Text),
)

models = Table(
    "models",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("created_at", Timestamp, nullable=False),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False),
    Column("engine", String(16), nullable=False),
    Column("settings", Json, nullable=False),
)

links = Table(
    "links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False, index=True),
    Column("record_l", ForeignKey("records.id"), nullable=False, index=True),
    Column("record_r", ForeignKey("records.id"), nullable=False, index=True),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("model_version", String(32), nullable=False),
    Column("match_key", String(8)),
    Column("contributions", Json, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("created_run", ForeignKey("resolution_runs.id"), nullable=False),
    Column("updated_run", ForeignKey("resolution_runs.id"), nullable=False),
    Column("size", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
)

entity_members = Table(
    "entity_members",
    metadata,
    Column("record_id", ForeignKey("records.id"), primary_key=True),
    Column("entity_id", ForeignKey("entities.id"), nullable=False, index=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False),
    Column("via_link", BigInteger().with_variant(Integer(), "sqlite")),
)

entity_redirects = Table(
    "entity_redirects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False),
    Column("old_id", String(24), nullable=False, index=True),
    Column("new_id", String(24)),
    Column("kind", String(16), nullable=False),
    Column("records", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

judgements = Table(
    "judgements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("left_source_id", ForeignKey("sources.id"), nullable=False),
    Column("left_key", Text, nullable=False),
    Column("right_source_id", ForeignKey("sources.id"), nullable=False),
    Column("right_key", Text, nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reviewer", Text, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)
Index(
    "ix_judgements_pair",
    judgements.c.left_source_id,
    judgements.c.left_key,
    judgements.c.right_source_id,
    judgements.c.right_key,
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("record_ids", Json, nullable=False),
    Column("priority", Float, nullable=False),
    Column("match_probability", Float),
    Column("reason", Text, nullable=False),
)

generic_values = Table(
    "generic_values",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("resolution_runs.id"), nullable=False, index=True),
    Column("field", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("records", Integer, nullable=False),
    Column("people", Integer, nullable=False),
)
